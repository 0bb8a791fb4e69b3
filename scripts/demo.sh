#!/usr/bin/env bash
# The README's run command: set-up (Debian packages, npm ci, build), then `mesh-soak demo`.
# Arguments pass through, e.g. npm run demo -- --fault graceful-shutdown:no-drain
set -euo pipefail
cd "$(dirname "$0")/.."
MESH_SOAK_WITH_BROWSER=0 MESH_SOAK_WITH_CONTAINERS=0 bash scripts/setup.sh
exec node dist/src/cli.js demo "$@"
