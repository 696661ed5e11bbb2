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
NODE_OPTIONS=--experimental-vm-modules "$bin/jest" "$@"
