#!/usr/bin/env bash
# Back up the database (pg_dump custom format) and the broker state (credentials, ACLs, CA),
# then delete backups older than SENTINEL_BACKUP_KEEP_DAYS. Run by sentinel-backup.timer.
#   deploy/backup.sh            bare metal: pg_dump against SENTINEL_DATABASE_URL
#   deploy/backup.sh --docker   docker compose: pg_dump inside the `db` container
# Restore: deploy/README.md, "Backups and restore".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${SENTINEL_BACKUP_DIR:-/var/backups/sentinel}"
keep="${SENTINEL_BACKUP_KEEP_DAYS:-14}"
state="${SENTINEL_BROKER_STATE_DIR:-/var/lib/sentinel/broker}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$dir"

if [ "${1:-}" = "--docker" ]; then
  compose=(docker compose --project-directory "$here" -f "$here/docker-compose.yml")
  "${compose[@]}" exec -T db pg_dump -U sentinel -d sentinel -Fc > "$dir/sentinel-$stamp.dump.partial"
  "${compose[@]}" run --rm -T --no-deps --entrypoint tar provision \
    -C /var/lib/sentinel/broker -czf - --exclude=./data --exclude=./mosquitto.pid . \
    > "$dir/broker-$stamp.tar.gz.partial"
else
  url="${SENTINEL_DATABASE_URL:?set SENTINEL_DATABASE_URL (EnvironmentFile=/etc/sentinel/sentinel.env)}"
  pg_dump --dbname="${url/postgresql+asyncpg:/postgresql:}" -Fc > "$dir/sentinel-$stamp.dump.partial"
  tar -C "$state" -czf "$dir/broker-$stamp.tar.gz.partial" --exclude=./data --exclude=./mosquitto.pid .
fi
# Only complete files get their final name, so a failed run never looks like a backup.
mv "$dir/sentinel-$stamp.dump.partial" "$dir/sentinel-$stamp.dump"
mv "$dir/broker-$stamp.tar.gz.partial" "$dir/broker-$stamp.tar.gz"
find "$dir" -maxdepth 1 -type f \( -name 'sentinel-*.dump' -o -name 'broker-*.tar.gz' \) \
  -mtime "+$keep" -delete
echo "backup: $dir/sentinel-$stamp.dump $dir/broker-$stamp.tar.gz"
