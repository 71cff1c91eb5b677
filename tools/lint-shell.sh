#!/usr/bin/env bash
# Lints every shell script the repository tracks (tools/, bench/, .ci/run) with
# Debian's shellcheck, installed if missing, following what each script sources.
#
# usage: tools/lint-shell.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v shellcheck >/dev/null; then
  echo "installing shellcheck"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q shellcheck >/dev/null ||
    { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q shellcheck >/dev/null; }
fi
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck -x "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
