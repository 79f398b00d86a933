{{/* The app name: the chart's, or nameOverride. */}}
{{- define "hco.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The objects' name: fullnameOverride, else <release>-<name> (just <release> when it holds the name). */}}
{{- define "hco.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "hco.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object but the helm test's (hco.testLabels). */}}
{{- define "hco.labels" -}}
{{ include "hco.selectorLabels" . }}
{{ include "hco.commonLabels" . }}
{{- end -}}

{{- define "hco.testLabels" -}}
{{ include "hco.instanceLabels" . }}
app.kubernetes.io/component: test
{{ include "hco.commonLabels" . }}
{{- end -}}

{{- define "hco.commonLabels" -}}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: heroku-connect-operator
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "hco.instanceLabels" -}}
app.kubernetes.io/name: {{ include "hco.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
The selector of the Deployment, PodDisruptionBudget, metrics Service and ServiceMonitor. The
component keeps the `helm test` pod (component: test, same name and instance) out of it: the
ReplicaSet would otherwise adopt that unowned pod and, one pod too many, delete one; the Service
would send scrapes to it. Immutable in a Deployment: no version here, and an upgrade from chart
0.1.0 (whose selector had no component) deletes the Deployment first (README, "Upgrading the chart").
*/}}
{{- define "hco.selectorLabels" -}}
{{ include "hco.instanceLabels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "hco.serviceAccountName" -}}
{{- default (include "hco.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* Leader election is on when asked for, and whenever more than one replica runs. */}}
{{- define "hco.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/* The operator's rules on its own kinds, Secrets and Events: the least it needs. */}}
{{- define "hco.rules" -}}
- apiGroups: ["herokuconnect.dev"]
  resources: ["herokuconnections", "herokumappings"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["herokuconnect.dev"]
  resources: ["herokuconnections/status", "herokumappings/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["herokuconnect.dev"]
  resources: ["herokuconnections/finalizers", "herokumappings/finalizers"]
  verbs: ["update"]
{{- /*
Secrets (README, "RBAC"): get, the token Secret a HerokuConnection names is read by name the first
time (not labelled yet; users choose the names, so resourceNames cannot narrow it); list, watch,
the informer on Secrets labelled herokuconnect.dev/credentials=true (RBAC cannot narrow by label);
patch, the operator holds that label and the finalizer herokuconnect.dev/credentials-in-use on the
Secret while a HerokuConnection uses it. With operator.watchNamespaces these rules are Roles in the
watched namespaces only, and no cluster-wide role grants Secrets.
*/}}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{/*
The operator's two ports, as controller-runtime sets them: /metrics on 8080 (METRICS_PORT, container
port "metrics"), /healthz and /readyz on 8081 (HEALTH_PORT, container port "health").
*/}}
{{- define "hco.metricsPort" -}}8080{{- end -}}
{{- define "hco.healthPort" -}}8081{{- end -}}

{{/* The metrics Service's name (also its DNS name's first label, and the job label of its scrapes). */}}
{{- define "hco.metricsService" -}}
{{- printf "%s-metrics" (include "hco.fullname" .) -}}
{{- end -}}

{{/* The Service's port name: https- when metrics.tls is on, so meshes and people read the protocol right. */}}
{{- define "hco.metricsPortName" -}}
{{- if .Values.metrics.tls.enabled -}}https-metrics{{- else -}}http-metrics{{- end -}}
{{- end -}}

{{/* Where the metrics Secrets are mounted in the operator's pod (and the CA in the helm test's). */}}
{{- define "hco.metricsTlsDir" -}}/etc/heroku-connect-operator/metrics-tls{{- end -}}
{{- define "hco.metricsTokenDir" -}}/etc/heroku-connect-operator/metrics-token{{- end -}}

{{/* The Secret names, required once their option is on. */}}
{{- define "hco.metricsTlsSecret" -}}
{{- required "metrics.tls.secretName: name the Secret with the certificate and its PKCS#8 key (e.g. cert-manager's, privateKey.encoding: PKCS8)" .Values.metrics.tls.secretName -}}
{{- end -}}
{{- define "hco.metricsTokenSecret" -}}
{{- required "metrics.bearerToken.secretName: name the Secret holding the token scrapers must send" .Values.metrics.bearerToken.secretName -}}
{{- end -}}

{{/*
One scrape endpoint of a ServiceMonitor or a PodMonitor: (dict "root" $ "monitor" <its values> "port" <port name>
"job" <job label to set, or "">).
With metrics.tls on, https and a tlsConfig (the monitor's, else the CA from the TLS Secret and the
Service's DNS name); with metrics.bearerToken on, the token from its Secret. prometheus-operator reads
both Secrets in the monitor's namespace.
*/}}
{{- define "hco.scrapeEndpoint" -}}
{{- $root := .root -}}
{{- $m := .monitor -}}
{{- $v := $root.Values.metrics -}}
port: {{ .port }}
path: /metrics
interval: {{ $m.interval }}
{{- with $m.scrapeTimeout }}
scrapeTimeout: {{ . }}
{{- end }}
honorLabels: {{ $m.honorLabels }}
{{- if $v.tls.enabled }}
scheme: https
tlsConfig:
  {{- if $m.tlsConfig }}
  {{- toYaml $m.tlsConfig | nindent 2 }}
  {{- else }}
  ca:
    secret:
      name: {{ include "hco.metricsTlsSecret" $root | quote }}
      key: {{ $v.tls.caKey | quote }}
  serverName: {{ printf "%s.%s.svc" (include "hco.metricsService" $root) $root.Release.Namespace }}
  {{- end }}
{{- end }}
{{- if $v.bearerToken.enabled }}
authorization:
  type: Bearer
  credentials:
    name: {{ include "hco.metricsTokenSecret" $root | quote }}
    key: {{ $v.bearerToken.key | quote }}
{{- end }}
{{- if or .job $m.relabelings }}
relabelings:
  {{- with .job }}
  # the job the alerts expect (prometheusRule.job), as a ServiceMonitor's scrape has it
  - targetLabel: job
    replacement: {{ . }}
  {{- end }}
  {{- with $m.relabelings }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- with $m.metricRelabelings }}
metricRelabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A ServiceMonitor's or PodMonitor's metadata: (dict "root" $ "monitor" <its values>). */}}
{{- define "hco.monitorMetadata" -}}
name: {{ include "hco.fullname" .root }}
namespace: {{ .monitor.namespace | default .root.Release.Namespace }}
labels:
  {{- include "hco.labels" .root | nindent 2 }}
  {{- with .monitor.labels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}
