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
{{ include "hco.commonLabels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "hco.testLabels" -}}
{{ include "hco.commonLabels" . }}
app.kubernetes.io/component: test
{{- end -}}

{{- define "hco.commonLabels" -}}
{{ include "hco.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: heroku-connect-operator
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The Deployment's selector: never change it (it is immutable), so no component or version here. */}}
{{- define "hco.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hco.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
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
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
