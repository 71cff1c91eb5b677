#!/usr/bin/env bash
# Runs the release binary as a new user would (fresh HOME, nothing inherited) against
# tools/standin.py, an independent stand-in for the API and its OAuth2 token endpoint
# that checks every request against Bandwidth's published schema. Checks exit
# statuses, that bad input sends nothing, that each call is made exactly once, how many
# tokens were asked for, and that no output holds the password, the client secret, an
# access token or the code being verified.
#
# The network as it really is: a second stand-in speaks HTTPS with a
# certificate from a private CA made here with openssl; tinyproxy (Debian's, installed
# if missing) is a real forward proxy with a password; retries against rate limits,
# hostile answers, completions and the man page, forty runs at once through the
# proxy over TLS. Then secrets where they belong: a server that echoes the request, a
# fragment in the base URL, a password_command in a file a neighbour can write, one that
# prints too much or leaves a child behind, SIGHUP and SIGQUIT, codes that are not ASCII
# digits, an id that is not UTF-8, the doctor's random number and its 429, a relative
# HOME. Last, every user's command block of the README, every example of every --help
# and every command of the README's commands table, run as written on a fresh HOME.
#
# usage: tools/check-release.sh   (needs cargo, python3 with pip, openssl, and tinyproxy
#                                  or apt-get to install it; listens on 127.0.0.1)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

cargo build --release --quiet || exit 1
MFA=$PWD/target/release/mfa
WORK=$(mktemp -d)
PASSWORD='pw-Zq8!x_s3cr3t-release'
CLIENT_ID=client-release-1
CLIENT_SECRET='cs-Vq3!k_s3cr3t-release'
# shellcheck source=tools/common.sh
. tools/common.sh
PORT=$(free_port)
python3 tools/standin.py "$PORT" api-user "$PASSWORD" "$WORK/requests.log" "$CLIENT_ID" "$CLIENT_SECRET" &
STANDIN=$!
STARTED=("$STANDIN")
trap 'kill "${STARTED[@]}" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
wait_for_port "$PORT"

failures=0
runs=0
requests() { [ -f "$WORK/requests.log" ] && wc -l < "$WORK/requests.log" || echo 0; }
tokens() { [ -f "$WORK/requests.log.tokens" ] && wc -l < "$WORK/requests.log.tokens" || echo 0; }

# check NAME EXPECTED_EXIT EXPECTED_REQUESTS -- ARGS...
#   (env from NEWUSER_ENV; stdin from STDIN_TEXT, empty unless set; HOME is a new one
#   for each check unless USER_HOME names one; WANT_TOKENS, if set, is how many token
#   requests the run must make)
check() {
  local name=$1 want=$2 want_requests=$3; shift 4
  local before after code tokens_before home=${USER_HOME:-$WORK/home-$name}
  before=$(requests)
  tokens_before=$(tokens)
  mkdir -p "$home"
  printf '%s' "${STDIN_TEXT:-}" >"$WORK/$name.in"
  # A run that hangs is stopped after 60 s, and fails with 124.
  env -i HOME="$home" PATH=/usr/bin:/bin "${READS_ENV[@]}" "${NEWUSER_ENV[@]}" timeout 60 "$MFA" "$@" \
    <"$WORK/$name.in" >"$WORK/$name.out" 2>"$WORK/$name.err"
  code=$?
  after=$(requests)
  runs=$((runs + 1))
  local sent=$((after - before)) asked=$(($(tokens) - tokens_before)) verdict=ok
  if [ "$code" != "$want" ] || [ "$sent" != "$want_requests" ]; then verdict=FAIL; fi
  if [ -n "${WANT_TOKENS:-}" ] && [ "$asked" != "$WANT_TOKENS" ]; then verdict=FAIL; fi
  [ "$verdict" = FAIL ] && failures=$((failures + 1))
  printf '%-4s %-22s exit %s (want %s), requests %s (want %s), token requests %s%s\n' "$verdict" "$name" \
    "$code" "$want" "$sent" "$want_requests" "$asked" "${WANT_TOKENS:+ (want $WANT_TOKENS)}"
  printf '     stdout: %s\n     stderr: %s\n' "$(head -c 300 "$WORK/$name.out")" "$(head -c 300 "$WORK/$name.err")"
}

# expect NAME CONDITION...: a check of a file or an output, counted like a run's.
expect() {
  local name=$1; shift
  if "$@"; then printf 'ok   %s\n' "$name"; else printf 'FAIL %s\n' "$name"; failures=$((failures + 1)); fi
}

# The stand-in answers as the account id asks (the table in tools/standin.py).
declare -A ID=(
  [ok]=9900000 [upper]=9900001 [e401]=9900401 [e403]=9900403 [e429]=9900429
  [e500]=9900500 [e502]=9900502 [notjson]=9900200 [redirect]=9900302 [slow]=9900408
  [huge]=9900413 [ctrl]=9900027 [oddvalid]=9900011 [endless]=9900012 [newline]=9900010
  [bidi]=9900013 [nokey]=9900014 [hour]=9900015 [bigerror]=9900016 [echo]=9900017
  [badutf8]=9900018
  [busy-1]=9910001 [busy-2]=9910002 [busy-3]=9910003 [busy-4]=9910004
)

BASE="http://127.0.0.1:$PORT/api/v1"
# What `mfa status`, `--wait` and the doctor read goes to the stand-in too: no run
# leaves the machine. The runs measure sends, many to one number from one HOME: the
# guard's limit on codes to a number is off, but where the guard itself is checked.
READS_ENV=(MFA_VOICE_URL="http://127.0.0.1:$PORT/voice" MFA_MESSAGING_URL="http://127.0.0.1:$PORT/messaging"
  MFA_DASHBOARD_URL="http://127.0.0.1:$PORT/dashboard" MFA_MAX_CODES_PER_NUMBER=off)
SEND=(voice --to +15553334444 --from +15554443333 --application-id 93de2206-9669-4e07-948d-329f4b722ee2 --username api-user --base-url "$BASE")
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

check send-text        0 1 -- "${SEND[@]}" --account-id "${ID[ok]}"
check send-json        0 1 -- "${SEND[@]}" --account-id "${ID[ok]}" --json
check send-scope       0 1 -- "${SEND[@]}" --account-id "${ID[ok]}" --scope login --digits 2 --message "{CODE}"
check send-upper       0 1 -- "${SEND[@]}" --account-id "${ID[upper]}"
check send-verbose     0 1 -- "${SEND[@]}" --account-id "${ID[ok]}" -v
check e401             4 1 -- "${SEND[@]}" --account-id "${ID[e401]}"
check e403             4 1 -- "${SEND[@]}" --account-id "${ID[e403]}"
check e429             6 1 -- "${SEND[@]}" --account-id "${ID[e429]}"
check e500             7 1 -- "${SEND[@]}" --account-id "${ID[e500]}"
check e502-html        7 1 -- "${SEND[@]}" --account-id "${ID[e502]}"
check notjson          9 1 -- "${SEND[@]}" --account-id "${ID[notjson]}"
check redirect         9 1 -- "${SEND[@]}" --account-id "${ID[redirect]}"
check huge-body        9 1 -- "${SEND[@]}" --account-id "${ID[huge]}"
check control-chars    9 1 -- "${SEND[@]}" --account-id "${ID[ctrl]}"
check slow-timeout     8 1 -- "${SEND[@]}" --account-id "${ID[slow]}" --timeout 1
check json-error       6 1 -- "${SEND[@]}" --account-id "${ID[e429]}" --json
check dry-run          0 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --dry-run
check dry-run-json     0 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --dry-run --json
check bad-to           2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --to 5553334444
check bad-to-newline   2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --to $'+15553334444\n'
check bad-digits-1     2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --digits 1
check bad-digits-9     2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --digits 9
check bad-message      2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --message "no code"
check bad-scope        2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --scope abcdefghijklmnopqrstuvwxyz
check bad-app-id       2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --application-id "$(printf 'a%.0s' $(seq 51))"
check bad-base-url     2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --base-url http://example.com/api/v1
check unknown-flag     2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --frm +15554443333
check missing-config   3 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --config /nonexistent/mfa.toml
check missing-profile  3 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --profile nope
NEWUSER_ENV=(MFA_TIMEOUT=1)
check no-password      3 0 -- "${SEND[@]}" --account-id "${ID[ok]}"
NEWUSER_ENV=(BW_PASSWORD="wrong-$PASSWORD")
check wrong-password   4 1 -- "${SEND[@]}" --account-id "${ID[ok]}"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_NUMBER=12345)
check bad-env-from     3 0 -- voice --to +15553334444 --application-id app --account-id "${ID[ok]}" --username api-user --base-url "$BASE"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")
check refused          8 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --base-url "http://127.0.0.1:1/api/v1"

# mfa sms: the same rules, its own path and application id.
SMS=(sms --to +15553334444 --from +15554443333 --application-id b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90 --username api-user --base-url "$BASE")
check sms-text         0 1 -- "${SMS[@]}" --account-id "${ID[ok]}"
check sms-json         0 1 -- "${SMS[@]}" --account-id "${ID[ok]}" --json --scope login
check sms-upper        0 1 -- "${SMS[@]}" --account-id "${ID[upper]}"
check sms-e500         7 1 -- "${SMS[@]}" --account-id "${ID[e500]}"
check sms-e403         4 1 -- "${SMS[@]}" --account-id "${ID[e403]}"
check sms-ctrl         9 1 -- "${SMS[@]}" --account-id "${ID[ctrl]}"
check sms-dry-run      0 0 -- "${SMS[@]}" --account-id "${ID[ok]}" -n
check sms-bad-to       2 0 -- "${SMS[@]}" --account-id "${ID[ok]}" --to +1
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_VOICE_APPLICATION_ID=93de2206-9669-4e07-948d-329f4b722ee2)
check sms-voice-app    2 0 -- sms --to +15553334444 --from +15554443333 --account-id "${ID[ok]}" --username api-user --base-url "$BASE"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_MESSAGING_APPLICATION_ID=b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90 BW_NUMBER=+15554443333)
check sms-env-app      0 1 -- sms --to +15553334444 --account-id "${ID[ok]}" --username api-user --base-url "$BASE"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

# mfa verify: the stand-in says valid for 48213967 only.
CODE=48213967
VERIFY=(verify --to +15553334444 --expiration 5 --username api-user --base-url "$BASE")
check verify-valid     0 1 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code "$CODE"
check verify-invalid   1 1 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code 11112222
check verify-json      1 1 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code 11112222 --json --scope login
check verify-upper     0 1 -- "${VERIFY[@]}" --account-id "${ID[upper]}" --code "$CODE"
check verify-verbose   0 1 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code "$CODE" -v
STDIN_TEXT="$CODE"$'\n'
check verify-stdin     0 1 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code -
check verify-dry-run   0 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code - -n --json
STDIN_TEXT="$CODE"$'\n'"$CODE"$'\n'
check verify-2-lines   2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code -
STDIN_TEXT=
check verify-no-stdin  2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code -
check verify-e429      6 1 -- "${VERIFY[@]}" --account-id "${ID[e429]}" --code "$CODE"
check verify-oddvalid  9 1 -- "${VERIFY[@]}" --account-id "${ID[oddvalid]}" --code "$CODE"
check verify-e401      4 1 -- "${VERIFY[@]}" --account-id "${ID[e401]}" --code "$CODE"
check verify-slow      8 1 -- "${VERIFY[@]}" --account-id "${ID[slow]}" --code "$CODE" --timeout 1
check verify-code-1    2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code 4
check verify-code-9    2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code "${CODE}0"
check verify-exp-0     2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code "$CODE" --expiration 0
check verify-exp-16    2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code "$CODE" --expiration 16
check verify-bad-to    2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code "$CODE" --to 5553334444
check verify-no-exp    2 0 -- verify --to +15553334444 --code "$CODE" --account-id "${ID[ok]}" --username api-user --base-url "$BASE"

# Credentials the way an operator keeps them: one new user's HOME throughout,
# so the config file and the token cache carry over from run to run.
NEWUSER_ENV=()
USER_HOME=$WORK/home-operator
CONFIG=$USER_HOME/.config/mfa/config.toml
TO=(--to +15553334444)
check cfg-path         0 0 -- config path
check cfg-init         0 0 -- config init
check cfg-init-again   3 0 -- config init
expect cfg-mode-600 test "$(stat -c %a "$CONFIG")" = 600
check cfg-set-account  0 0 -- config set account_id "${ID[ok]}"
check cfg-set-username 0 0 -- config set username api-user
check cfg-set-from     0 0 -- config set from +15554443333
check cfg-set-app      0 0 -- config set voice_application_id 93de2206-9669-4e07-948d-329f4b722ee2
check cfg-set-base     0 0 -- config set base_url "$BASE"
check cfg-set-exp      0 0 -- config set expiration_minutes 5
check cfg-set-bad-from 2 0 -- config set from 5554443333
check cfg-set-typo     2 0 -- config set pasword x
check cfg-set-pw-arg   2 0 -- config set password "$PASSWORD"
STDIN_TEXT="$PASSWORD"$'\n'
check cfg-set-pw       0 0 -- config set password -
STDIN_TEXT=
expect cfg-comments-kept grep -q '^#   password_command = ' "$CONFIG"
expect cfg-still-600 test "$(stat -c %a "$CONFIG")" = 600
check cfg-send         0 1 -- voice "${TO[@]}"
check cfg-verify       0 1 -- verify "${TO[@]}" --code "$CODE"
check cfg-show         0 0 -- config show
# shellcheck disable=SC2016  # backquotes as mfa prints them, not a command
expect cfg-show-secret grep -q '^password  *set (key `password` of profile `default`' "$WORK/cfg-show.out"
check cfg-show-json    0 0 -- config show --json
expect cfg-show-json-ok python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["credentials"]=="basic" and d["settings"]["password"]=={"set":True,"origin":d["settings"]["password"]["origin"]}' "$WORK/cfg-show-json.out"
chmod 644 "$CONFIG"
check cfg-warn         0 1 -- voice "${TO[@]}"
expect cfg-warned grep -q "holds a password and can be read by its group and others (mode 644); run \`chmod 600 $CONFIG\`" "$WORK/cfg-warn.err"
chmod 600 "$CONFIG"
printf '%s\n' "$PASSWORD" >"$USER_HOME/pw.txt"
# shellcheck disable=SC2016  # $HOME is for the password_command's shell, later
check cfg-set-pwcmd    0 0 -- config set password_command 'cat "$HOME/pw.txt"'
expect cfg-pw-replaced bash -c "! grep -q '^password = ' '$CONFIG'"
check pwcmd-send       0 1 -- voice "${TO[@]}"
check pwcmd-set-fail   0 0 -- config set password_command 'echo "pass: no such entry" >&2; exit 1'
check pwcmd-fail       3 0 -- voice "${TO[@]}"
expect pwcmd-stderr grep -q 'failed (exit status 1); its stderr: pass: no such entry' "$WORK/pwcmd-fail.err"
check pwcmd-set-quiet  0 0 -- config set password_command 'true'
check pwcmd-quiet      3 0 -- voice "${TO[@]}"
check pwcmd-set-hang   0 0 -- config set password_command 'sleep 30'
check pwcmd-hang       3 0 -- voice "${TO[@]}" --timeout 1
check pwcmd-dry-run    0 0 -- voice "${TO[@]}" --dry-run
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")
check pwcmd-env-wins   0 1 -- voice "${TO[@]}"
NEWUSER_ENV=(BW_PASSWORD="wrong-$PASSWORD")
check pwcmd-refused    4 1 -- voice "${TO[@]}"
expect refused-names-origin grep -q 'the password (from environment variable BW_PASSWORD)' "$WORK/pwcmd-refused.err"

# OAuth2 client credentials, with the username and password complete too: the client
# credentials win, and the token is fetched once and then taken from the cache.
USER_HOME=$WORK/home-oauth
NEWUSER_ENV=(BW_ACCOUNT_ID="${ID[ok]}" BW_USERNAME=api-user BW_PASSWORD="$PASSWORD" BW_NUMBER=+15554443333
  BW_VOICE_APPLICATION_ID=93de2206-9669-4e07-948d-329f4b722ee2
  BW_MESSAGING_APPLICATION_ID=b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90
  BW_CLIENT_ID="$CLIENT_ID" BW_CLIENT_SECRET="$CLIENT_SECRET"
  MFA_BASE_URL="$BASE" MFA_TOKEN_URL="http://127.0.0.1:$PORT/oauth2/token")
WANT_TOKENS=0 check oauth-dry-run 0 0 -- voice "${TO[@]}" --dry-run
expect oauth-dry-bearer grep -q '^Authorization: Bearer <redacted>$' "$WORK/oauth-dry-run.out"
WANT_TOKENS=1 check oauth-send-1   0 1 -- voice "${TO[@]}"
WANT_TOKENS=0 check oauth-send-2   0 1 -- voice "${TO[@]}"
WANT_TOKENS=0 check oauth-sms      0 1 -- sms "${TO[@]}"
WANT_TOKENS=0 check oauth-verify   0 1 -- verify "${TO[@]}" --code "$CODE" --expiration 5
WANT_TOKENS=0 check oauth-show     0 0 -- config show
expect oauth-show-says grep -q '^credentials  *OAuth2 client credentials$' "$WORK/oauth-show.out"
expect oauth-cache-600 bash -c "test \"\$(stat -c %a $USER_HOME/.cache/mfa/tokens/*.json)\" = 600"
python3 -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$PORT/admin/revoke', method='POST'))"
WANT_TOKENS=1 check oauth-revoked  0 2 -- voice "${TO[@]}" -v
expect oauth-renew-said grep -q '^\* access token: refused (HTTP 401); got a new one and made the call once more$' "$WORK/oauth-revoked.err"
WANT_TOKENS=0 check oauth-renewed  0 1 -- voice "${TO[@]}"
NEWUSER_ENV+=(BW_CLIENT_SECRET="wrong-$CLIENT_SECRET")
USER_HOME=$WORK/home-oauth-wrong
WANT_TOKENS=1 check oauth-refused  4 0 -- voice "${TO[@]}"
expect oauth-refused-says grep -q 'refused the client credentials (HTTP 401): invalid_client: Client authentication failed; check the client id (from environment variable BW_CLIENT_ID) and the client secret (from environment variable BW_CLIENT_SECRET); nothing was sent$' "$WORK/oauth-refused.err"
# The same wrong secret where a token earned with the right one is cached: the token is
# not its to use, so the endpoint refuses it at once and no call is made.
USER_HOME=$WORK/home-oauth
WANT_TOKENS=1 check oauth-cached-wrong 4 0 -- voice "${TO[@]}"
unset 'NEWUSER_ENV[${#NEWUSER_ENV[@]}-1]'

# Forty runs at once, as a CI job's fan-out: one token request, each run sends once and
# prints its own call id, and the cache is a token afterwards, not a torn file.
USER_HOME=$WORK/home-burst
mkdir -p "$USER_HOME"
before=$(requests) tokens_before=$(tokens)
for i in $(seq 40); do
  env -i HOME="$USER_HOME" PATH=/usr/bin:/bin MFA_MAX_CODES_PER_NUMBER=off "${NEWUSER_ENV[@]}" "$MFA" voice "${TO[@]}" \
    >"$WORK/burst-$i.out" 2>"$WORK/burst-$i.err" </dev/null &
done
wait_failures=0
for job in $(jobs -p); do [ "$job" = "$STANDIN" ] || wait "$job" || wait_failures=$((wait_failures + 1)); done
runs=$((runs + 40))
expect burst-all-exit-0 test "$wait_failures" = 0
expect burst-40-calls test $(($(requests) - before)) = 40
expect burst-1-token test $(($(tokens) - tokens_before)) = 1
expect burst-40-ids test "$(cat "$WORK"/burst-*.out | sort -u | grep -c '^c-')" = 40
expect burst-cache-whole python3 -c 'import glob,json,sys; [json.load(open(f)) for f in glob.glob(sys.argv[1])]' "$USER_HOME/.cache/mfa/tokens/*.json"
unset USER_HOME
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

# ---- The network as it really is ----
# A private CA and a server certificate for localhost, made with openssl (not with the
# rcgen the tests use), and a second stand-in that speaks HTTPS with it.
TLS=$WORK/tls
mkdir -p "$TLS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=check-release private CA" -keyout "$TLS/ca.key" -out "$TLS/ca.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >"$TLS/ext"
openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
  -days 2 -extfile "$TLS/ext" -out "$TLS/server.pem" 2>/dev/null
TLS_PORT=$(free_port)
STANDIN_TLS_CERT=$TLS/server.pem STANDIN_TLS_KEY=$TLS/server.key \
  python3 tools/standin.py "$TLS_PORT" api-user "$PASSWORD" "$WORK/requests.log" &
STARTED+=($!)
wait_for_port "$TLS_PORT"
TLS_BASE="https://localhost:$TLS_PORT/api/v1"
SEND_TLS=(voice --to +15553334444 --from +15554443333 --application-id 93de2206-9669-4e07-948d-329f4b722ee2 --username api-user --base-url "$TLS_BASE")

check tls-untrusted    8 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}"
expect tls-says-issuer grep -q "could not connect to localhost:$TLS_PORT: TLS: the server's certificate is not signed by a trusted CA (unknown issuer); if a private CA.*; nothing was sent$" "$WORK/tls-untrusted.err"
check tls-ca-file      0 1 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}" --ca-file "$TLS/ca.pem"
check tls-ip-not-name  8 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}" --ca-file "$TLS/ca.pem" --base-url "https://127.0.0.1:$TLS_PORT/api/v1"
expect tls-says-name grep -q "certificate is not valid for this host name; nothing was sent" "$WORK/tls-ip-not-name.err"
check tls-missing-ca   2 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}" --ca-file "$TLS/nope.pem"
check tls-key-as-ca    2 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}" --ca-file "$TLS/server.key"
check tls-http-to-tls  8 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}" --base-url "http://localhost:$TLS_PORT/api/v1"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_CA_FILE="$TLS/ca.pem")
check tls-env-ca       0 1 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}"
check tls-verify       0 1 -- verify --to +15553334444 --code "$CODE" --expiration 5 --username api-user --base-url "$TLS_BASE" --account-id "${ID[ok]}"
check tls-endless      9 1 -- "${SEND_TLS[@]}" --account-id "${ID[endless]}"

# tinyproxy, a real forward proxy that wants a password, logging each CONNECT.
command -v tinyproxy >/dev/null || apt-get install -y tinyproxy >/dev/null 2>&1 || { echo "FAIL: no tinyproxy"; exit 1; }
# tinyproxy's config takes no punctuation in a password but '-'.
PROXY_PASSWORD='px-Wn4s3cr3t-release'
PROXY_PORT=$(free_port)
# tinyproxy drops to nobody, who must reach its log.
mkdir -p "$WORK/proxy" && chmod 777 "$WORK/proxy" && chmod o+x "$WORK"
cat >"$WORK/proxy/tinyproxy.conf" <<CONF
User nobody
Group nogroup
Port $PROXY_PORT
Listen 127.0.0.1
Timeout 60
MaxClients 200
LogFile "$WORK/proxy/tinyproxy.log"
LogLevel Connect
BasicAuth proxy-user $PROXY_PASSWORD
CONF
tinyproxy -d -c "$WORK/proxy/tinyproxy.conf" 2>/dev/null &
STARTED+=($!)
wait_for_port "$PROXY_PORT"
PROXY="http://proxy-user:$PROXY_PASSWORD@127.0.0.1:$PROXY_PORT"
tunnels() { grep -c "Established connection to host" "$WORK/proxy/tinyproxy.log" 2>/dev/null; }

NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_CA_FILE="$TLS/ca.pem" HTTPS_PROXY="$PROXY")
before_tunnels=$(tunnels)
check proxy-tls        0 1 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}" -v
expect proxy-tunnelled test $(($(tunnels) - before_tunnels)) = 1
expect proxy-connect-logged grep -q "CONNECT localhost:$TLS_PORT" "$WORK/proxy/tinyproxy.log"
expect proxy-said grep -q "^\* localhost:$TLS_PORT: through proxy http://127.0.0.1:$PROXY_PORT (from HTTPS_PROXY)$" "$WORK/proxy-tls.err"
before_tunnels=$(tunnels)
NEWUSER_ENV+=(NO_PROXY=localhost)
check proxy-no-proxy   0 1 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}"
expect proxy-skipped test "$(tunnels)" = "$before_tunnels"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_CA_FILE="$TLS/ca.pem" https_proxy="http://proxy-user:wrong-$PROXY_PASSWORD@127.0.0.1:$PROXY_PORT")
check proxy-wrong-pw   8 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}"
expect proxy-wrong-pw-said grep -Eq "\(through proxy http://127.0.0.1:$PROXY_PORT\): the proxy refused to open a tunnel \(HTTP 40[17]: it wants other proxy credentials\); nothing was sent" "$WORK/proxy-wrong-pw.err"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_CA_FILE="$TLS/ca.pem" HTTPS_PROXY="http://127.0.0.1:1")
check proxy-down       8 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" ALL_PROXY="socks5h://proxy-user:$PROXY_PASSWORD@127.0.0.1:1080")
check proxy-socks      3 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}"
# A "proxy" that answers the CONNECT with garbage is named as the proxy: nothing sent.
GARBAGE_PORT=$(free_port)
python3 -c "
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $GARBAGE_PORT))
s.listen(8)
while True:
    c, _ = s.accept()
    try:
        head = b''
        while b'\r\n\r\n' not in head:
            more = c.recv(4096)
            if not more:
                raise OSError('closed before a whole head')
            head += more
        c.sendall(b'\x16\x03\x01 not HTTP\r\n\r\n')
        c.shutdown(socket.SHUT_WR)
        c.recv(4096)
    except OSError:
        pass
    c.close()
" &
STARTED+=($!)
wait_for_port "$GARBAGE_PORT"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_CA_FILE="$TLS/ca.pem" HTTPS_PROXY="http://127.0.0.1:$GARBAGE_PORT")
check proxy-garbage    8 0 -- "${SEND_TLS[@]}" --account-id "${ID[ok]}"
expect proxy-garbage-said grep -q 'the proxy did not answer the CONNECT in HTTP; nothing was sent$' "$WORK/proxy-garbage.err"
# An http:// URL is reached directly whatever the proxy variables say: its Basic header
# would cross the proxy in clear text.
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" HTTP_PROXY="$PROXY" ALL_PROXY="$PROXY")
before_tunnels=$(tunnels)
check proxy-plain-http 0 1 -- "${SEND[@]}" --account-id "${ID[ok]}"
expect proxy-plain-direct test "$(tunnels)" = "$before_tunnels"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

# mfa doctor: every check, and the one call it makes is a verify (never a send), in
# clear, with a wrong password, and over TLS through the proxy.
DOCTOR=(doctor --username api-user --account-id "${ID[ok]}")
check doctor-http      0 1 -- "${DOCTOR[@]}" --base-url "$BASE"
expect doctor-http-verify bash -c "tail -1 '$WORK/requests.log' | grep -q '/code/verify'"
expect doctor-http-no-fail bash -c "! grep -q '^fail' '$WORK/doctor-http.out'"
expect doctor-http-reads grep -q '^ok    call state: the credentials can read call state at 127.0.0.1' "$WORK/doctor-http.out"
# The applications: each of the right kind, with a location; swapped, each is refused.
VOICE_APP=93de2206-9669-4e07-948d-329f4b722ee2 SMS_APP=b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_VOICE_APPLICATION_ID="$VOICE_APP" BW_MESSAGING_APPLICATION_ID="$SMS_APP")
check doctor-apps      0 1 -- "${DOCTOR[@]}" --base-url "$BASE"
expect doctor-apps-voice grep -q "^ok    voice application: $VOICE_APP (Codes): Voice-V2, one location$" "$WORK/doctor-apps.out"
expect doctor-apps-sms grep -q "^ok    sms application: $SMS_APP (Codes): Messaging-V2, one location$" "$WORK/doctor-apps.out"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_VOICE_APPLICATION_ID="$SMS_APP" BW_MESSAGING_APPLICATION_ID=nope)
check doctor-apps-bad  3 1 -- "${DOCTOR[@]}" --base-url "$BASE"
expect doctor-apps-kind grep -q "^fail  voice application: $SMS_APP (Codes) is a Messaging-V2 application, not a Voice-V2 one" "$WORK/doctor-apps-bad.out"
expect doctor-apps-none grep -q "^fail  sms application: nope is not an application of this account" "$WORK/doctor-apps-bad.out"
NEWUSER_ENV=(BW_PASSWORD="wrong-$PASSWORD")
check doctor-wrong-pw  4 1 -- "${DOCTOR[@]}" --base-url "$BASE"
expect doctor-wrong-pw-said grep -q '^fail  API access: the API refused the credentials (HTTP 401)' "$WORK/doctor-wrong-pw.out"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_CA_FILE="$TLS/ca.pem" HTTPS_PROXY="$PROXY")
before_tunnels=$(tunnels)
check doctor-tls-proxy 0 1 -- "${DOCTOR[@]}" --base-url "$TLS_BASE"
expect doctor-tunnelled test $(($(tunnels) - before_tunnels)) = 1
expect doctor-said-proxy grep -q "through the proxy http://127.0.0.1:$PROXY_PORT" "$WORK/doctor-tls-proxy.out"
# The test certificate lives two days: under the 14 that warn.
expect doctor-said-tls grep -q "^warn  TLS: localhost: TLS 1.[23], certificate issued by check-release private CA (trusted through the built-in roots and the CA file), expires in 1 day: renew it soon$" "$WORK/doctor-tls-proxy.out"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

# Retries: only a refused connection and a 429, waiting as Retry-After says.
check retry-429        0 2 -- "${SEND[@]}" --account-id "${ID[busy-1]}" --retries 2 -v
expect retry-429-said grep -q '^\* HTTP 429; waiting 1 s as Retry-After says, then retry 1 of 2$' "$WORK/retry-429.err"
check retry-default    6 1 -- "${SEND[@]}" --account-id "${ID[busy-2]}"
check retry-5xx        7 1 -- "${SEND[@]}" --account-id "${ID[e500]}" --retries 3
check retry-timeout    8 1 -- "${SEND[@]}" --account-id "${ID[slow]}" --retries 3 --timeout 1
check retry-refused    8 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --retries 2 -v --base-url "http://127.0.0.1:1/api/v1"
expect retry-refused-2 test "$(grep -c '^\* connection refused; waiting ' "$WORK/retry-refused.err")" = 2
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_RETRIES=1)
check retry-env        0 2 -- "${SEND[@]}" --account-id "${ID[busy-3]}"
check retry-verify     0 2 -- "${VERIFY[@]}" --account-id "${ID[busy-4]}" --code "$CODE"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_RETRIES=11)
check retry-bad-env    3 0 -- "${SEND[@]}" --account-id "${ID[ok]}"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

# Hostile answers end in bounded time (each run is stopped after 60 s otherwise).
check endless          9 1 -- "${SEND[@]}" --account-id "${ID[endless]}"
check newline-id       9 1 -- "${SEND[@]}" --account-id "${ID[newline]}"
expect newline-not-printed test ! -s "$WORK/newline-id.out"
check sms-newline-id   9 1 -- "${SMS[@]}" --account-id "${ID[newline]}"

# Whether a code went out, on every path (and said so in words and in JSON's "sent").
# A name with a 64-character label is refused by the resolver before any query is sent.
UNRESOLVABLE="$(printf 'a%.0s' $(seq 64)).invalid"
check lookup-failed    8 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --base-url "https://$UNRESOLVABLE/api/v1" --retries 1 -v --json
expect lookup-retried grep -q '^\* name not found; waiting ' "$WORK/lookup-failed.err"
expect lookup-sent-no grep -q '"sent":"no"' "$WORK/lookup-failed.err"
check uri-too-long     8 0 -- "${SEND[@]}" --account-id "$(printf '9%.0s' $(seq 70000))"
expect uri-nothing-sent grep -q "could not connect to 127.0.0.1:$PORT: http: uri too long; nothing was sent" "$WORK/uri-too-long.err"
check sent-4xx         4 1 -- "${SEND[@]}" --account-id "${ID[e401]}" --json
expect sent-4xx-no grep -q '"sent":"no"' "$WORK/sent-4xx.err"
check sent-5xx         7 1 -- "${SEND[@]}" --account-id "${ID[e500]}" --json
expect sent-5xx-maybe grep -q '"sent":"maybe"' "$WORK/sent-5xx.err"
check sent-5xx-text    7 1 -- "${SEND[@]}" --account-id "${ID[e500]}"
expect sent-5xx-says grep -q 'the code may have been sent, so check before sending another$' "$WORK/sent-5xx-text.err"
check sent-notjson     9 1 -- "${SEND[@]}" --account-id "${ID[notjson]}" --json
expect sent-notjson-maybe grep -q '"sent":"maybe"' "$WORK/sent-notjson.err"
check sent-nokey       9 1 -- "${SEND[@]}" --account-id "${ID[nokey]}" --json
expect sent-nokey-yes grep -q '"sent":"yes"' "$WORK/sent-nokey.err"
check sent-usage       2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --digits 9 --json
expect sent-usage-no grep -q '"sent":"no"' "$WORK/sent-usage.err"
started_at=$SECONDS
check retry-after-hour 6 1 -- "${SEND[@]}" --account-id "${ID[hour]}" --retries 2 --json
expect hour-at-once test $((SECONDS - started_at)) -lt 10
expect hour-retry-after grep -q '"retryAfter":3600' "$WORK/retry-after-hour.err"
check to-twice         2 0 -- "${SEND[@]}" --account-id "${ID[ok]}" --to +15550000001
check bidi-id          9 1 -- "${SEND[@]}" --account-id "${ID[bidi]}"
expect bidi-escaped bash -c "! grep -q $'\u202e' '$WORK/bidi-id.err' && grep -qF '\\u{202e}' '$WORK/bidi-id.err' && test ! -s '$WORK/bidi-id.out'"
check big-error        5 1 -- "${SEND[@]}" --account-id "${ID[bigerror]}"
expect big-error-cut test "$(wc -c < "$WORK/big-error.err")" -lt 1000
check exp-fraction     0 1 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code "$CODE" --expiration 1.5
check account-dotdot   2 0 -- "${SEND[@]}" --account-id ..

# interrupted NAME SIGNAL WANT_EXIT WANT_REQUESTS -- ARGS: starts mfa, sends SIGNAL a
# second later (while the stand-in holds a slow answer, or a password command runs).
interrupted() {
  local name=$1 sig=$2 want=$3 want_requests=$4; shift 5
  local before code home=${USER_HOME:-$WORK/home-$name} pid
  before=$(requests)
  mkdir -p "$home"
  env -i HOME="$home" PATH=/usr/bin:/bin MFA_MAX_CODES_PER_NUMBER=off "${NEWUSER_ENV[@]}" "$MFA" "$@" \
    </dev/null >"$WORK/$name.out" 2>"$WORK/$name.err" &
  pid=$!
  sleep 1
  kill "-$sig" "$pid"
  wait "$pid"
  code=$?
  runs=$((runs + 1))
  local sent=$(($(requests) - before)) verdict=ok
  if [ "$code" != "$want" ] || [ "$sent" != "$want_requests" ]; then verdict=FAIL; failures=$((failures + 1)); fi
  printf '%-4s %-22s exit %s (want %s), requests %s (want %s)\n     stderr: %s\n' "$verdict" "$name" \
    "$code" "$want" "$sent" "$want_requests" "$(head -c 300 "$WORK/$name.err")"
}
interrupted int-in-flight  INT 130 1 -- "${SEND[@]}" --account-id "${ID[slow]}"
expect int-says-maybe grep -q '^mfa: error: interrupted (SIGINT) while the request was out; the code may have been sent' "$WORK/int-in-flight.err"
interrupted term-json      TERM 143 1 -- "${VERIFY[@]}" --account-id "${ID[slow]}" --code "$CODE" --json
expect term-json-maybe grep -q '"kind":"interrupted".*"sent":"maybe"' "$WORK/term-json.err"
USER_HOME=$WORK/home-pwcmd-term
mkdir -p "$USER_HOME/.config/mfa"
printf '[profiles.default]\npassword_command = "sleep 30 & echo $! > %s/sleep.pid; wait"\n' "$USER_HOME" >"$USER_HOME/.config/mfa/config.toml"
NEWUSER_ENV=()
interrupted pwcmd-term     TERM 143 0 -- "${SEND[@]}" --account-id "${ID[ok]}"
expect pwcmd-term-nothing grep -q 'interrupted (SIGTERM) before the request went out; nothing was sent' "$WORK/pwcmd-term.err"
sleep 0.2
# Ended with its group: gone, or a zombie left for init to reap.
expect pwcmd-sleep-ended bash -c "p=\$(cat '$USER_HOME/sleep.pid'); ! kill -0 \$p 2>/dev/null || grep -q ') Z ' /proc/\$p/stat"
unset USER_HOME
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

# ---- Secrets stay where they belong ----
# A server that echoes the request: the password and its Authorization value show only
# as <redacted>, in the error, in -v's log, in JSON and in mfa doctor's lines.
check echo-400         5 1 -- "${SEND[@]}" --account-id "${ID[echo]}"
expect echo-400-redacted grep -q 'you sent Authorization: Basic <redacted> (<redacted>) (requestId .*); nothing was sent$' "$WORK/echo-400.err"
check echo-verbose     5 1 -- "${SEND[@]}" --account-id "${ID[echo]}" -v --json
expect echo-verbose-redacted test "$(grep -c 'Basic <redacted> (<redacted>)' "$WORK/echo-verbose.err")" = 2
check echo-doctor      5 1 -- doctor --username api-user --account-id "${ID[echo]}" --base-url "$BASE"
expect echo-doctor-redacted grep -q '^fail  API access: .*Basic <redacted> (<redacted>)' "$WORK/echo-doctor.out"
check echo-doctor-json 5 1 -- doctor --username api-user --account-id "${ID[echo]}" --base-url "$BASE" --json
# A fragment in the base URL once turned every call into a voice send.
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" MFA_BASE_URL="$BASE/accounts/${ID[ok]}/code/voice#")
check fragment-sms     3 0 -- sms --to +15553334444 --from +15554443333 --application-id b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90 --username api-user --account-id "${ID[ok]}"
check fragment-doctor  3 0 -- doctor --username api-user --account-id "${ID[ok]}"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")
# A password_command from a file others can write never runs; from one in a folder only
# its owner can change, it does.
USER_HOME=$WORK/home-neighbour
mkdir -p "$USER_HOME/.config/mfa"
printf '[profiles.default]\npassword_command = "touch %s/ran; echo %s"\n' "$USER_HOME" "$PASSWORD" >"$USER_HOME/.config/mfa/config.toml"
chmod 666 "$USER_HOME/.config/mfa/config.toml"
NEWUSER_ENV=()
check neighbour-file   3 0 -- "${SEND[@]}" --account-id "${ID[ok]}"
expect neighbour-file-said grep -q "is not used: other users can write the file (mode 666), so another user could choose its settings (where your password is sent, what runs as you, which files are written); fix it with \`chmod go-w $USER_HOME/.config/mfa/config.toml\`" "$WORK/neighbour-file.err"
chmod 600 "$USER_HOME/.config/mfa/config.toml"
chmod 777 "$USER_HOME/.config/mfa"
check neighbour-folder 3 0 -- "${SEND[@]}" --account-id "${ID[ok]}"
expect neighbour-never-ran test ! -e "$USER_HOME/ran"
chmod 700 "$USER_HOME/.config/mfa"
check neighbour-fixed  0 1 -- "${SEND[@]}" --account-id "${ID[ok]}"
expect neighbour-ran test -e "$USER_HOME/ran"
# More than 64 KiB is refused, not cut; a background child holding stdout open does not
# stall the run; the command never sees BW_CLIENT_SECRET.
printf '[profiles.default]\npassword_command = "head -c 70000 /dev/zero | tr %s a"\n' "'\\\\000'" >"$USER_HOME/.config/mfa/config.toml"
check pwcmd-64k        3 0 -- "${SEND[@]}" --account-id "${ID[ok]}"
expect pwcmd-64k-said grep -q 'printed more than 64 KiB; it must print the password alone' "$WORK/pwcmd-64k.err"
printf '[profiles.default]\npassword_command = "sleep 30 & echo %s"\n' "$PASSWORD" >"$USER_HOME/.config/mfa/config.toml"
started_at=$SECONDS
check pwcmd-background 0 1 -- "${SEND[@]}" --account-id "${ID[ok]}"
expect pwcmd-background-quick test $((SECONDS - started_at)) -lt 10
unset USER_HOME
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")
# A closed terminal (SIGHUP) or Ctrl-\ (SIGQUIT) while the request is out: the one line.
interrupted hup-in-flight  HUP 129 1 -- "${SEND[@]}" --account-id "${ID[slow]}"
expect hup-says-maybe grep -q '^mfa: error: interrupted (SIGHUP) while the request was out; the code may have been sent' "$WORK/hup-in-flight.err"
interrupted quit-in-flight QUIT 131 1 -- "${SEND[@]}" --account-id "${ID[slow]}"
# Codes that are not ASCII digits cost no attempt; an id that is not UTF-8 is not printed.
check code-bom         2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code $'\ufeff'"$CODE"
check code-arabic      2 0 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code $'\u0664\u0668\u0662\u0661'
check code-trimmed     0 1 -- "${VERIFY[@]}" --account-id "${ID[ok]}" --code " $CODE "
check badutf8-id       9 1 -- "${SEND[@]}" --account-id "${ID[badutf8]}"
expect badutf8-not-printed test ! -s "$WORK/badutf8-id.out"
# mfa doctor picks its fictional number at random, and a 429 is a warning.
check doctor-random-1  0 1 -- "${DOCTOR[@]}" --base-url "$BASE"
check doctor-random-2  0 1 -- "${DOCTOR[@]}" --base-url "$BASE"
expect doctor-fictional grep -q '+120255501[0-9][0-9]' "$WORK/requests.log"
check doctor-429       0 1 -- doctor --username api-user --account-id "${ID[e429]}" --base-url "$BASE"
expect doctor-429-warns grep -q '^warn  API access: rate limited (HTTP 429): credentials not confirmed; try again in about 30 s$' "$WORK/doctor-429.out"
# A relative HOME is no folder of the user's: nothing is made in the working directory.
(cd "$WORK" && env -i HOME=relative-home PATH=/usr/bin:/bin "$MFA" config init >"$WORK/relative-home.out" 2>"$WORK/relative-home.err")
runs=$((runs + 1))
expect relative-home-refused test ! -e "$WORK/relative-home"

# The shell around the tool.
for shell in bash zsh fish powershell elvish; do
  check "completions-$shell" 0 0 -- completions "$shell"
done
expect completions-bash-parses bash -n "$WORK/completions-bash.out"
NEWUSER_ENV=(MFA_CONFIG=/nonexistent/config.toml)
check completions-no-config 0 0 -- completions fish
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")
check man              0 0 -- man
expect man-renders bash -c "groff -man -Tutf8 -ww -z '$WORK/man.out' 2>'$WORK/man.groff' && test ! -s '$WORK/man.groff'"
expect man-exit-status grep -q '^\.SH "EXIT STATUS"$' "$WORK/man.out"
check version          0 0 -- --version
expect version-says test "$(cat "$WORK/version.out")" = "mfa $(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)"
check unknown-command  2 0 -- frobnicate
expect no-colour bash -c "! grep -q \$'\\e' '$WORK'/*.err '$WORK'/*.out"

# Forty runs at once through the proxy over TLS with the private CA: each sends once
# and prints its own id.
before=$(requests) before_tunnels=$(tunnels)
for i in $(seq 40); do
  env -i HOME="$WORK/home-load-$i" PATH=/usr/bin:/bin BW_PASSWORD="$PASSWORD" MFA_CA_FILE="$TLS/ca.pem" MFA_MAX_CODES_PER_NUMBER=off \
    HTTPS_PROXY="$PROXY" timeout 60 "$MFA" "${SEND_TLS[@]}" --account-id "${ID[ok]}" --retries 2 \
    >"$WORK/load-$i.out" 2>"$WORK/load-$i.err" </dev/null &
done
wait_failures=0
for job in $(jobs -p); do
  case " ${STARTED[*]} " in *" $job "*) continue ;; esac
  wait "$job" || wait_failures=$((wait_failures + 1))
done
runs=$((runs + 40))
expect load-all-exit-0 test "$wait_failures" = 0
expect load-40-calls test $(($(requests) - before)) = 40
expect load-40-tunnels test $(($(tunnels) - before_tunnels)) = 40
expect load-40-ids test "$(cat "$WORK"/load-*.out | sort -u | grep -c '^c-')" = 40

# Every request the stand-in took was valid by the schema unless it answered 400.
if grep -q '"path"' "$WORK/requests.log"; then
  python3 - "$WORK/requests.log" <<'PY' || failures=$((failures + 1))
import json, sys
sys.path.insert(0, "tools")
from standin import schema_problems
bad = 0
for line in open(sys.argv[1]):
    entry = json.loads(line)
    problems = schema_problems(entry["path"].rsplit("/", 1)[1], json.loads(entry["body"]))
    if problems:
        bad += 1
        print("schema problem:", problems, entry["body"])
    if entry["headers"].get("user-agent", "").split("/")[0] != "mfa":
        bad += 1
        print("user agent:", entry["headers"].get("user-agent"))
print(f"schema: every one of {sum(1 for _ in open(sys.argv[1]))} requests valid" if not bad else "schema: FAIL")
sys.exit(1 if bad else 0)
PY
fi

# And by Bandwidth's own generated model of the schema, from its Python SDK (PyPI's
# bandwidth-sdk). Its `digits` minimum is 4 where mfa, following Bandwidth's API
# reference, allows 2 (README, options tables); a body refused for that alone is reported, not failed.
VENV=target/bandwidth-sdk-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet bandwidth-sdk >/dev/null
fi
"$VENV/bin/python" - "$WORK/requests.log" <<'PY' || failures=$((failures + 1))
import json, sys
from pydantic import ValidationError
from bandwidth.models.code_request import CodeRequest
from bandwidth.models.verify_code_request import VerifyCodeRequest
bad = short = total = 0
for line in open(sys.argv[1]):
    entry = json.loads(line)
    body = json.loads(entry["body"])
    model = VerifyCodeRequest if entry["path"].endswith("/verify") else CodeRequest
    total += 1
    try:
        model.from_dict(body)
    except ValidationError as err:
        fields = [e["loc"][0] for e in err.errors()]
        if model is CodeRequest and fields == ["digits"] and 2 <= body["digits"] < 4:
            short += 1
        else:
            bad += 1
            print("SDK schema problem:", err, body)
print(f"sdk schema: {total - bad - short} of {total} requests valid, {short} with 2 or 3 digits (mfa allows them), {bad} invalid")
sys.exit(1 if bad else 0)
PY

# The README's command blocks, run as written by a new user: a fresh HOME, `mfa` on the
# PATH, and only what such a user brings: the stand-in as the API (MFA_BASE_URL, which
# no block sets), the password where a block writes `BW_PASSWORD=...`, and what they
# would type on stdin. The lines for PowerShell and elvish are for those shells, not
# bash, and are left out; the developers' blocks (cargo test, bench, CI) are run
# elsewhere.
README_HOME=$WORK/readme-home
mkdir -p "$README_HOME" "$WORK/readme-bin"
ln -sf "$MFA" "$WORK/readme-bin/mfa"
# The lines of the ```sh block of the README whose first line starts with $1.
readme_block() {
  awk -v first="$1" -f tools/readme-block.awk README.md
}
# run_readme NAME WANT_REQUESTS STDIN FIRST_LINE [EXTRA]: runs the block in bash with
# EXTRA after it, stopping at the first command that fails (bash -e); the output goes to
# $WORK/readme-NAME.out and .err.
run_readme() {
  local name=$1 want_requests=$2 stdin=$3 first=$4 extra=${5:-} block before code
  block=$(readme_block "$first" | grep -v -e 'Invoke-Expression' -e '^eval (')
  if [ -z "$block" ]; then echo "FAIL readme-$name: no block starts with: $first"; failures=$((failures + 1)); return; fi
  block=${block//BW_PASSWORD=.../BW_PASSWORD=$PASSWORD}
  before=$(requests)
  printf '%s' "$stdin" | env -i HOME="$README_HOME" PATH="$WORK/readme-bin:/usr/bin:/bin" \
    MFA_BASE_URL="$BASE" MANPAGER=cat MFA_MAX_CODES_PER_NUMBER=off timeout 60 bash -ec "$block
$extra" >"$WORK/readme-$name.out" 2>"$WORK/readme-$name.err"
  code=$?
  runs=$((runs + 1))
  local sent=$(($(requests) - before))
  if [ "$code" = 0 ] && [ "$sent" = "$want_requests" ]; then
    printf 'ok   readme-%-20s exit %s, %s requests\n' "$name" "$code" "$sent"
  else
    printf 'FAIL readme-%-20s exit %s (want 0), %s requests (want %s)\n' "$name" "$code" "$sent" "$want_requests"
    sed 's/^/       /' "$WORK/readme-$name.err" | head -5
    failures=$((failures + 1))
  fi
}
run_readme completions 0 '' '# bash (bash-completion' 'man -w mfa'
expect readme-man-mfa grep -qx "$README_HOME/.local/share/man/man1/mfa.1" "$WORK/readme-completions.out"
expect readme-man-page grep -q 'EXIT STATUS' "$WORK/readme-completions.out"
expect readme-fish-file test -s "$README_HOME/.config/fish/completions/mfa.fish"
expect readme-bash-file test -s "$README_HOME/.local/share/bash-completion/completions/mfa"
run_readme quick-start 0 "$PASSWORD
" 'mfa config init'
expect readme-quick-start-show grep -q '^password  *set' "$WORK/readme-quick-start.out"
run_readme sends 3 '' 'mfa voice --to +15553334444 '
expect readme-sends-out bash -c "sed -n 2p '$WORK/readme-sends.out' | grep -q '^{\"callId\":'"
expect readme-sends-profiles grep -qx 'default (default)' "$WORK/readme-sends.out"
run_readme end-to-end 2 "$CODE
" 'mfa sms --to +15553334444 --scope login'
expect readme-end-to-end-valid grep -qx 'the code is right' "$WORK/readme-end-to-end.out"
# The help desk's round trip, the caller reading back a wrong code, then the right one;
# then the log turned on and read.
run_readme helpdesk 3 "11112222
$CODE
" '# the caller reads the code back'
expect readme-helpdesk-valid bash -c "tail -1 '$WORK/readme-helpdesk.out' | grep -qx valid"
expect readme-helpdesk-tries grep -q '^mfa: invalid; 2 tries left$' "$WORK/readme-helpdesk.err"
run_readme log 0 '' 'mfa config set log_file'
run_readme helpdesk-logged 2 "$CODE
" '# the caller reads the code back' 'mfa log --to +15553334444 --json'
expect readme-helpdesk-logged bash -c "grep -c '\"call\":\"verify\"' '$WORK/readme-helpdesk-logged.out' | grep -qx 1"
mv "$README_HOME/.config" "$README_HOME/.config-aside"
# shellcheck disable=SC2016  # expanded by the block's own shell
run_readme ci 2 '' 'export BW_ACCOUNT_ID=9900000' 'echo "call $call_id message $message_id"'
expect readme-ci-ids grep -qE '^call .+ message .+$' "$WORK/readme-ci.out"
expect readme-ci-no-failure bash -c "! grep -q 'mfa failed' '$WORK/readme-ci.out'"
# The dry run of the README's first steps, through cargo as written, prints the request
# the README shows beneath it.
readme_text_block() {
  awk '/^```text$/ { if (!done) { inside = 1 }; next } /^```/ { if (inside) { inside = 0; done = 1 }; next } inside { print }' README.md
}
before=$(requests)
cargo_bin=$(dirname "$(command -v cargo)")
env -i HOME="$README_HOME" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" \
  PATH="$cargo_bin:/usr/bin:/bin" bash -c "$(readme_block 'cargo run -- voice --dry-run') 2>/dev/null" >"$WORK/readme-dry-run.out"
runs=$((runs + 1))
expect readme-dry-run-as-shown diff <(readme_text_block) "$WORK/readme-dry-run.out"
expect readme-dry-run-sends-nothing test "$(requests)" = "$before"

# Every example of every --help, and every command of the README's commands table, run
# as written against the stand-in: after the README's profile quick start (and a
# `staging` profile like it, which the examples take for granted), in a HOME of their
# own; an example that starts with `config init` gets a fresh HOME, as it would.
EX_HOME=$WORK/examples-home
mkdir -p "$EX_HOME"
ex_run() {  # ex_run NAME HOME WANT_EXITS TEXT: TEXT in bash -e, each line a command
  local name=$1 home=$2 want=$3 text=$4 code stdin=$CODE
  mkdir -p "$home"
  # What a user would type: the password where one is asked for, else the code.
  case "$text" in *"password -"*) stdin=$PASSWORD ;; esac
  printf '%s\n' "$stdin" | env -i HOME="$home" PATH="$WORK/readme-bin:/usr/bin:/bin" \
    MFA_BASE_URL="$BASE" MFA_VOICE_URL="${BASE%/api/v1}/voice" \
    MFA_MESSAGING_URL="${BASE%/api/v1}/messaging" MFA_LOG="$home/audit.jsonl" code="$CODE" \
    MFA_MAX_CODES_PER_NUMBER="${GUARD_LIMIT:-off}" \
    timeout 60 bash -ec "$text" \
    >"$WORK/example-$name.out" 2>"$WORK/example-$name.err"
  code=$?
  runs=$((runs + 1))
  if [[ " $want " == *" $code "* ]]; then
    printf 'ok   example-%-18s exit %s: %s\n' "$name" "$code" "$(head -1 <<<"$text")"
  else
    printf 'FAIL example-%-18s exit %s (want %s): %s\n' "$name" "$code" "$want" "$text"
    sed 's/^/       /' "$WORK/example-$name.err" | head -3
    failures=$((failures + 1))
  fi
}
ex_run setup "$EX_HOME" 0 "$(readme_block 'mfa config init')"
staging="mfa -p staging config init"
for kv in "account_id ${ID[ok]}" "username api-user" "from +15554443333" \
  "voice_application_id 93de2206-9669-4e07-948d-329f4b722ee2" \
  "messaging_application_id b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90" "expiration_minutes 5"; do
  staging+=$'\n'"mfa -p staging config set $kv"
done
ex_run staging "$EX_HOME" 0 "$staging"$'\n'"mfa -p staging config set password -"
# The last mile: what the stand-in made, mfa status finds answered and delivered, by
# argument and through the pipe.
# shellcheck disable=SC2016  # expanded by the run's own shell
ex_run status "$EX_HOME" 0 'id=$(mfa -p staging voice --to +15553334444)
mfa -p staging status "$id" | grep -qx "$id  answered after 12 s"
mfa -p staging sms --to +15553334444 | mfa -p staging status | grep -q "  delivered$"
mfa -p staging voice --to +15553334444 --wait=20 2>&1 >/dev/null | grep -q "  answered after 12 s$"'
# Each other ending: busy and undelivered (exit 1), ringing on and no receipt (10).
ex_run status-busy "$EX_HOME" 1 'mfa -p staging voice --to +15553330001 --wait=20'
expect status-busy-said grep -qx 'mfa: c-.*  busy' "$WORK/example-status-busy.err"
ex_run status-undelivered "$EX_HOME" 1 'mfa -p staging sms --to +15553330001 | mfa -p staging status'
expect status-undelivered-said grep -q '  not delivered: error 4720 (the carrier rejected the number as invalid)$' "$WORK/example-status-undelivered.out"
ex_run status-ringing "$EX_HOME" 10 'mfa -p staging voice --to +15553330002 --wait=3'
ex_run status-no-receipt "$EX_HOME" 10 'mfa -p staging sms --to +15553330002 | mfa -p staging status'
# The guard: a third code to one number in 10 minutes, with a limit of 2, is refused
# (exit 11) and makes no request; another number still goes.
before_guard=$(requests)
GUARD_LIMIT=2/10m ex_run guard "$EX_HOME" 11 'mfa -p staging voice --to +15553334444
mfa -p staging voice --to +15553330009
mfa -p staging voice --to +15553334444
mfa -p staging voice --to +15553334444'
expect guard-requests test $(($(requests) - before_guard)) = 3
expect guard-said grep -q 'refused by the guard: 2 codes were sent to this number in 10 min already (limit 2/10m)' "$WORK/example-guard.err"
# The round trip falls back to a text when the call is busy: both sends, one check.
ex_run fallback "$EX_HOME" 0 'mfa -p staging voice --to +15553330001 --verify --expiration 3 --fallback sms'
expect fallback-said grep -qx 'mfa: the code was sent by text message instead' "$WORK/example-fallback.err"
expect fallback-ids bash -c "grep -c '^[cm]-' '$WORK/example-fallback.out' | grep -qx 2"
# The examples of each command's --help, one group each. `mfa --help`'s are a story,
# run in order in a HOME of their own that has only the `staging` profile they take for
# granted: its set-up example must give the default profile all the next ones need.
MFA_HOME=$WORK/examples-mfa-home
ex_run mfa-staging "$MFA_HOME" 0 "$staging"$'\n'"mfa -p staging config set password -"
n=0
for path in "" voice sms verify status config doctor log; do
  # shellcheck disable=SC2086
  "$MFA" $path --help | python3 -c '
import sys
text = sys.stdin.read().split("Examples:\n", 1)[1]
groups = []
for line in text.split("\n"):
    if line.startswith("    "):
        groups[-1].append(line[4:])
    elif line.startswith("  "):
        groups.append([])
    else:
        break
for group in groups:
    print("\x1f".join(group))
' >"$WORK/examples-$path.txt"
  while IFS= read -r group; do
    n=$((n + 1))
    text=${group//$'\x1f'/$'\n'}
    home=$EX_HOME
    [ -z "$path" ] && home=$MFA_HOME
    case "$text" in "mfa config init"* | "mfa -p staging config init"*) home=$WORK/examples-fresh-$n ;; esac
    want=0
    case "$text" in
      *"mfa verify"* | *"--verify"*) want="0 1" ;;
      # Ids the stand-in never made: not known (10), as a call not yet visible is.
      "mfa status c-"* | "mfa status --json"*) want=10 ;;
    esac
    ex_run "${path:-mfa}-$n" "$home" "$want" "$text"
  done <"$WORK/examples-$path.txt"
done
# The commands table, its placeholders filled in.
n=0
# shellcheck disable=SC2016  # backquotes of the README's table, not commands
while IFS= read -r command; do
  n=$((n + 1))
  command=${command//NUMBER/+15553334444}
  command=${command//CODE/$CODE}
  command=${command//KEY VALUE/digits 6}
  command=${command//KEY/digits}
  command=${command//SHELL/bash}
  command=${command//NAME/staging}
  command=${command//ID.../c-none}
  home=$EX_HOME
  want=0
  case "$command" in
    # A call the stand-in never made: not known (10), as a call not yet visible is.
    "mfa status c-none") want=10 ;;
    "mfa config init") home=$WORK/examples-table-fresh ;;
    "mfa config remove staging") command+=" --yes" ;;  # no terminal here to ask at
  esac
  ex_run "table-$n" "$home" "$want" "$command"
done < <(sed -n '/^## Commands$/,/^$/p;/^| `mfa voice --to NUMBER`/,/^$/p' README.md | grep -o '^| `mfa [^`]*`' | cut -d'`' -f2 | awk '!seen[$0]++')

# No output of any run holds the password, the client secret, the Authorization values
# they make, an access token, or the code being verified.
AUTH=$(printf 'api-user:%s' "$PASSWORD" | base64 -w0)
CLIENT_AUTH=$(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)
PROXY_AUTH=$(printf 'proxy-user:%s' "$PROXY_PASSWORD" | base64 -w0)
if grep -rlF -e "$PASSWORD" -e "$AUTH" -e "$CLIENT_SECRET" -e "$CLIENT_AUTH" -e tok-standin- -e "$CODE" \
  -e "$PROXY_PASSWORD" -e "$PROXY_AUTH" \
  "$WORK"/*.out "$WORK"/*.err; then
  echo "FAIL: a secret appears in the files above"; failures=$((failures + 1))
else
  echo "secrets: the password, client secret, tokens, proxy password and code are in none of the $((runs * 2)) outputs"
fi

echo "$runs runs, $failures failures"
[ "$failures" = 0 ]
