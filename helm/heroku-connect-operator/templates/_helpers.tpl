{{- define "hco.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "hco.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "hco.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
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
