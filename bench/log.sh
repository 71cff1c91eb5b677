#!/usr/bin/env bash
# `mfa log` on a large audit log: the peak resident memory (/usr/bin/time -v) and wall
# time of `mfa log --limit 1`, `mfa log --to NUMBER` and `mfa log --json` (all of it,
# to /dev/null) on a log of about SIZE_MB MiB made here of mfa's own lines, 1 in 50 for
# the number asked for. Memory must not grow with the log: the log is read a line at a
# time, and only each shown entry's time and place are kept.
#
# usage: bench/log.sh   (SIZE_MB=70 by default; MFA=path measures that binary, else
#                        the release build, made if need be)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-70}
if [ ! -x /usr/bin/time ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q time >/dev/null ||
    { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q time >/dev/null; }
fi
if [ -z "${MFA:-}" ]; then
  cargo build --release --quiet
  MFA=target/release/mfa
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/audit.jsonl"
python3 - "$log" "$SIZE_MB" <<'PY'
import json, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
with open(path, "w") as out:
    n = 0
    while out.tell() < size:
        n += 1
        entry = {
            "time": "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
                1 + n // 2_000_000 % 12, 1 + n // 60_000 % 28, n // 3600 % 24,
                n // 60 % 60, n % 60, n % 1000),
            "command": "voice", "call": "voice", "profile": "default",
            "account_id": "9900000",
            "to": "+15550000000" if n % 50 == 0 else "+1555%07d" % (n % 10_000_000),
            "operator": {"login": "ops", "uid": 1000}, "host": "bench",
            "id": "c-%012d" % n, "request_id": "r-%012d" % n, "status": 200,
            "sent": "yes", "exit": 0, "version": "0.2.0",
        }
        out.write(json.dumps(entry, separators=(",", ":")) + "\n")
PY
printf 'log: %s MiB, %s entries; mfa: %s\n' "$(( $(stat -c %s "$log") / 1024 / 1024 ))" \
  "$(wc -l <"$log")" "$MFA"

measure() {
  local name=$1; shift
  /usr/bin/time -v "$MFA" log --log "$log" "$@" >/dev/null 2>"$work/time"
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$work/time")
  printf '%-28s peak %6.1f MiB   wall %s\n' "$name" "$(echo "$rss / 1024" | bc -l)" "$wall"
}
measure "mfa log --limit 1" --limit 1
measure "mfa log --to NUMBER" --to +15550000000
measure "mfa log --json (all)" --json
