#!/usr/bin/env bash
# Shared helpers for scripts/run, scripts/test, scripts/bench and scripts/fuzz-http.
#
# Source it:   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Or run one helper directly, e.g. to keep a dev database up between test runs:
#   scripts/lib.sh pg_start          # leaves PG running; scripts reuse it
#   scripts/lib.sh pg_stop --force   # stops it again
#
# Scripts running at the same time share one server: pg_start reuses a running
# one, and pg_stop stops it only when no other script still uses it and it was
# not started by hand (see .data/pg.users and .data/pg.owner).
#
# The local PostgreSQL lives in $ROOT/.data/pg, listens on 127.0.0.1 only and
# trusts every local connection: it is a throwaway dev/test database, never
# something to expose. fsync and synchronous_commit stay on so that benchmarks
# against it compare durable commits with durable commits.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_ROOT="$ROOT/.data"

# Unprivileged owner of the PostgreSQL data dir when we run as root
# (postgres refuses to run as root).
PG_OS_USER="${PG_OS_USER:-mallpg}"
PG_FIRST_PORT=54320

# Set by pg_start when it launched the server itself.
_MALL_PG_STARTED=0
# 1 when run as `scripts/lib.sh pg_start`: the server then stays up.
_MALL_PG_DIRECT=0
PG_DIR=""
PG_BIN=""

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Run a command with its output captured; show the output only if it fails.
quiet() {
  local out rc=0
  out="$(mktemp)"
  "$@" >"$out" 2>&1 || rc=$?
  if ((rc != 0)); then
    printf 'error: command failed (exit %d): %s\n' "$rc" "$*" >&2
    cat "$out" >&2
  fi
  rm -f "$out"
  return "$rc"
}

# ---------------------------------------------------------------------------
# Ports

# True if something accepts TCP connections on 127.0.0.1:$1 (or listens on it).
port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1 &&
    [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]; then
    return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Print the first port >= $1 that nothing listens on (tries 200 ports).
free_port() {
  local port="$1" last=$(($1 + 200))
  while ((port < last)); do
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  die "no free TCP port in $1..$last"
}

# ---------------------------------------------------------------------------
# Packages

# Directory holding initdb/pg_ctl/pgbench: $PG_BIN if set, else the newest
# Debian /usr/lib/postgresql/<version>/bin, else wherever initdb is on PATH.
pg_bin_dir() {
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/initdb" ]]; then
    echo "$PG_BIN"
    return 0
  fi
  local d found=()
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" ]] && found+=("$d")
  done
  if ((${#found[@]} > 0)); then
    printf '%s\n' "${found[@]}" | sort -V | tail -n 1
    return 0
  fi
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

# Install what the build, the tests and (with --bench) the benchmarks need.
# apt-get runs only if something is missing.
ensure_packages() {
  local bench=0 missing=() pgdir=""
  [[ "${1:-}" == "--bench" ]] && bench=1

  [[ -f /usr/include/lz4.h ]] || missing+=(liblz4-dev)
  # The CLZ4 system-library target is located through pkg-config.
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  pgdir="$(pg_bin_dir)" || missing+=(postgresql)
  if ((bench)); then
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-benchmark >/dev/null 2>&1 || missing+=(redis-tools)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    # Debian ships pgbench in postgresql-<v>; postgresql-contrib pulls it in.
    if ! { [[ -n "$pgdir" && -x "$pgdir/pgbench" ]] || command -v pgbench >/dev/null 2>&1; }; then
      missing+=(postgresql-contrib)
    fi
  fi
  ((${#missing[@]} == 0)) && return 0

  log "installing missing packages: ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; install these yourself: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 ||
      die "not root and no sudo; install these yourself: ${missing[*]}"
    sudo=(sudo)
  fi
  quiet "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    die "apt-get update failed"
  quiet "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------------------
# Local PostgreSQL

# Run a command as the OS user owning the data dir. From / so that postgres
# does not complain about an unreadable current directory.
pg_as() {
  if ((EUID == 0)); then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

_pg_ensure_os_user() {
  if ((EUID != 0)); then
    PG_OS_USER="$(id -un)"
    return 0
  fi
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    log "creating system user $PG_OS_USER (owner of the local PostgreSQL data dir)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
}

# Create (or adopt) a data dir owned by the pg user; sets PG_DIR.
# Prefers $ROOT/.data/pg; falls back to /var/tmp when the pg user cannot reach
# the repo (a parent dir without o+x) or the socket path would be too long.
_pg_prepare_dir() {
  mkdir -p "$DATA_ROOT"
  chmod 0755 "$DATA_ROOT"
  local dir="$DATA_ROOT/pg"
  # A unix socket path is limited to 107 bytes: "<dir>/.s.PGSQL.NNNNN".
  if ((${#dir} <= 88)) && _pg_claim_dir "$dir"; then
    PG_DIR="$dir"
    return 0
  fi
  rmdir "$dir" 2>/dev/null || true # the empty dir we could not use
  local hash
  hash="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
  dir="/var/tmp/mall-pg-$hash"
  log "$PG_OS_USER cannot use $DATA_ROOT/pg (parent dir not traversable or path too long);"
  log "using $dir for the PostgreSQL data instead"
  _pg_claim_dir "$dir" || die "cannot prepare PostgreSQL data dir $dir for user $PG_OS_USER"
  PG_DIR="$dir"
}

# Make $1 exist, belong to the pg user and be writable by it.
_pg_claim_dir() {
  local dir="$1"
  mkdir -p "$dir" || return 1
  if ((EUID == 0)); then
    # Only an empty or our own dir gets chowned; never take over something else.
    if [[ -f "$dir/PG_VERSION" && "$(stat -c %U "$dir")" != "$PG_OS_USER" ]]; then
      die "$dir is an existing cluster owned by $(stat -c %U "$dir"), not $PG_OS_USER"
    fi
    chown "$PG_OS_USER:" "$dir"
  fi
  chmod 0700 "$dir"
  pg_as test -w "$dir" -a -x "$dir"
}

# Settings rewritten on every start, pulled in by postgresql.conf's include.
_pg_write_conf() {
  local port="$1" sockdir="${PG_DIR//\'/\'\'}"
  cat >"$PG_DIR/mall.conf" <<EOF
# Written by scripts/lib.sh on each start; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
max_connections = 300
# Durable commits: the benchmarks compare against these defaults.
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
  ((EUID == 0)) && chown "$PG_OS_USER:" "$PG_DIR/mall.conf"
  return 0
}

_pg_running() {
  [[ -f "$PG_DIR/postmaster.pid" ]] &&
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1
}

_psql_admin() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres "${@:2}"
}

# One lock serialises pg_start/pg_stop across scripts running at once.
_PG_LOCK_FD=""
_pg_lock() {
  mkdir -p "$DATA_ROOT"
  exec {_PG_LOCK_FD}>"$DATA_ROOT/pg.lock"
  flock -w 90 "$_PG_LOCK_FD" || die "timed out waiting for $DATA_ROOT/pg.lock"
}
_pg_unlock() {
  [[ -n "$_PG_LOCK_FD" ]] && exec {_PG_LOCK_FD}>&-
  _PG_LOCK_FD=""
}

# Scripts using the server (their $$), one per line in .data/pg.users, so the
# last one out stops it rather than the first. .data/pg.owner says who
# started it: "script" (stop when no user is left) or "manual" (a direct
# `scripts/lib.sh pg_start`: keep running until `pg_stop --force`).
_pg_live_users() {
  local pid
  [[ -f "$DATA_ROOT/pg.users" ]] || return 0
  while read -r pid; do
    if [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" && -d "/proc/$pid" ]]; then
      echo "$pid"
    fi
  done <"$DATA_ROOT/pg.users" | sort -u
}
_pg_set_users() {
  printf '%s\n' "$@" | sed '/^$/d' >"$DATA_ROOT/pg.users.tmp"
  mv "$DATA_ROOT/pg.users.tmp" "$DATA_ROOT/pg.users"
}

# Start (or reuse) the local PostgreSQL and export MALL_DATABASE_URL.
# Does nothing if MALL_DATABASE_URL is already set.
pg_start() {
  if [[ -n "${MALL_DATABASE_URL:-}" ]]; then
    log "MALL_DATABASE_URL is set; using that database, not starting a local one"
    return 0
  fi
  PG_BIN="$(pg_bin_dir)" || die "PostgreSQL not installed (run ensure_packages)"
  _pg_ensure_os_user
  # Two scripts starting at once (say, two `scripts/test` runs) must not both
  # initdb or start; the second waits here and then reuses the first's server.
  _pg_lock
  _pg_prepare_dir

  if [[ ! -f "$PG_DIR/PG_VERSION" ]]; then
    log "initdb $PG_DIR"
    # initdb wants an empty dir.
    find "$PG_DIR" -mindepth 1 -delete
    quiet pg_as "$PG_BIN/initdb" -D "$PG_DIR" -U postgres -A trust \
      --encoding=UTF8 --locale=C || die "initdb failed"
    # Later lines win, so mall.conf overrides the generated defaults.
    printf "\ninclude_if_exists = 'mall.conf'\n" >>"$PG_DIR/postgresql.conf"
  fi

  local port
  if _pg_running; then
    # Line 4 of postmaster.pid is the port the running server listens on.
    port="$(sed -n 4p "$PG_DIR/postmaster.pid")"
    log "reusing PostgreSQL already running on 127.0.0.1:$port ($PG_DIR)"
  else
    port="$(free_port "$PG_FIRST_PORT")"
    _pg_write_conf "$port"
    log "starting PostgreSQL on 127.0.0.1:$port ($PG_DIR)"
    # The server must not inherit the lock's fd, or it would hold the lock
    # for as long as it runs.
    if ! quiet pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 30 start {_PG_LOCK_FD}>&-; then
      tail -n 30 "$PG_DIR/server.log" >&2 || true
      die "PostgreSQL did not start"
    fi
    _MALL_PG_STARTED=1
  fi

  local i
  for ((i = 0; i < 60; i++)); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" ||
    die "PostgreSQL on port $port not ready after 30 s (see $PG_DIR/server.log)"

  if [[ "$(_psql_admin "$port" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'mall'")" != 1 ]]; then
    _psql_admin "$port" -c "CREATE ROLE mall LOGIN CREATEDB PASSWORD 'mall'"
  fi
  # DROP DATABASE ... WITH (FORCE), as the tests and benches clean up, must be
  # able to end an autovacuum worker that happens to be in that database.
  _psql_admin "$port" -c "GRANT pg_signal_backend TO mall" 2>/dev/null
  if [[ "$(_psql_admin "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'mall'")" != 1 ]]; then
    _psql_admin "$port" -c "CREATE DATABASE mall OWNER mall"
  fi

  MALL_DATABASE_URL="postgres://mall:mall@127.0.0.1:$port/mall?sslmode=disable"
  export MALL_DATABASE_URL
  printf '# Written by scripts/lib.sh pg_start; valid while that server runs.\nMALL_DATABASE_URL=%s\n' \
    "$MALL_DATABASE_URL" >"$DATA_ROOT/pg.env"
  if ((_MALL_PG_DIRECT)); then
    echo manual >"$DATA_ROOT/pg.owner"
  else
    ((_MALL_PG_STARTED)) && echo script >"$DATA_ROOT/pg.owner"
    # shellcheck disable=SC2046 # one pid per word
    _pg_set_users $$ $(_pg_live_users)
  fi
  _pg_unlock
  log "MALL_DATABASE_URL=$MALL_DATABASE_URL"
}

# Leave the local PostgreSQL if this script's pg_start did not use it, if
# another script still uses it, or if it was started by hand; otherwise stop
# it. `pg_stop --force` stops it regardless.
pg_stop() {
  local force=0
  [[ "${1:-}" == "--force" ]] && force=1
  if ((!force)) && [[ -z "$PG_DIR" ]]; then
    return 0 # pg_start was not called, or MALL_DATABASE_URL was given
  fi
  if [[ -z "$PG_DIR" ]]; then
    PG_BIN="$(pg_bin_dir)" || return 0
    _pg_ensure_os_user
    _pg_prepare_dir
  fi
  _pg_lock
  local others
  others="$(_pg_live_users | tr '\n' ' ')"
  # shellcheck disable=SC2086 # one pid per word
  _pg_set_users $others
  if ((!force)); then
    if [[ -n "$others" ]]; then
      log "leaving PostgreSQL running: still used by pid ${others% }"
      _pg_unlock
      return 0
    fi
    if [[ "$(cat "$DATA_ROOT/pg.owner" 2>/dev/null)" != script ]]; then
      log "leaving PostgreSQL running (started by hand; scripts/lib.sh pg_stop --force stops it)"
      _pg_unlock
      return 0
    fi
  fi
  if _pg_running; then
    log "stopping PostgreSQL ($PG_DIR)"
    quiet pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w -t 60 stop ||
      warn "pg_ctl stop failed; see $PG_DIR/server.log"
  fi
  rm -f "$DATA_ROOT/pg.owner" "$DATA_ROOT/pg.users"
  _MALL_PG_STARTED=0
  _pg_unlock
}

# ---------------------------------------------------------------------------
# Builds. Build output goes to stderr; the binary path is set in BIN and
# printed on stdout, so both `build_release` and `BIN=$(build_release)` work.

# MALL_RELEASE_BIN=/path/to/mall skips the release build and uses that binary.
build_release() {
  if [[ -n "${MALL_RELEASE_BIN:-}" ]]; then
    BIN="$MALL_RELEASE_BIN"
    [[ -x "$BIN" ]] || die "MALL_RELEASE_BIN=$BIN is not executable"
    log "using prebuilt $BIN"
    echo "$BIN"
    return 0
  fi
  log "swift build -c release --product mall"
  # `return`, not `die`: scripts/bench carries on with its baselines.
  (cd "$ROOT" && swift build -c release --product mall) >&2 || {
    warn "release build failed"
    return 1
  }
  BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/mall"
  [[ -x "$BIN" ]] || { warn "release build did not produce $BIN"; return 1; }
  echo "$BIN"
}

build_debug() {
  log "swift build --build-tests"
  (cd "$ROOT" && swift build --build-tests) >&2 || {
    warn "debug build failed"
    return 1
  }
  BIN="$(cd "$ROOT" && swift build --show-bin-path)/mall"
  [[ -x "$BIN" ]] || { warn "debug build did not produce $BIN"; return 1; }
  echo "$BIN"
}

# ---------------------------------------------------------------------------
# Python tools (scripts/fuzz-http, the presigned-upload test)

# Schemathesis, pinned so a CI run today and next month fuzz the same way.
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
FUZZ_VENV="$DATA_ROOT/fuzz-venv"

# python3 and its venv module, installed with apt-get when missing (a fresh
# Debian or Ubuntu machine has neither).
ensure_python3() {
  local missing=()
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
  fi
  if ((${#missing[@]} > 0)); then
    log "installing missing packages: ${missing[*]}"
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: ${missing[*]}"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    quiet "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    quiet "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}" || die "apt-get install ${missing[*]} failed"
  fi
}

# A venv under .data/ holding Schemathesis; created once, reused while the
# pinned version matches.
ensure_fuzz_venv() {
  ensure_python3
  if [[ -x "$FUZZ_VENV/bin/schemathesis" ]] &&
    [[ "$("$FUZZ_VENV/bin/schemathesis" --version 2>/dev/null)" == *" $SCHEMATHESIS_VERSION" ]]; then
    return 0
  fi
  log "creating $FUZZ_VENV with schemathesis $SCHEMATHESIS_VERSION"
  rm -rf "$FUZZ_VENV"
  mkdir -p "$DATA_ROOT"
  quiet python3 -m venv "$FUZZ_VENV" || die "python3 -m venv $FUZZ_VENV failed"
  quiet "$FUZZ_VENV/bin/pip" install --disable-pip-version-check -q "schemathesis==$SCHEMATHESIS_VERSION" ||
    die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
}

# moto's S3 server, pinned: the presigned-upload test (NetTests MotoS3Tests)
# uploads to it on loopback. Its own venv, so Schemathesis and moto never
# fight over a dependency's version.
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
MOTO_VENV="$DATA_ROOT/moto-venv"

# A venv under .data/ holding moto[server]; created once, reused while the
# pinned version matches. Exports MALL_MOTO_SERVER for the tests.
ensure_moto_venv() {
  ensure_python3
  if [[ ! -x "$MOTO_VENV/bin/moto_server" ]] ||
    [[ "$("$MOTO_VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "$MOTO_VERSION" ]]; then
    log "creating $MOTO_VENV with moto[server] $MOTO_VERSION"
    rm -rf "$MOTO_VENV"
    mkdir -p "$DATA_ROOT"
    quiet python3 -m venv "$MOTO_VENV" || die "python3 -m venv $MOTO_VENV failed"
    quiet "$MOTO_VENV/bin/pip" install --disable-pip-version-check -q "moto[server]==$MOTO_VERSION" ||
      die "pip install moto[server]==$MOTO_VERSION failed"
  fi
  MALL_MOTO_SERVER="$MOTO_VENV/bin/moto_server"
  export MALL_MOTO_SERVER
}

# ---------------------------------------------------------------------------
# Run as a script: call one helper, e.g. `scripts/lib.sh pg_start`.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  case "${1:-}" in
    ensure_packages | ensure_fuzz_venv | ensure_moto_venv | pg_start | pg_stop | build_release | build_debug | free_port)
      _MALL_PG_DIRECT=1
      "$@"
      ;;
    *)
      echo "usage: $0 {ensure_packages [--bench]|ensure_fuzz_venv|ensure_moto_venv|pg_start|pg_stop --force|build_release|build_debug|free_port N}" >&2
      exit 2
      ;;
  esac
fi
