#!/usr/bin/env bash
# Copies the files the install manifests embed from where they are maintained, because
# neither kustomize nor Helm reads files outside its own folder:
#   grafana/dashboards/*.json                  -> deploy/components/grafana-dashboards/dashboards/
#                                                 charts/mesh-soak/dashboards/
#   grafana/provisioning/dashboards/mesh-soak.yaml -> deploy/components/istio-sample-addons/mesh-soak-provider.yaml
#                                                 charts/mesh-soak/files/grafana-provider.yaml
#   deploy/rules/mesh-soak.rules.yaml          -> charts/mesh-soak/files/mesh-soak.rules.yaml
# Run it after editing any source; test/unit/deploy/synced-files.test.ts fails until then.
# deploy/components/kube-prometheus-stack/prometheusrule.yaml is edited by hand (the rules
# in a CRD); tests keep its groups equal to deploy/rules/mesh-soak.rules.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."

for dir in deploy/components/grafana-dashboards/dashboards charts/mesh-soak/dashboards; do
  mkdir -p "$dir"
  rm -f "$dir"/*.json
  cp grafana/dashboards/*.json "$dir"/
done
cp grafana/provisioning/dashboards/mesh-soak.yaml deploy/components/istio-sample-addons/mesh-soak-provider.yaml
mkdir -p charts/mesh-soak/files
cp grafana/provisioning/dashboards/mesh-soak.yaml charts/mesh-soak/files/grafana-provider.yaml
cp deploy/rules/mesh-soak.rules.yaml charts/mesh-soak/files/mesh-soak.rules.yaml

