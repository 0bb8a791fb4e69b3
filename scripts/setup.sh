#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh Debian machine: the Debian packages of
# the real servers (installed only when missing, after `apt-get update`), the npm
# dependencies from the lockfile, and the build. Safe to run again: each step is skipped
# when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
if [ "${MESH_SOAK_WITH_BROWSER:-1}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
# podman (with runc) runs the image test and the testcontainers half of the harness tests;
# MESH_SOAK_WITH_CONTAINERS=0 leaves it out (those tests then skip, saying why).
if [ "${MESH_SOAK_WITH_CONTAINERS:-1}" = 1 ]; then
  for tool in podman runc mmdebstrap; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's packages start services on install where an init system runs; mesh-soak starts
# its own instances on free ports, so nothing here depends on those.

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
bash scripts/kube-tools.sh
# No registry can be reached from these machines: the images the tests run are built here
# (minutes the first time, seconds once they exist; docs/testing-containers.md).
if [ "${MESH_SOAK_WITH_CONTAINERS:-1}" = 1 ] && command -v podman >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "setup: container base images"
  bash scripts/containers/base-images.sh
fi
# The build, skipped when nothing it reads changed since the last one (dist/.build-stamp).
stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find src simulator test bench tsconfig.json tsconfig.build.json package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "setup: build up to date"
else
  echo "setup: build"
  npx tsc -p tsconfig.json
  touch "$stamp"
fi
