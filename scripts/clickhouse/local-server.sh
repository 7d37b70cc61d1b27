#!/usr/bin/env bash
# Debian's clickhouse-server (18.16) on 127.0.0.1, for the transport contract test of the server adapter.
#   bash scripts/clickhouse/local-server.sh up | down | status
# It is far too old for the analytics schema: only test/lib/warehouse/http-warehouse.test.ts talks to it.
# Needs only the Debian package (/usr/sbin/clickhouse-server); no systemd, works as root or any user.
# Config, data, logs and pid live in .local/clickhouse/ (git-ignored). `up` is idempotent; `down` stops it.
# On success `up` prints the server's URL as its last line (the test reads it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${CLICKHOUSE_LOCAL_DIR:-$root/.local/clickhouse}"
http_port="${CLICKHOUSE_LOCAL_HTTP_PORT:-18123}"
tcp_port="${CLICKHOUSE_LOCAL_TCP_PORT:-19000}"
binary="${CLICKHOUSE_SERVER_BIN:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}"
pidfile="$state/server.pid"
logfile="$state/server.log"
url="http://127.0.0.1:$http_port"

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# /ping answers "Ok." once the HTTP handler is up; bash's /dev/tcp keeps this free of curl/wget.
pings() {
  local reply
  reply="$( (exec 3<>"/dev/tcp/127.0.0.1/$http_port" &&
    printf 'GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && timeout 2 cat <&3) 2>/dev/null || true)"
  [[ "$reply" == *"Ok."* ]]
}

write_config() {
  mkdir -p "$state/data/tmp" "$state/data/user_files" "$state/log"
  cat >"$state/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$state/log/server.log</log>
    <errorlog>$state/log/server.err.log</errorlog>
    <size>10M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http_port</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <path>$state/data/</path>
  <tmp_path>$state/data/tmp/</tmp_path>
  <user_files_path>$state/data/user_files/</user_files_path>
  <users_config>$state/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
</yandex>
XML
  cat >"$state/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

wait_ready() {
  local deadline=$((SECONDS + ${CLICKHOUSE_LOCAL_START_TIMEOUT:-60}))
  until pings; do
    if ! running; then
      echo "clickhouse: server exited during start; last lines of $logfile and $state/log/server.err.log:" >&2
      tail -n 20 "$logfile" "$state/log/server.err.log" >&2 2>/dev/null || true
      exit 1
    fi
    if ((SECONDS > deadline)); then echo "clickhouse: no /ping answer after ${CLICKHOUSE_LOCAL_START_TIMEOUT:-60}s ($logfile)" >&2; exit 1; fi
    sleep 0.2
  done
}

up() {
  if running; then
    wait_ready
    echo "clickhouse: already running (pid $(cat "$pidfile"))"
    echo "$url"
    return 0
  fi
  [[ -x "$binary" ]] || { echo "clickhouse: $binary not found; install Debian's clickhouse-server package" >&2; exit 1; }
  for port in "$http_port" "$tcp_port"; do
    if port_open "$port"; then
      echo "clickhouse: 127.0.0.1:$port is taken by another process; set CLICKHOUSE_LOCAL_HTTP_PORT/CLICKHOUSE_LOCAL_TCP_PORT" >&2
      exit 1
    fi
  done
  write_config
  : >"$logfile"
  # setsid: the server outlives the shell (or test) that started it, and `down` stops it by pid.
  # Started from the state dir so nothing the server writes relative to its cwd lands elsewhere.
  (cd "$state" && exec setsid "$binary" --config-file="$state/config.xml" >>"$logfile" 2>&1 </dev/null) &
  echo $! >"$pidfile"
  wait_ready
  echo "clickhouse: server up (pid $(cat "$pidfile")), log in $state/log/"
  echo "$url"
}

down() {
  if ! running; then echo "clickhouse: not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$pidfile"
  echo "clickhouse: stopped"
}

status() {
  if running && pings; then echo "clickhouse: running (pid $(cat "$pidfile")) at $url"; return 0; fi
  if running; then echo "clickhouse: process $(cat "$pidfile") alive but $url/ping does not answer"; return 1; fi
  echo "clickhouse: not running"
  return 3
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
