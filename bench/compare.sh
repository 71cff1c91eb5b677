#!/usr/bin/env bash
# mfa against curl, one send of a voice code, on this machine, in one run.
#
# Starts nginx (Debian's) on 127.0.0.1, over HTTP and over HTTPS with a test CA made here
# with openssl, answering the voice path with a fixed call id (and 401 to any other
# credentials). Then times `mfa voice` against `curl` making the same POST with the same
# headers and body: hyperfine, in rounds that take the commands in turn (the order
# reversed every other round), so a slow moment of the machine falls on both. Reports the
# median wall time of each and their ratio, the peak resident memory of each
# (/usr/bin/time -v), the release binary's size, and start-up times of `mfa --help` and of
# a dry run; then checks the targets the README's Performance section states. It also
# times `mfa status` of one call against curl making the same GET of the call's state.
# Bandwidth's own Python SDK (bandwidth-sdk from PyPI, in a venv under target/) makes the same send for a third column, with fewer
# runs as each takes most of a second. Installs what it needs (apt-get, pip) and stops
# what it started.
#
# usage: bench/compare.sh   (ROUNDS=10 RUNS=30 MEM_RUNS=20 SDK_RUNS=3 by default; SDK=0
#                            leaves the SDK out; KEEP=1 keeps the work folder with nginx's
#                            log and hyperfine's JSON; MFA=path measures that binary)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-10}
RUNS=${RUNS:-30}
MEM_RUNS=${MEM_RUNS:-20}
SDK=${SDK:-1}
SDK_RUNS=${SDK_RUNS:-3}

# ---- What it needs ----
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
command -v python3 >/dev/null || missing+=(python3)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q "${missing[@]}" >/dev/null ||
    { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# Bandwidth's Python SDK, in the venv tools/check-release.sh uses too.
VENV=$PWD/target/bandwidth-sdk-venv
if [ "$SDK" = 1 ] && [ ! -x "$VENV/bin/python" ]; then
  echo "installing bandwidth-sdk into $VENV" >&2
  { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet bandwidth-sdk >/dev/null; } ||
    { echo "could not install bandwidth-sdk; the SDK column is left out" >&2; SDK=0; }
fi

# The release's own binary, as tools/dist.sh builds it for Linux: static, with musl,
# by zig (cargo-zigbuild, from PyPI into the venv dist.sh uses). MFA=path measures
# another build (target/release/mfa: the dynamic one `cargo build` makes).
if [ -z "${MFA:-}" ]; then
  TOOLS=$PWD/target/dist-tools
  if [ ! -x "$TOOLS/bin/cargo-zigbuild" ]; then
    echo "installing cargo-zigbuild (and zig) into $TOOLS" >&2
    python3 -m venv "$TOOLS" && "$TOOLS/bin/pip" install --quiet cargo-zigbuild
  fi
  STATIC=$(rustc -vV | sed -n 's/^host: //p' | sed 's/-linux-gnu$/-linux-musl/')
  rustup target list --installed | grep -qx "$STATIC" || rustup target add "$STATIC" >/dev/null
  PATH=$TOOLS/bin:$PATH cargo zigbuild --release --locked --quiet --target "$STATIC"
  MFA=$PWD/target/$STATIC/release/mfa
fi
CURL=$(command -v curl)

WORK=$(mktemp -d)
chmod 755 "$WORK"
NGINX_PID=
stop() {
  [ -z "$NGINX_PID" ] || { kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null || true; }
  if [ -n "${KEEP:-}" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap stop EXIT
# shellcheck source=tools/common.sh
. tools/common.sh

# ---- A test CA and a certificate for 127.0.0.1 (RSA 2048, as most public sites use) ----
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mfa bench CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$WORK/server.key" -out "$WORK/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$WORK/ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 2 -extfile "$WORK/ext" -out "$WORK/server.pem" 2>/dev/null

# ---- nginx: the voice path answers a fixed call id to the right credentials ----
ACCOUNT=9900000
USERNAME=api-user
PASSWORD=bench-Pw-7q2x
CALL_ID=c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85
VOICE_PATH=/v1/accounts/$ACCOUNT/code/voice
BASIC=$(printf '%s:%s' "$USERNAME" "$PASSWORD" | base64)
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 64; }
http {
  log_format bench '\$request_method \$request_uri \$status len=\$request_length body=\$content_length '
                   'type="\$content_type" accept="\$http_accept" agent="\$http_user_agent" '
                   'user=\$remote_user tls=\$ssl_protocol';
  access_log $WORK/nginx/logs/access.log bench;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$HTTP_PORT;
    listen 127.0.0.1:$HTTPS_PORT ssl;
    ssl_certificate $WORK/server.pem;
    ssl_certificate_key $WORK/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location = $VOICE_PATH {
      limit_except POST { deny all; }
      if (\$http_authorization != "Basic $BASIC") { return 401; }
      default_type application/json;
      return 200 '{"callId":"$CALL_ID"}';
    }
    location = /voice/accounts/$ACCOUNT/calls/$CALL_ID {
      limit_except GET { deny all; }
      if (\$http_authorization != "Basic $BASIC") { return 401; }
      default_type application/json;
      return 200 '{"callId":"$CALL_ID","state":"disconnected","startTime":"2026-12-06T10:00:00.000Z","answerTime":"2026-12-06T10:00:12.000Z","endTime":"2026-12-06T10:00:40.000Z","disconnectCause":"hangup"}';
    }
    location / { return 404; }
  }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$HTTPS_PORT))" 2>/dev/null && break
  sleep 0.1
done
kill -0 "$NGINX_PID" 2>/dev/null || { echo "nginx did not start:" >&2; cat "$WORK/nginx/logs/error.log" >&2; exit 1; }

# ---- The same POST, by mfa and by curl ----
TO=+15553334444
FROM=+15554443333
APP=93de2206-9669-4e07-948d-329f4b722ee2
BODY="{\"to\":\"$TO\",\"from\":\"$FROM\",\"applicationId\":\"$APP\",\"message\":\"Your temporary {NAME} {SCOPE} code is {CODE}\",\"digits\":6}"
AGENT="mfa/$("$MFA" --version | cut -d' ' -f2)"
printf '%s' "$BODY" >"$WORK/body.json"
HOME_DIR=$WORK/home
mkdir -p "$HOME_DIR"
# Both run with the same small environment and an empty HOME (no ~/.curlrc, no mfa config).
# (MFA_VOICE_URL: where `mfa status` asks; no send reads it. The guard's limit on codes
# to one number is off: the runs measure sends, hundreds to one number.)
RUN=(env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin BW_PASSWORD="$PASSWORD"
  MFA_VOICE_URL="https://127.0.0.1:$HTTPS_PORT/voice" MFA_MAX_CODES_PER_NUMBER=off)
mfa_send() { # BASE [more args]
  local base=$1; shift
  echo "$MFA voice --to $TO --from $FROM --application-id $APP --account-id $ACCOUNT --username $USERNAME --base-url $base $*"
}
curl_send() { # BASE [more args]
  local base=$1; shift
  echo "$CURL -q -sS -f -u $USERNAME:$PASSWORD -H 'Accept: application/json' -H 'Content-Type: application/json' -A $AGENT --data-binary @$WORK/body.json $* $base/accounts/$ACCOUNT/code/voice"
}
MFA_HTTP=$(mfa_send "http://127.0.0.1:$HTTP_PORT/v1")
CURL_HTTP=$(curl_send "http://127.0.0.1:$HTTP_PORT/v1")
MFA_HTTPS=$(mfa_send "https://127.0.0.1:$HTTPS_PORT/v1" --ca-file "$WORK/ca.pem")
CURL_HTTPS=$(curl_send "https://127.0.0.1:$HTTPS_PORT/v1" --cacert "$WORK/ca.pem")
SDK_HTTP="$VENV/bin/python $PWD/bench/sdk_send.py http://127.0.0.1:$HTTP_PORT/v1 $ACCOUNT $USERNAME $WORK/ca.pem $TO $FROM $APP"
SDK_HTTPS="$VENV/bin/python $PWD/bench/sdk_send.py https://127.0.0.1:$HTTPS_PORT/v1 $ACCOUNT $USERNAME $WORK/ca.pem $TO $FROM $APP"
# The call's state, asked by mfa status and by curl's same GET.
MFA_STATUS="$MFA status --account-id $ACCOUNT --username $USERNAME --ca-file $WORK/ca.pem $CALL_ID"
CURL_STATUS="$CURL -q -sS -f -u $USERNAME:$PASSWORD -H 'Accept: application/json' -A $AGENT --cacert $WORK/ca.pem https://127.0.0.1:$HTTPS_PORT/voice/accounts/$ACCOUNT/calls/$CALL_ID"
MFA_HELP="$MFA --help"
MFA_DRY=$(mfa_send "https://127.0.0.1:$HTTPS_PORT/v1" --dry-run)

# One send each first: curl's body is byte for byte the one mfa's dry run shows; mfa
# prints the call id, curl the answer, and nginx logs the same request line, headers and
# body length for both (else the comparison is not fair).
[ "$(eval "${RUN[*]} $MFA_DRY" | tail -n 1)" = "$BODY" ] || { echo "curl's body is not mfa's" >&2; exit 1; }
[ "$(eval "${RUN[*]} $MFA_HTTPS")" = "$CALL_ID" ] || { echo "mfa did not print the call id" >&2; exit 1; }
[ "$(eval "${RUN[*]} $CURL_HTTPS")" = "{\"callId\":\"$CALL_ID\"}" ] || { echo "curl did not get the answer" >&2; exit 1; }
mapfile -t first <"$WORK/nginx/logs/access.log"
if [ ${#first[@]} != 2 ] || [ "${first[0]}" != "${first[1]}" ] || [[ "${first[0]}" != *" 200 "* ]]; then
  echo "mfa and curl did not make the same request:" >&2; printf '  %s\n' "${first[@]}" >&2; exit 1
fi

[ "$(eval "${RUN[*]} $MFA_STATUS")" = "$CALL_ID  answered after 12 s" ] ||
  { echo "mfa status did not say the call was answered" >&2; exit 1; }
[[ "$(eval "${RUN[*]} $CURL_STATUS")" == *'"state":"disconnected"'* ]] ||
  { echo "curl did not get the call's state" >&2; exit 1; }
if [ "$SDK" = 1 ]; then
  [ "$(eval "${RUN[*]} $SDK_HTTPS")" = "$CALL_ID" ] || { echo "the SDK did not print the call id" >&2; exit 1; }
fi

# ---- Wall time: hyperfine, rounds taking the commands in turn ----
echo "timing: $ROUNDS rounds of $RUNS runs of each command" >&2
# time_round ROUND RUNS WARMUP NAME COMMAND [NAME COMMAND...]
time_round() {
  local round=$1 runs=$2 warmup=$3; shift 3
  local args=()
  while [ $# -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
  "${RUN[@]}" hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
    --export-json "$WORK/round-$round.json" "${args[@]}" >/dev/null 2>"$WORK/hyperfine.err" ||
    { cat "$WORK/hyperfine.err" >&2; exit 1; }
}
# /usr/bin/true: what starting any program costs here, the floor under every figure.
# --version: what each takes to start and stop, sending nothing.
fast=(mfa-http "$MFA_HTTP" curl-http "$CURL_HTTP" mfa-https "$MFA_HTTPS" curl-https "$CURL_HTTPS"
  mfa-version "$MFA --version" curl-version "$CURL --version"
  mfa-help "$MFA_HELP" mfa-dry-run "$MFA_DRY" mfa-status "$MFA_STATUS" curl-status "$CURL_STATUS"
  true /usr/bin/true)
reversed=(true /usr/bin/true curl-status "$CURL_STATUS" mfa-status "$MFA_STATUS"
  mfa-dry-run "$MFA_DRY" mfa-help "$MFA_HELP"
  curl-version "$CURL --version" mfa-version "$MFA --version"
  curl-https "$CURL_HTTPS" mfa-https "$MFA_HTTPS" curl-http "$CURL_HTTP" mfa-http "$MFA_HTTP")
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then time_round "$round" "$RUNS" 3 "${fast[@]}"
  else time_round "$round" "$RUNS" 3 "${reversed[@]}"; fi
  if [ "$SDK" = 1 ]; then time_round "sdk-$round" "$SDK_RUNS" 0 sdk-http "$SDK_HTTP" sdk-https "$SDK_HTTPS"; fi
done

# ---- Peak resident memory: /usr/bin/time -v, taking the commands in turn ----
echo "memory: $MEM_RUNS runs of each send" >&2
peak() { # NAME COMMAND
  eval "${RUN[*]} /usr/bin/time -v -o $WORK/time.out $2" >/dev/null
  printf '%s %s\n' "$1" "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.out")" >>"$WORK/rss"
}
for run in $(seq "$MEM_RUNS"); do
  peak mfa-http "$MFA_HTTP"; peak curl-http "$CURL_HTTP"
  peak mfa-https "$MFA_HTTPS"; peak curl-https "$CURL_HTTPS"
  peak mfa-version "$MFA --version"; peak curl-version "$CURL --version"
  peak mfa-help "$MFA_HELP"; peak mfa-dry-run "$MFA_DRY"; peak true /usr/bin/true
  peak mfa-status "$MFA_STATUS"; peak curl-status "$CURL_STATUS"
  if [ "$SDK" = 1 ] && [ "$run" -le "$SDK_RUNS" ]; then peak sdk-http "$SDK_HTTP"; peak sdk-https "$SDK_HTTPS"; fi
done

# Every request nginx saw was answered 200 (hyperfine also stops at a failed run).
not_ok=$(grep -vc ' 200 ' "$WORK/nginx/logs/access.log" || true)
[ "$not_ok" = 0 ] || { echo "$not_ok requests were not answered 200" >&2; exit 1; }

# ---- The report ----
size() { stat -c %s "$1"; }
libs_size() { ldd "$1" | awk '$3 ~ /^\// {print $3}' | xargs -r stat -L -c %s | awk '{s+=$1} END {print s+0}'; }
python3 - "$WORK" "$(size "$MFA")" "$(libs_size "$MFA")" "$(size "$CURL")" "$(libs_size "$CURL")" \
  "$(grep -c '' "$WORK/nginx/logs/access.log")" <<'PY'
import glob, json, statistics, sys
work, mfa_size, mfa_libs, curl_size, curl_libs, requests = sys.argv[1], *map(int, sys.argv[2:])
seen = {}
for line in open(f"{work}/nginx/logs/access.log"):
    protocol = line.rsplit("tls=", 1)[1].strip().replace("-", "plain HTTP")
    seen[protocol] = seen.get(protocol, 0) + 1
protocols = ", ".join(f"{count} over {protocol}" for protocol, count in sorted(seen.items()))
times = {}
for path in glob.glob(f"{work}/round-*.json"):
    for result in json.load(open(path))["results"]:
        times.setdefault(result["command"], []).extend(result["times"])
rss = {}
for line in open(f"{work}/rss"):
    name, kib = line.split()
    rss.setdefault(name, []).append(int(kib))
ms = lambda name: statistics.median(times[name]) * 1000
mib = lambda kib: kib / 1024
peak = lambda name: max(rss[name])
sdk = "sdk-http" in times
sdk_ms = lambda scheme: f"{ms(f'sdk-{scheme}'):.0f} ms" if sdk else "not measured"
sdk_mib = lambda scheme: f"{mib(peak(f'sdk-{scheme}')):.1f} MiB" if sdk else "not measured"

print("| one voice send to nginx on 127.0.0.1 | mfa | curl | mfa / curl | target | Bandwidth's Python SDK |")
print("|---|---:|---:|---:|---|---:|")
checks = []
for label, scheme, target in (("HTTP", "http", 0.2), ("HTTPS (TLS 1.3, test CA)", "https", 0.25)):
    m, c = ms(f"mfa-{scheme}"), ms(f"curl-{scheme}")
    checks.append((f"{label}: time <= {target} x curl's", m / c <= target))
    print(f"| {label}: median wall time | {m:.2f} ms | {c:.2f} ms | {m / c:.2f} | <= {target} | {sdk_ms(scheme)} |")
for label, scheme in (("HTTP", "http"), ("HTTPS", "https")):
    m, c = peak(f"mfa-{scheme}"), peak(f"curl-{scheme}")
    checks.append((f"{label}: peak memory <= 3 MiB", m <= 3 * 1024))
    print(f"| {label}: peak resident memory | {mib(m):.1f} MiB | {mib(c):.1f} MiB | {m / c:.2f} | <= 3 MiB | {sdk_mib(scheme)} |")
m, c = ms("mfa-status"), ms("curl-status")
print(f"| `mfa status` of one call (HTTPS GET): median wall time | {m:.2f} ms | {c:.2f} ms | {m / c:.2f} | | |")
m, c = peak("mfa-status"), peak("curl-status")
print(f"| `mfa status`: peak resident memory | {mib(m):.1f} MiB | {mib(c):.1f} MiB | {m / c:.2f} | | |")
m, c = ms("mfa-version"), ms("curl-version")
print(f"| `--version` (start and stop, nothing sent): median wall time | {m:.2f} ms | {c:.2f} ms | {m / c:.2f} | | |")
m, c = peak("mfa-version"), peak("curl-version")
print(f"| `--version`: peak resident memory | {mib(m):.1f} MiB | {mib(c):.1f} MiB | {m / c:.2f} | | |")
checks.append(("binary <= 3 MiB", mfa_size <= 3 * 1024 * 1024))
print(f"| size: program + shared libraries | {mfa_size / 2**20:.1f} + {mfa_libs / 2**20:.1f} MiB "
      f"| {curl_size / 2**20:.1f} + {curl_libs / 2**20:.1f} MiB | | mfa <= 3 MiB | |")
print(f"| `mfa --help`: median wall time, peak memory | {ms('mfa-help'):.2f} ms, {mib(peak('mfa-help')):.1f} MiB | | | | |")
print(f"| `mfa voice --dry-run`: median wall time, peak memory | {ms('mfa-dry-run'):.2f} ms, {mib(peak('mfa-dry-run')):.1f} MiB | | | | |")
print(f"| starting any program (`/usr/bin/true`): median, peak | {ms('true'):.2f} ms, {mib(peak('true')):.1f} MiB | | | | |")
print()
print(f"{len(times['mfa-http'])} timed runs of each mfa and curl command"
      + (f", {len(times['sdk-http'])} of each SDK send" if sdk else "")
      + f"; peak memory is the highest of {len(rss['mfa-http'])} runs"
      + (f" ({len(rss['sdk-http'])} for the SDK)" if sdk else "")
      + f"; nginx answered all {requests} requests with 200 ({protocols}).")
for name, ok in checks:
    print(f"  {'met    ' if ok else 'NOT MET'}  {name}")
PY
echo
echo "$(uname -srm), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "mfa $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo '+changes'), rustc $(rustc --version | cut -d' ' -f2); $("$CURL" --version | head -1 | cut -d' ' -f1-4); $("$NGINX" -v 2>&1 | cut -d' ' -f3); hyperfine $(hyperfine --version | cut -d' ' -f2)$([ "$SDK" = 1 ] && echo "; bandwidth-sdk $("$VENV/bin/pip" show bandwidth-sdk | sed -n 's/^Version: //p') on Python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())')")"
