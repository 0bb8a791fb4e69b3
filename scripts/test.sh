#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up (packages, npm ci, build), lint, type check,
# then every vitest test (unit, integration against real Redis/Prometheus/Alertmanager
# started on free loopback ports, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: lint"
npx eslint src test bench
echo "test: vitest"
npx vitest run "$@"
