#!/usr/bin/env bash
# Checks the GitHub Action's install script (tools/install-action.sh, run by action.yml)
# as a runner would run it, against the release folder tools/dist.sh made (target/dist),
# served from 127.0.0.1: it installs the right file for Linux x86_64 and says where; it
# refuses a file whose checksum does not match, and a runner it has no release for.
#
# usage: tools/check-action.sh   (after tools/dist.sh; needs python3 and curl)
set -uo pipefail
cd "$(dirname "$0")/.."

DIST=$PWD/target/dist
ls "$DIST"/mfa-*-x86_64-unknown-linux-musl.tar.gz >/dev/null 2>&1 ||
  { echo "no x86_64 Linux tarball in $DIST: run tools/dist.sh first" >&2; exit 1; }
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
WORK=$(mktemp -d)
failures=0
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# serve FOLDER: an HTTP server for FOLDER on a free port of 127.0.0.1; prints the port.
serve() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" >/dev/null 2>&1 &
  SERVERS+=($!)
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null && break
    sleep 0.1
  done
  echo "$port"
}
SERVERS=()
trap 'kill "${SERVERS[@]}" 2>/dev/null; rm -rf "$WORK"' EXIT

# install NAME PORT ARCH: the install step as a Linux runner of ARCH runs it.
install() {
  local name=$1 port=$2 arch=$3
  mkdir -p "$WORK/$name/temp"
  : >"$WORK/$name/path"
  : >"$WORK/$name/output"
  env -i PATH=/usr/bin:/bin RUNNER_OS=Linux RUNNER_ARCH="$arch" RUNNER_TEMP="$WORK/$name/temp" \
    GITHUB_PATH="$WORK/$name/path" GITHUB_OUTPUT="$WORK/$name/output" \
    MFA_RELEASE_URL="http://127.0.0.1:$port" MFA_ACTION_PATH="$PWD" \
    bash tools/install-action.sh >"$WORK/$name/out" 2>&1
}

port=$(serve "$DIST")
if install good "$port" X64; then
  binary=$(sed -n 's/^path=//p' "$WORK/good/output")
  folder=$(cat "$WORK/good/path")
  if [ "$("$folder/mfa" --version)" = "mfa $VERSION" ] && [ "$binary" = "$folder/mfa" ] &&
    grep -qx "version=$VERSION" "$WORK/good/output"; then
    pass "the action installs mfa $VERSION for Linux x86_64 and puts it on PATH"
  else
    fail "the action's outputs: $(cat "$WORK/good/output" "$WORK/good/path")"
  fi
else
  fail "the action's install: $(tail -3 "$WORK/good/out")"
fi

# A release whose tarball was changed after its checksum was made.
cp -r "$DIST" "$WORK/tampered"
tarball=$(ls "$WORK"/tampered/mfa-*-x86_64-unknown-linux-musl.tar.gz)
printf 'x' >>"$tarball"
port=$(serve "$WORK/tampered")
if install tampered "$port" X64; then
  fail "the action installed a file whose checksum does not match"
elif grep -q "does not match its checksum in SHA256SUMS: not installed" "$WORK/tampered/out" &&
  [ ! -s "$WORK/tampered/path" ]; then
  pass "the action refuses a file whose checksum does not match, and installs nothing"
else
  fail "the action on a tampered file: $(tail -3 "$WORK/tampered/out")"
fi

if ! install other "$port" ARM && grep -q "mfa has no release for Linux on ARM" "$WORK/other/out"; then
  pass "the action says when it has no release for the runner"
else
  fail "the action on an unknown runner: $(tail -3 "$WORK/other/out")"
fi

[ "$failures" = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "every check passed"
