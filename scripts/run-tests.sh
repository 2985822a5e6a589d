#!/usr/bin/env bash
# Runs the suite. Redis: REDIS_URL if set; else a throwaway redis-server on a free port if the
# binary exists; else the tests fall back to 127.0.0.1:6379 and skip (never under CI=true).
# MariaDB (the WordPress test): FEEDHUB_TEST_MYSQL if set; else the server at 127.0.0.1:3306 if
# one answers; else a throwaway mariadbd on a free port if the binary exists; else the test
# skips with the reason (never under CI=true).
set -uo pipefail
py=$1; shift
redis_pid=""
db_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  [ -n "$db_pid" ] && kill "$db_pid" 2>/dev/null && wait "$db_pid" 2>/dev/null
  rm -rf "${redis_dir:-}" "${db_dir:-}"
}
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
if [ -z "${FEEDHUB_TEST_MYSQL:-}" ] && command -v mariadb >/dev/null \
   && ! mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1 \
   && command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null; then
  db_port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  db_dir=$(mktemp -d)
  as_user=()
  [ "$(id -u)" = 0 ] && as_user=(--user=root)
  if mariadb-install-db --no-defaults --datadir="$db_dir/data" "${as_user[@]}" \
       --auth-root-authentication-method=normal >"$db_dir/install.log" 2>&1; then
    mariadbd --no-defaults --datadir="$db_dir/data" --socket="$db_dir/sock" \
      --pid-file="$db_dir/pid" --bind-address=127.0.0.1 --port="$db_port" "${as_user[@]}" \
      --skip-log-bin >"$db_dir/server.log" 2>&1 &
    db_pid=$!
    for _ in $(seq 100); do
      mariadb -h 127.0.0.1 -P "$db_port" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
      sleep 0.1
    done
    export FEEDHUB_TEST_MYSQL="127.0.0.1:$db_port"
    echo "mariadbd started for the tests at $FEEDHUB_TEST_MYSQL"
  fi
fi
"$py" -m pytest -q -rs "$@"
rc=$?
[ $rc -eq 5 ] && { echo "no tests ran"; exit 1; }
exit $rc
