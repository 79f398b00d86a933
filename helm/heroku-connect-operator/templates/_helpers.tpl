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
