#!/usr/bin/env bash
# Runs the suite. Redis: REDIS_URL if set; else a throwaway redis-server on a free port if the
# binary exists; else the tests fall back to 127.0.0.1:6379 and skip (never under CI=true).
set -uo pipefail
py=$1; shift
redis_pid=""
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; rm -rf "${redis_dir:-}"; }
trap cleanup EXIT
if [ -z "${REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
  port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis_dir=$(mktemp -d)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" \
    --daemonize no --loglevel warning >"$redis_dir/log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$port/0"
  echo "redis-server started for the tests at $REDIS_URL"
fi
"$py" -m pytest -q -rs "$@"
rc=$?
[ $rc -eq 5 ] && { echo "no tests ran"; exit 1; }
exit $rc
