{{/* Names */}}
{{- define "sb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sb.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "sb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "sb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: injector
{{- end -}}

{{- define "sb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sb.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sb.tlsSecretName" -}}
{{- if eq .Values.tls.mode "secret" -}}
{{- required "tls.secretName is required with tls.mode=secret" .Values.tls.secretName -}}
{{- else -}}
{{- printf "%s-tls" (include "sb.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* An image reference: repository@digest, or repository:tag (tag defaults to appVersion). */}}
{{- define "sb.imageRef" -}}
{{- $img := index . 0 -}}
{{- $ctx := index . 1 -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository (default $ctx.Chart.AppVersion $img.tag) -}}
{{- end -}}
{{- end -}}

{{- define "sb.image" -}}
{{- include "sb.imageRef" (list .Values.image .) -}}
{{- end -}}

{{- define "sb.sidecarImage" -}}
{{- if .Values.sidecar.image.repository -}}
{{- include "sb.imageRef" (list .Values.sidecar.image .) -}}
{{- else -}}
{{- include "sb.image" . -}}
{{- end -}}
{{- end -}}

{{/* Namespaces never sent to the webhook: the system ones, the release's own, and the excluded list. */}}
{{- define "sb.excludedNamespaces" -}}
{{- $list := concat (list "kube-system" "kube-public" .Release.Namespace) .Values.injector.excludeNamespaces | uniq -}}
{{- toJson $list -}}
{{- end -}}

{{- define "sb.namespaceSelector" -}}
{{- $sel := dict "matchExpressions" (list (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" (include "sb.excludedNamespaces" . | fromJsonArray))) -}}
{{- with .Values.webhook.namespaceSelector.matchLabels }}{{ $_ := set $sel "matchLabels" . }}{{ end -}}
{{- toYaml $sel -}}
{{- end -}}

{{/*
The opt-in, as a CEL match condition: the annotation is present and not "false". The
injector treats any other value as an opt-in and denies invalid ones ("yes", "True") with
a message, so a typo is reported rather than silently ignored.
*/}}
{{- define "sb.optInExpression" -}}
has(object.metadata.annotations) && 'secrets-broker.io/inject' in object.metadata.annotations && object.metadata.annotations['secrets-broker.io/inject'] != 'false'
{{- end -}}

{{/*
TLS material for tls.mode=generate, computed once per render and shared by the Secret and
the webhook: the existing Secret is reused (lookup) so upgrades keep the same CA.
*/}}
{{- define "sb.generatedTLS" -}}
{{- if not (hasKey .Values "__generatedTLS") -}}
{{- $secretName := include "sb.tlsSecretName" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $secretName -}}
{{- $result := dict -}}
{{- if and $existing $existing.data (hasKey $existing.data "ca.crt") (hasKey $existing.data "tls.crt") (hasKey $existing.data "tls.key") -}}
{{- $result = dict "ca" (index $existing.data "ca.crt") "crt" (index $existing.data "tls.crt") "key" (index $existing.data "tls.key") -}}
{{- else -}}
{{- $svc := include "sb.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $dns := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.clusterDomain) -}}
{{- $days := int .Values.tls.validityDays -}}
{{- $ca := genCA (printf "%s-ca" $svc) $days -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc $ns) nil $dns $days $ca -}}
{{- $result = dict "ca" ($ca.Cert | b64enc) "crt" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc) -}}
{{- end -}}
{{- $_ := set .Values "__generatedTLS" $result -}}
{{- end -}}
{{- end -}}

{{/* The caBundle for the webhook, base64, or empty when cert-manager injects it. */}}
{{- define "sb.caBundle" -}}
{{- if .Values.webhook.caBundle -}}
{{- .Values.webhook.caBundle | b64enc -}}
{{- else if and (eq .Values.tls.mode "generate") (not .Values.webhook.url) -}}
{{- include "sb.generatedTLS" . -}}
{{- index .Values.__generatedTLS "ca" -}}
{{- end -}}
{{- end -}}

{{/* Checks that no schema can express. */}}
{{- define "sb.validate" -}}
{{- if not .Values.vault.addr -}}
{{- fail "vault.addr is required: the Vault address the sidecars use (https://vault.vault.svc:8200)" -}}
{{- end -}}
{{- if and .Values.vault.caConfigMap .Values.vault.caSecret -}}
{{- fail "vault.caConfigMap and vault.caSecret: set at most one" -}}
{{- end -}}
{{- if and .Values.webhook.url (not .Values.webhook.caBundle) -}}
{{- fail "webhook.caBundle (PEM) is required with webhook.url" -}}
{{- end -}}
{{- if and (eq .Values.tls.mode "secret") (not .Values.webhook.caBundle) (not .Values.webhook.url) -}}
{{- fail "webhook.caBundle (PEM) is required with tls.mode=secret" -}}
{{- end -}}
{{- if and (not .Values.injector.enabled) (not .Values.webhook.url) -}}
{{- fail "injector.enabled=false needs webhook.url (where the injector runs)" -}}
{{- end -}}
{{- end -}}

{{/* Where the apiserver sends admission requests: the Service, or webhook.url. */}}
{{- define "sb.clientConfig" -}}
{{- if .Values.webhook.url -}}
url: {{ .Values.webhook.url | quote }}
{{- else -}}
service:
  name: {{ include "sb.fullname" . }}
  namespace: {{ .Release.Namespace }}
  path: /mutate
  port: {{ .Values.injector.service.port }}
{{- end }}
{{- with (include "sb.caBundle" .) }}
caBundle: {{ . }}
{{- end }}
{{- end }}
