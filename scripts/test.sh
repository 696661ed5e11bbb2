#!/usr/bin/env bash
# natfleet's whole check, the one README names and CI runs: its prerequisites first
# (scripts/prerequisites.sh names or installs each), then lint, typecheck, the bundle diff,
# then the unit and integration tests (the latter start the committed bundles the way their
# runtimes would).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
step() { printf '\n== %s\n' "$*"; }

step prerequisites
bash scripts/prerequisites.sh
step lint
"$bin/eslint" .
"$bin/prettier" --check --log-level warn .
step typecheck
"$bin/tsc" --noEmit
step "bundles match the sources"
node scripts/build.mjs --check
step tests
# Every AWS call the suites make is recorded here (test/calls.ts) for the IAM proof below.
calls=$(mktemp -d)
trap 'rm -rf "$calls"' EXIT
NATFLEET_CALLS="$calls" NODE_OPTIONS=--experimental-vm-modules "$bin/jest" "$@"
if [ "$#" -eq 0 ]; then
  step "IAM proof over every call of the suites (docs/iam.md)"
  NATFLEET_CALLS_FROM="$calls" NODE_OPTIONS=--experimental-vm-modules \
    "$bin/jest" test/integration/iam-proof.test.ts -t 'whole suite'
fi
