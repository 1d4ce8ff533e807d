#!/usr/bin/env bash
# Makes this machine ready for `npm test`, idempotently, saying what it does:
# the servers the tests talk to (PostgreSQL, Redis, a ClickHouse server), the
# programs they drive (Chromium for the HTML report, docker-compose to validate
# docker-compose.yml) and Apache Kafka's jars (through Maven, for the embedded
# broker). On a machine that already has everything it only checks, in a few
# seconds. Installing needs root (Debian's apt-get); without it, each missing
# part gets one line saying how to provide it, and the script fails.
#
# Environment: PG_URL, REDIS_URL, CLICKHOUSE_URL, KAFKA_BROKERS point the tests
# at servers of your own; a part given that way is checked, never installed.
set -uo pipefail
cd "$(dirname "$0")/.."

PG_URL_GIVEN=${PG_URL:+yes}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
CLICKHOUSE_URL_GIVEN=${CLICKHOUSE_URL:+yes}
CLICKHOUSE_URL=${CLICKHOUSE_URL:-http://127.0.0.1:8123}
problems=()
apt_updated=no

say() { printf 'test-services: %s\n' "$*"; }

# host and port of a URL (scheme://[user[:pass]@]host[:port]/...), without printing the password.
host_of() { local rest=${1#*://}; rest=${rest##*@}; rest=${rest%%/*}; printf '%s' "${rest%%:*}"; }
port_of() { local rest=${1#*://}; rest=${rest##*@}; rest=${rest%%/*}; [[ $rest == *:* ]] && printf '%s' "${rest##*:}" || printf '%s' "$2"; }
answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then return 1; fi
  if [ "$apt_updated" = no ]; then
    say "refreshing Debian's package lists (once)"
    apt-get update -qq >/dev/null 2>&1 || true
    apt_updated=yes
  fi
  say "installing $* (Debian's packages; a minute or two the first time)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

ensure_postgres() {
  local host port; host=$(host_of "$PG_URL"); port=$(port_of "$PG_URL" 5432)
  if answers "$host" "$port"; then say "PostgreSQL at $host:$port answers"; return; fi
  if [ -z "${PG_URL_GIVEN:-}" ] && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    say "starting the machine's PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do answers "$host" "$port" && break; sleep 0.5; done
  fi
  answers "$host" "$port" && { say "PostgreSQL at $host:$port answers"; return; }
  problems+=("PostgreSQL at $host:$port is unreachable: start it (pg_ctlcluster --skip-systemctl-redirect 15 main start) or set PG_URL.")
}

ensure_redis() {
  local host port; host=$(host_of "$REDIS_URL"); port=$(port_of "$REDIS_URL" 6379)
  if answers "$host" "$port"; then say "Redis at $host:$port answers"; return; fi
  if command -v redis-server >/dev/null 2>&1 && [ "$host" = 127.0.0.1 ]; then
    say "starting redis-server on $host:$port (keeps nothing on disk)"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no >/dev/null 2>&1 || true
    for _ in $(seq 1 40); do answers "$host" "$port" && break; sleep 0.25; done
  fi
  answers "$host" "$port" && { say "Redis at $host:$port answers"; return; }
  problems+=("Redis at $host:$port is unreachable: start it (redis-server --daemonize yes --port $port --save \"\") or set REDIS_URL.")
}

clickhouse_ping() { local u=${CLICKHOUSE_URL#*://}; u=${u##*@}; u=${u%%/*}; curl -sf "http://$u/ping" >/dev/null 2>&1; }

ensure_clickhouse() {
  if clickhouse_ping; then say "ClickHouse server at $(host_of "$CLICKHOUSE_URL"):$(port_of "$CLICKHOUSE_URL" 8123) answers"; return; fi
  if [ -n "${CLICKHOUSE_URL_GIVEN:-}" ]; then
    problems+=("ClickHouse server at $(host_of "$CLICKHOUSE_URL") (CLICKHOUSE_URL) is unreachable: start it or unset CLICKHOUSE_URL to use a local one.")
    return
  fi
  command -v clickhouse-server >/dev/null 2>&1 || apt_install clickhouse-server || true
  if ! command -v clickhouse-server >/dev/null 2>&1; then
    problems+=("ClickHouse server is not installed: run as root (this script then installs Debian's clickhouse-server), or install it yourself, or set CLICKHOUSE_URL.")
    return
  fi
  say "starting clickhouse-server on 127.0.0.1:8123"
  mkdir -p /var/lib/clickhouse /var/log/clickhouse-server /var/run/clickhouse-server 2>/dev/null
  chown -R clickhouse:clickhouse /var/lib/clickhouse /var/log/clickhouse-server /var/run/clickhouse-server 2>/dev/null
  if [ "$(id -u)" = 0 ] && id clickhouse >/dev/null 2>&1; then
    su -s /bin/sh clickhouse -c "clickhouse-server --config-file=/etc/clickhouse-server/config.xml --daemon --pid-file=/var/run/clickhouse-server/hotbench-test.pid" >/dev/null 2>&1 || true
  else
    clickhouse-server --config-file=/etc/clickhouse-server/config.xml --daemon >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 60); do clickhouse_ping && break; sleep 0.5; done
  clickhouse_ping && { say "ClickHouse server at 127.0.0.1:8123 answers"; return; }
  problems+=("ClickHouse server did not start on 127.0.0.1:8123: see /var/log/clickhouse-server/clickhouse-server.err.log, or set CLICKHOUSE_URL.")
}

ensure_program() { # NAME PACKAGE WHAT
  if command -v "$1" >/dev/null 2>&1; then say "$1 found ($3)"; return; fi
  apt_install "$2" || true
  command -v "$1" >/dev/null 2>&1 && { say "$1 installed ($3)"; return; }
  problems+=("$1 is missing ($3): run as root (this script then installs Debian's $2) or install it yourself.")
}

ensure_kafka_jars() {
  if [ -n "${KAFKA_BROKERS:-}" ]; then say "Kafka: using KAFKA_BROKERS, no embedded broker"; return; fi
  if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    problems+=("Kafka: the embedded broker needs Java 17+ and Maven on PATH (apt-get install openjdk-17-jre-headless maven), or set KAFKA_BROKERS.")
    return
  fi
  if ! node scripts/fetch-kafka-jars.mjs; then
    problems+=("Kafka: its jars could not be fetched through Maven (see above): check that Maven Central is reachable, or set KAFKA_BROKERS.")
  fi
}

ensure_postgres
ensure_redis
ensure_clickhouse
ensure_program chromium chromium "drives the HTML report test through playwright-core"
ensure_program docker-compose docker-compose "validates docker-compose.yml; nothing is started with it"
ensure_kafka_jars

if [ ${#problems[@]} -gt 0 ]; then
  printf 'test-services: the tests need these, and they are missing:\n' >&2
  printf '  %s\n' "${problems[@]}" >&2
  exit 1
fi
say "ready"
