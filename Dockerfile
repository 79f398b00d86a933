# syntax=docker/dockerfile:1
# Build: make image   (docker build --build-arg VERSION=<pom version> -t heroku-connect-operator:<version> .)
#
# Base images. Tags move; to pin one, pass the tag with its digest, e.g.
#   make image JRE_IMAGE=gcr.io/distroless/java17-debian12:nonroot@sha256:<digest>
# where <digest> comes from `crane digest gcr.io/distroless/java17-debian12:nonroot` or
# `docker buildx imagetools inspect gcr.io/distroless/java17-debian12:nonroot` (README, "Container image").
# No digest is written here: this project has not been able to resolve one from a registry.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
# The runtime base: distroless Java 17 (Debian 12), no shell and no package manager, so nothing in
# the image but the JRE and the jar; :nonroot runs as 65532. Debug with `kubectl debug` (README).
ARG JRE_IMAGE=gcr.io/distroless/java17-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
ARG VERSION
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY examples examples
RUN mvn -B -q package -DskipTests \
 && built="$(java -jar target/heroku-connect-operator-runtime.jar --version)" \
 && if [ "$built" != "$VERSION" ]; then \
      echo "the VERSION build arg ('$VERSION') is not the pom's version ('$built'): build with make image" >&2; exit 1; \
    fi

FROM ${JRE_IMAGE}
ARG VERSION
LABEL org.opencontainers.image.title="heroku-connect-operator" \
      org.opencontainers.image.description="Kubernetes operator for Heroku Connect (Salesforce to Heroku Postgres sync)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/herokuconnect-dev/heroku-connect-operator" \
      org.opencontainers.image.licenses="Apache-2.0"
# The runtime jar: the operator and its dependencies, without the demo, the fake Connect API or
# the mock Kubernetes server (those are only in target/heroku-connect-operator.jar).
COPY --from=build /src/target/heroku-connect-operator-runtime.jar /app/heroku-connect-operator.jar
USER 65532:65532
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=35 -XX:+UseSerialGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=48m -Xss512k -XX:+ExitOnOutOfMemoryError" \
    METRICS_PORT=8080 \
    HEALTH_PORT=8081
# /metrics on 8080, /healthz and /readyz on 8081 (controller-runtime's ports)
EXPOSE 8080 8081
# Exec form with an absolute path: the base has no shell to find java through.
ENTRYPOINT ["/usr/bin/java", "-jar", "/app/heroku-connect-operator.jar"]
CMD ["run"]
