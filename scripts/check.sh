#!/usr/bin/env bash
# The one test command (README and CI): set up what the tests need, type-check, lint, run every test,
# and print "N passed, N failed" (vitest does not print that line itself).
set -uo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "services"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "tests need PostgreSQL at 127.0.0.1:5432 (trust auth)"; exit 1; }

for script in scripts/setup.d/*.sh; do
  [ -e "$script" ] || continue
  step "setup: $script"
  bash "$script" || { echo "setup step $script failed"; exit 1; }
done

status=0
step "typecheck"
npx tsc --noEmit || status=1
step "lint"
npx eslint . || status=1

step "tests"
mkdir -p test/artifacts
npx vitest run --reporter=default --reporter=json --outputFile=test/artifacts/vitest.json || status=1
node scripts/summarize-vitest.mjs test/artifacts/vitest.json || status=1
exit "$status"
