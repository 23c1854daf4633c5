#!/usr/bin/env bash
# Provision a reader in the docker deployment and make the broker accept it.
#   deploy/provision-reader.sh esp32-a1b2c3 [--name "Main door"] [--rotate] [other `reader add` options]
# Writes deploy/readers/<device_id>/{config.json,ca.der} for tools/flash, registers the reader
# as active, then reloads the broker (SIGHUP) so the new credentials work at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 <device_id> [--rotate] [reader add options]" >&2; exit 2; }
device_id="$1"; shift
action=add
if [ "${1:-}" = "--rotate" ]; then action=rotate; shift; fi
compose=(docker compose --project-directory "$here" -f "$here/docker-compose.yml")
"${compose[@]}" run --rm provision reader "$action" "$device_id" \
  --output "/app/readers/$device_id" --no-reload "$@"
"${compose[@]}" kill -s SIGHUP mosquitto
echo "==> $here/readers/$device_id is ready to flash (it holds the reader's password)" >&2
