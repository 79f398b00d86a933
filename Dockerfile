# syntax=docker/dockerfile:1
# Build: make image (or docker build -t heroku-connect-operator:dev .)

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY examples examples
RUN mvn -B -q package -DskipTests \
 && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib

FROM eclipse-temurin:17-jre-jammy
# Dependencies first: they change less often than the operator, so their layer is reused.
COPY --from=build /src/target/lib /app/lib
COPY --from=build /src/target/heroku-connect-operator-*.jar /app/heroku-connect-operator-thin.jar
USER 65532:65532
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=35 -XX:+UseSerialGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=48m -Xss512k -XX:+ExitOnOutOfMemoryError" \
    HEALTH_PORT=8080
EXPOSE 8080
ENTRYPOINT ["java", "-cp", "/app/heroku-connect-operator-thin.jar:/app/lib/*", "dev.herokuconnect.operator.cli.Main"]
CMD ["run"]
