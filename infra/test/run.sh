#!/usr/bin/env bash
# The infrastructure's entry in `make test`: installs infra's pinned packages once (npm ci; again only when
# package-lock.json changes), type-checks and compiles with tsc, then runs the stack tests (Pulumi mocks) and the
# workflow checks under Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.kefir-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
npx tsc -p .
node --test .build/test/
