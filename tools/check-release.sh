#!/usr/bin/env bash
# Runs the release binary as a new user would (fresh HOME, nothing inherited) against
# tools/standin.py, an independent stand-in for the API that checks every request
# against Bandwidth's published schema. Checks exit statuses, that bad input sends
# nothing, that each call is made exactly once, and that no output holds the password
# or the code being verified.
#
# usage: tools/check-release.sh        (needs cargo and python3 with pip; listens on 127.0.0.1)
set -uo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet || exit 1
MFA=$PWD/target/release/mfa
WORK=$(mktemp -d)
PASSWORD='pw-Zq8!x_s3cr3t-release'
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 tools/standin.py "$PORT" api-user "$PASSWORD" "$WORK/requests.log" &
STANDIN=$!
trap 'kill $STANDIN 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT))" 2>/dev/null && break; sleep 0.1; done

failures=0
runs=0
requests() { [ -f "$WORK/requests.log" ] && wc -l < "$WORK/requests.log" || echo 0; }

# check NAME EXPECTED_EXIT EXPECTED_REQUESTS -- ARGS...
#   (env from NEWUSER_ENV; stdin from STDIN_TEXT, empty unless set)
check() {
  local name=$1 want=$2 want_requests=$3; shift 4
  local before after code
  before=$(requests)
  mkdir -p "$WORK/home-$name"
  printf '%s' "${STDIN_TEXT:-}" >"$WORK/$name.in"
  env -i HOME="$WORK/home-$name" PATH=/usr/bin:/bin "${NEWUSER_ENV[@]}" "$MFA" "$@" \
    <"$WORK/$name.in" >"$WORK/$name.out" 2>"$WORK/$name.err"
  code=$?
  after=$(requests)
  runs=$((runs + 1))
  local sent=$((after - before)) verdict=ok
  if [ "$code" != "$want" ] || [ "$sent" != "$want_requests" ]; then verdict=FAIL; failures=$((failures + 1)); fi
  printf '%-4s %-22s exit %s (want %s), requests %s (want %s)\n' "$verdict" "$name" "$code" "$want" "$sent" "$want_requests"
  printf '     stdout: %s\n     stderr: %s\n' "$(head -c 300 "$WORK/$name.out")" "$(head -c 300 "$WORK/$name.err")"
}

BASE="http://127.0.0.1:$PORT/api/v1"
SEND=(voice --to +15553334444 --from +15554443333 --application-id 93de2206-9669-4e07-948d-329f4b722ee2 --username api-user --base-url "$BASE")
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

check send-text        0 1 -- "${SEND[@]}" --account-id ok
check send-json        0 1 -- "${SEND[@]}" --account-id ok --json
check send-scope       0 1 -- "${SEND[@]}" --account-id ok --scope login --digits 2 --message "{CODE}"
check send-upper       0 1 -- "${SEND[@]}" --account-id upper
check send-verbose     0 1 -- "${SEND[@]}" --account-id ok -v
check e401             4 1 -- "${SEND[@]}" --account-id e401
check e403             4 1 -- "${SEND[@]}" --account-id e403
check e429             6 1 -- "${SEND[@]}" --account-id e429
check e500             7 1 -- "${SEND[@]}" --account-id e500
check e502-html        7 1 -- "${SEND[@]}" --account-id e502
check notjson          9 1 -- "${SEND[@]}" --account-id notjson
check redirect         9 1 -- "${SEND[@]}" --account-id redirect
check huge-body        9 1 -- "${SEND[@]}" --account-id huge
check control-chars    9 1 -- "${SEND[@]}" --account-id ctrl
check slow-timeout     8 1 -- "${SEND[@]}" --account-id slow --timeout 1
check json-error       6 1 -- "${SEND[@]}" --account-id e429 --json
check dry-run          0 0 -- "${SEND[@]}" --account-id ok --dry-run
check dry-run-json     0 0 -- "${SEND[@]}" --account-id ok --dry-run --json
check bad-to           2 0 -- "${SEND[@]}" --account-id ok --to 5553334444
check bad-to-newline   2 0 -- "${SEND[@]}" --account-id ok --to $'+15553334444\n'
check bad-digits-1     2 0 -- "${SEND[@]}" --account-id ok --digits 1
check bad-digits-9     2 0 -- "${SEND[@]}" --account-id ok --digits 9
check bad-message      2 0 -- "${SEND[@]}" --account-id ok --message "no code"
check bad-scope        2 0 -- "${SEND[@]}" --account-id ok --scope abcdefghijklmnopqrstuvwxyz
check bad-app-id       2 0 -- "${SEND[@]}" --account-id ok --application-id "$(printf 'a%.0s' $(seq 51))"
check bad-base-url     2 0 -- "${SEND[@]}" --account-id ok --base-url http://example.com/api/v1
check unknown-flag     2 0 -- "${SEND[@]}" --account-id ok --frm +15554443333
check missing-config   3 0 -- "${SEND[@]}" --account-id ok --config /nonexistent/mfa.toml
check missing-profile  3 0 -- "${SEND[@]}" --account-id ok --profile nope
NEWUSER_ENV=(MFA_TIMEOUT=1)
check no-password      3 0 -- "${SEND[@]}" --account-id ok
NEWUSER_ENV=(BW_PASSWORD="wrong-$PASSWORD")
check wrong-password   4 1 -- "${SEND[@]}" --account-id ok
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_NUMBER=12345)
check bad-env-from     3 0 -- voice --to +15553334444 --application-id app --account-id ok --username api-user --base-url "$BASE"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")
check refused          8 0 -- "${SEND[@]}" --account-id ok --base-url "http://127.0.0.1:1/api/v1"

# mfa sms: the same rules, its own path and application id.
SMS=(sms --to +15553334444 --from +15554443333 --application-id b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90 --username api-user --base-url "$BASE")
check sms-text         0 1 -- "${SMS[@]}" --account-id ok
check sms-json         0 1 -- "${SMS[@]}" --account-id ok --json --scope login
check sms-upper        0 1 -- "${SMS[@]}" --account-id upper
check sms-e500         7 1 -- "${SMS[@]}" --account-id e500
check sms-e403         4 1 -- "${SMS[@]}" --account-id e403
check sms-ctrl         9 1 -- "${SMS[@]}" --account-id ctrl
check sms-dry-run      0 0 -- "${SMS[@]}" --account-id ok -n
check sms-bad-to       2 0 -- "${SMS[@]}" --account-id ok --to +1
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_VOICE_APPLICATION_ID=93de2206-9669-4e07-948d-329f4b722ee2)
check sms-voice-app    2 0 -- sms --to +15553334444 --from +15554443333 --account-id ok --username api-user --base-url "$BASE"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD" BW_MESSAGING_APPLICATION_ID=b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90 BW_NUMBER=+15554443333)
check sms-env-app      0 1 -- sms --to +15553334444 --account-id ok --username api-user --base-url "$BASE"
NEWUSER_ENV=(BW_PASSWORD="$PASSWORD")

# mfa verify: the stand-in says valid for 48213967 only.
CODE=48213967
VERIFY=(verify --to +15553334444 --expiration 5 --username api-user --base-url "$BASE")
check verify-valid     0 1 -- "${VERIFY[@]}" --account-id ok --code "$CODE"
check verify-invalid   1 1 -- "${VERIFY[@]}" --account-id ok --code 11112222
check verify-json      1 1 -- "${VERIFY[@]}" --account-id ok --code 11112222 --json --scope login
check verify-upper     0 1 -- "${VERIFY[@]}" --account-id upper --code "$CODE"
check verify-verbose   0 1 -- "${VERIFY[@]}" --account-id ok --code "$CODE" -v
STDIN_TEXT="$CODE"$'\n'
check verify-stdin     0 1 -- "${VERIFY[@]}" --account-id ok --code -
check verify-dry-run   0 0 -- "${VERIFY[@]}" --account-id ok --code - -n --json
STDIN_TEXT="$CODE"$'\n'"$CODE"$'\n'
check verify-2-lines   2 0 -- "${VERIFY[@]}" --account-id ok --code -
STDIN_TEXT=
check verify-no-stdin  2 0 -- "${VERIFY[@]}" --account-id ok --code -
check verify-e429      6 1 -- "${VERIFY[@]}" --account-id e429 --code "$CODE"
check verify-oddvalid  9 1 -- "${VERIFY[@]}" --account-id oddvalid --code "$CODE"
check verify-e401      4 1 -- "${VERIFY[@]}" --account-id e401 --code "$CODE"
check verify-slow      8 1 -- "${VERIFY[@]}" --account-id slow --code "$CODE" --timeout 1
check verify-code-3    2 0 -- "${VERIFY[@]}" --account-id ok --code 482
check verify-code-9    2 0 -- "${VERIFY[@]}" --account-id ok --code "${CODE}0"
check verify-exp-0     2 0 -- "${VERIFY[@]}" --account-id ok --code "$CODE" --expiration 0
check verify-exp-16    2 0 -- "${VERIFY[@]}" --account-id ok --code "$CODE" --expiration 16
check verify-bad-to    2 0 -- "${VERIFY[@]}" --account-id ok --code "$CODE" --to 5553334444
check verify-no-exp    2 0 -- verify --to +15553334444 --code "$CODE" --account-id ok --username api-user --base-url "$BASE"

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
# bandwidth-sdk). Its `digits` minimum is 4 where the product brief, which CONTRACT.md
# follows, allows 2; a body refused for that alone is reported, not failed.
VENV=target/bandwidth-sdk-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet bandwidth-sdk >/dev/null
fi
"$VENV/bin/python" - "$WORK/requests.log" <<'PY' || failures=$((failures + 1))
import json, sys
from pydantic import ValidationError
from bandwidth.models.code_request import CodeRequest
from bandwidth.models.verify_code_request import VerifyCodeRequest
bad = brief = total = 0
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
            brief += 1
        else:
            bad += 1
            print("SDK schema problem:", err, body)
print(f"sdk schema: {total - bad - brief} of {total} requests valid, {brief} with 2 or 3 digits (brief), {bad} invalid")
sys.exit(1 if bad else 0)
PY

# No output of any run holds the password, the Authorization value it makes, or the
# code being verified.
AUTH=$(printf 'api-user:%s' "$PASSWORD" | base64 -w0)
if grep -rlF -e "$PASSWORD" -e "$AUTH" -e "$CODE" "$WORK"/*.out "$WORK"/*.err; then
  echo "FAIL: a secret appears in the files above"; failures=$((failures + 1))
else
  echo "secrets: the password and the code are in none of the $((runs * 2)) outputs"
fi

echo "$runs runs, $failures failures"
[ "$failures" = 0 ]
