#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft, broker+controller in one JVM) on 127.0.0.1, for tests and the demo.
#   npm run kafka -- up | down | status | logs [N] | reset | --help
# Jars come from Maven Central through mvn (pinned in pom.xml) and are cached outside git;
# the broker's data and pid live in .local/kafka/ (git-ignored). `up` is idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
cache="${SELLERSTREAM_CACHE:-$HOME/.cache/sellerstream}/kafka-$version"
state="${KAFKA_LOCAL_DIR:-$root/.local/kafka}"
port="${KAFKA_LOCAL_PORT:-19092}"
controller_port="$((port + 1))"
pidfile="$state/broker.pid"
logfile="$state/broker.log"
log_opt="-Dlog4j2.configurationFile=$here/log4j2.properties"

usage() {
  cat <<EOF
usage: npm run kafka -- up | down | status | logs [N] | reset

A real single-node Apache Kafka $version (KRaft, broker and controller in one JVM) on 127.0.0.1, for the demo,
the tests and the benchmarks. Its jars come from Maven Central on first use (cached); its data lives in $state.

commands:
  up        start it and wait until it serves (idempotent: a running broker is left as it is)
  down      stop it
  status    say whether it runs (exit 3 when not)
  logs [N]  the last N lines of its log (default 100)
  reset     stop it and delete its data

options:
  -h, --help  print this help and exit

environment:
  KAFKA_LOCAL_PORT           its port (default 19092; the controller takes the next one); clients follow it
  KAFKA_LOCAL_DIR            its data, pid and log directory (default .local/kafka)
  KAFKA_LOCAL_START_TIMEOUT  seconds 'up' waits for it to serve (default 90)
  KAFKA_HEAP_OPTS            JVM heap options (default -Xms256m -Xmx768m)
  SELLERSTREAM_CACHE         where the jars are cached (default ~/.cache/sellerstream)
EOF
}

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
# Waits up to TRIES × STEP seconds for process PID to be gone.
wait_gone() { local pid=$1 tries=$2 step=$3; for _ in $(seq 1 "$tries"); do kill -0 "$pid" 2>/dev/null || return 0; sleep "$step"; done; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

fetch_jars() {
  [[ -f "$cache/.complete" ]] && return 0
  echo "kafka: fetching Apache Kafka $version from Maven Central into $cache" >&2
  mkdir -p "$cache/libs"
  mvn -B -q -f "$here/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$cache/libs" -DincludeScope=runtime
  touch "$cache/.complete"
}

write_config() {
  mkdir -p "$state/data"
  sed -e "s:@PORT@:$port:g" -e "s:@CONTROLLER_PORT@:$controller_port:g" -e "s:@DATA@:$state/data:g" \
    "$here/server.properties" >"$state/server.properties"
}

format_once() {
  [[ -f "$state/data/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(java $log_opt -cp "$cache/libs/*" kafka.tools.StorageTool random-uuid 2>>"$state/format.log" | tail -n1)"
  java $log_opt -cp "$cache/libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$state/server.properties" >>"$state/format.log" 2>&1
}

wait_ready() {
  local deadline=$((SECONDS + ${KAFKA_LOCAL_START_TIMEOUT:-90}))
  until grep -q "Kafka Server started" "$logfile" 2>/dev/null && port_open; do
    if ! running; then
      # The cause is the first ERROR; the tail is the shutdown it set off.
      echo "kafka: broker exited during start; its first errors and last lines ($logfile):" >&2
      grep -m 5 -E '^\[[^]]*\] (ERROR|FATAL)' "$logfile" >&2 || true
      tail -n 10 "$logfile" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then echo "kafka: broker not ready after ${KAFKA_LOCAL_START_TIMEOUT:-90}s ($logfile)" >&2; exit 1; fi
    sleep 0.5
  done
}

up() {
  if running; then echo "kafka: already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return 0; fi
  if port_open; then echo "kafka: 127.0.0.1:$port is taken by another process; set KAFKA_LOCAL_PORT" >&2; exit 1; fi
  command -v java >/dev/null || { echo "kafka: java (17+) is required" >&2; exit 1; }
  fetch_jars
  write_config
  format_once
  : >"$logfile"
  # setsid: the broker outlives the npm process that started it, and `down` stops it by pid.
  setsid java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    $log_opt -cp "$cache/libs/*" kafka.Kafka "$state/server.properties" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_ready
  echo "kafka: Apache Kafka $version up (pid $(cat "$pidfile")) on 127.0.0.1:$port"
}

down() {
  if ! running; then echo "kafka: not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  wait_gone "$pid" 120 0.25
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    # Until it is gone it holds the data directory's lock, and an `up` right after would fail on it.
    wait_gone "$pid" 100 0.1
  fi
  rm -f "$pidfile"
  echo "kafka: stopped"
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) if running; then echo "kafka: running (pid $(cat "$pidfile")) on 127.0.0.1:$port, version $version"; else echo "kafka: not running"; exit 3; fi ;;
  logs) tail -n "${2:-100}" "$logfile" ;;
  reset) down; rm -rf "$state"; echo "kafka: state removed" ;;
  -h|--help|help) usage ;;
  *) echo "kafka: unknown command ${1}: npm run kafka -- up|down|status|logs [N]|reset (see --help)" >&2; exit 2 ;;
esac
