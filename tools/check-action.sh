#!/usr/bin/env bash
# Checks the GitHub Action's install script (tools/install-action.sh, run by action.yml)
# as a runner would run it, against the release folder tools/dist.sh made (target/dist),
# served from 127.0.0.1: it installs the right file for Linux x86_64 and says where; it
# refuses a file whose checksum does not match, a runner it has no release for, a
# version input that is not a release's (before any path is made from it), and a
# cleartext release URL that is not on loopback.
#
# usage: tools/check-action.sh   (after tools/dist.sh; needs python3 and curl)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

DIST=$PWD/target/dist
ls "$DIST"/mfa-*-x86_64-unknown-linux-musl.tar.gz >/dev/null 2>&1 ||
  { echo "no x86_64 Linux tarball in $DIST: run tools/dist.sh first" >&2; exit 1; }
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
WORK=$(mktemp -d)
# shellcheck source=tools/common.sh
. tools/common.sh

# serve FOLDER: an HTTP server for FOLDER on a free port of 127.0.0.1, its port in
# SERVED. Called in this shell (not in `$(...)`), so that the EXIT trap stops it.
serve() {
  local port
  port=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" >/dev/null 2>&1 &
  SERVERS+=($!)
  wait_for_port "$port"
  SERVED=$port
}
SERVERS=()
trap 'kill "${SERVERS[@]}" 2>/dev/null; rm -rf "$WORK"' EXIT

# install NAME PORT ARCH [VERSION [URL]]: the install step as a Linux runner of ARCH
# runs it, with the action's version input (none by default) and release URL (the
# server on PORT by default).
install() {
  local name=$1 port=$2 arch=$3 version=${4:-} url=${5:-http://127.0.0.1:$2}
  mkdir -p "$WORK/$name/temp"
  : >"$WORK/$name/path"
  : >"$WORK/$name/output"
  env -i PATH=/usr/bin:/bin RUNNER_OS=Linux RUNNER_ARCH="$arch" RUNNER_TEMP="$WORK/$name/temp" \
    GITHUB_PATH="$WORK/$name/path" GITHUB_OUTPUT="$WORK/$name/output" \
    MFA_VERSION="$version" MFA_RELEASE_URL="$url" MFA_ACTION_PATH="$PWD" \
    bash tools/install-action.sh >"$WORK/$name/out" 2>&1
}

serve "$DIST"
port=$SERVED
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
serve "$WORK/tampered"
port=$SERVED
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

# A version input crafted to make the install step empty a folder of the runner (its
# first run makes the path resolvable, its second removes what it leads to): a file
# beside the temporary folder must outlive two runs of each, and nothing is fetched.
for crafted in "x/../.." "x/../../.." "0.2.0/../.." "0.2.0 x" $'0.2.0\n::error::forged' "v"; do
  mkdir -p "$WORK/crafted/temp"
  : >"$WORK/crafted/sentinel"
  install crafted "$port" X64 "$crafted"
  if install crafted "$port" X64 "$crafted"; then
    fail "the action took the version input '$crafted'"
  elif [ -e "$WORK/crafted/sentinel" ] && grep -q "is not a release's version" "$WORK/crafted/out" &&
    ! grep -q "^::error::forged" "$WORK/crafted/out"; then
    pass "the action refuses the version input '${crafted//$'\n'/\\n}' before making a path of it"
  else
    fail "the action on version '$crafted': $(tail -3 "$WORK/crafted/out")"
  fi
done

# A release URL in clear text off this machine, or with odd parts, is refused; an
# https:// one would be fetched (none is reached here, so only the refusals run).
for url in "http://example.com/releases" "http://10.0.0.1:$port" "ftp://127.0.0.1/x" \
  "http://127.0.0.1.example.com/x" "https://user@example.com/x"; do
  if install cleartext "$port" X64 "" "$url"; then
    fail "the action took the release URL $url"
  elif grep -q "release-url input must be https://" "$WORK/cleartext/out"; then
    pass "the action refuses the release URL $url"
  else
    fail "the action on release URL $url: $(tail -3 "$WORK/cleartext/out")"
  fi
done
serve "$DIST"
good_port=$SERVED
if install missing "$good_port" X64 9.9.9; then
  fail "the action installed a version that has no release"
elif grep -q "^::error::no release 9.9.9 at http://127.0.0.1:$good_port: mfa-9.9.9-x86_64-unknown-linux-musl.tar.gz could not be downloaded (.*404.*); check the version input" "$WORK/missing/out"; then
  pass "the action says on an ::error:: line that a version has no release"
else
  fail "the action on a version with no release: $(tail -3 "$WORK/missing/out")"
fi
if install loopback "$good_port" X64 "v$VERSION" "http://localhost:$good_port/"; then
  pass "the action takes a loopback URL by name and a version written v$VERSION"
else
  fail "the action on localhost: $(tail -3 "$WORK/loopback/out")"
fi

[ "$failures" = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "every check passed"
