{{/*
Labels on every object: the two deploy/ sets (name, part-of) and Helm's own. Names are fixed
("mesh-soak"), not derived from the release: one release per cluster, and the same names as
deploy/, which RBAC and the suites rely on.
*/}}
{{- define "mesh-soak.helmLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{- define "mesh-soak.labels" -}}
app.kubernetes.io/name: mesh-soak
app.kubernetes.io/part-of: mesh-soak
{{ include "mesh-soak.helmLabels" . }}
{{- end }}

{{- define "mesh-soak.redisLabels" -}}
app.kubernetes.io/name: mesh-soak-redis
app.kubernetes.io/part-of: mesh-soak
{{ include "mesh-soak.helmLabels" . }}
{{- end }}

{{/* The RoleBindings' subject: the daemon's ServiceAccount. */}}
{{- define "mesh-soak.subjects" -}}
- kind: ServiceAccount
  name: mesh-soak
  namespace: {{ .Release.Namespace }}
{{- end }}

{{/* The config file (DESIGN.md "Config") from the values. */}}
{{- define "mesh-soak.config" -}}
{{- $notify := dict -}}
{{- if .Values.alertmanager.url -}}
{{- $_ := set $notify "alertmanager" (dict "url" .Values.alertmanager.url) -}}
{{- end -}}
{{- $hooks := list -}}
{{- range $name, $hook := .Values.webhooks -}}
{{- if $hook.enabled -}}
{{- $hooks = append $hooks (dict "name" $name "url" (printf "${%s}" $hook.env) "format" $hook.format) -}}
{{- end -}}
{{- end -}}
{{- if $hooks -}}
{{- $_ := set $notify "webhooks" $hooks -}}
{{- end -}}
{{- $config := dict
  "prometheus" (dict "url" .Values.prometheus.url "timeout" .Values.prometheus.timeout)
  "redis" (dict "url" "redis://mesh-soak-redis:6379")
  "tick" .Values.tick
  "http" (dict "port" 9464)
  "suites" .Values.suites
  "checks" .Values.checks
-}}
{{- if $notify -}}
{{- $_ := set $config "notify" $notify -}}
{{- end -}}
{{- toYaml $config -}}
{{- end }}

{{/* The Secret a reference reads: its own existingSecret, else the global one. */}}
{{- define "mesh-soak.secretName" -}}
{{- required "existingSecret (or the reference's own existingSecret) must name a Secret" (default .root.Values.existingSecret .ref.existingSecret) -}}
{{- end }}
