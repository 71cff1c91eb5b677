# shellcheck shell=bash
# What the tools' scripts share, sourced by each (tools/dist.sh, tools/check-action.sh,
# tools/check-release.sh, bench/compare.sh): a free port of 127.0.0.1, waiting for a
# server to listen there, and the one-line verdicts of a check.

# free_port: a port of 127.0.0.1 no one listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_port PORT: waits, at most 5 s, until something listens on PORT of 127.0.0.1.
wait_for_port() {
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$1))" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# pass|fail|skip TEXT: a check's verdict on one line; fail counts in $failures.
failures=0
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
skip() { printf 'skip  %s\n' "$*"; }
