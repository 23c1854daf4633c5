#!/usr/bin/env bash
# Bring up Sentinel with docker compose: create deploy/.env with random secrets on the first
# run (edit SENTINEL_BROKER_HOSTNAMES there), then build and start everything.
#   deploy/up.sh [extra `docker compose up` arguments]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
env_file="$here/.env"

secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='; }

if [ ! -f "$env_file" ]; then
  umask 077
  sed -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$(secret)|" \
      -e "s|^SENTINEL_BROKER_INGEST_PASSWORD=.*|SENTINEL_BROKER_INGEST_PASSWORD=$(secret)|" \
      -e "s|^SENTINEL_BROKER_DASHBOARD_PASSWORD=.*|SENTINEL_BROKER_DASHBOARD_PASSWORD=$(secret)|" \
      -e "s|^SENTINEL_BROKER_HOSTNAMES=.*|SENTINEL_BROKER_HOSTNAMES=$(hostname -f 2>/dev/null || hostname),$(hostname -I 2>/dev/null | awk '{print $1}')|" \
      "$here/.env.example" > "$env_file"
  echo "==> wrote $env_file with fresh secrets; broker names: $(grep ^SENTINEL_BROKER_HOSTNAMES "$env_file")" >&2
fi
mkdir -p "$here/readers"
docker compose --project-directory "$here" -f "$here/docker-compose.yml" up -d --build --wait "$@"
echo "==> up. API: http://localhost:${SENTINEL_API_PUBLISH:-8000}/ready; next: deploy/provision-reader.sh <device_id>" >&2
