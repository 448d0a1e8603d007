#!/usr/bin/env bash
# Nightly PostgreSQL backup with retention: compose's `backup` service runs this (image
# postgres:15, so pg_dump matches the server). Connection from the libpq variables PGHOST,
# PGUSER, PGPASSWORD, PGDATABASE. Each night after BACKUP_HOUR (UTC) it writes
# $BACKUP_DIR/<database>-<UTC time>.dump (pg_dump custom format, written to a partial file
# then renamed, so a half-written dump never looks like a backup), records the outcome in
# $BACKUP_DIR/last-status, and deletes dumps older than BACKUP_RETENTION_DAYS.
# `backup.sh --once` takes one backup now and exits. Restore: README, "Operations".
set -uo pipefail

dir="${BACKUP_DIR:-/backups}"
keep="${BACKUP_RETENTION_DAYS:-14}"
hour="${BACKUP_HOUR:-2}"
name="${PGDATABASE:?set PGDATABASE}"
mkdir -p "$dir"

backup() {
  local stamp partial
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  partial="$dir/.${name}-${stamp}.dump.partial"
  if pg_dump --format=custom --no-owner --file="$partial" && pg_restore --list "$partial" >/dev/null; then
    mv "$partial" "$dir/${name}-${stamp}.dump"
    echo "$stamp ok ${name}-${stamp}.dump" >"$dir/last-status"
    find "$dir" -maxdepth 1 -name "${name}-*.dump" -mtime +"$keep" -print -delete
    echo "backup: ${name}-${stamp}.dump written; dumps older than ${keep} days deleted"
  else
    rm -f "$partial"
    echo "$stamp failed" >"$dir/last-status"
    echo "backup: FAILED at $stamp" >&2
    return 1
  fi
}

if [ "${1:-}" = "--once" ]; then
  backup
  exit $?
fi

last=""
while true; do
  touch /tmp/backup-alive
  today="$(date -u +%F)"
  if [ "$(date -u +%-H)" -ge "$hour" ] && [ "$last" != "$today" ]; then
    backup
    last="$today"
  fi
  sleep 300
done
