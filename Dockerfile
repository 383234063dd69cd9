# xregion image: the runnable jar, application.properties and routes/ on a Java 17 JRE, as a non-root user.
#   docker build -t <registry>/xregion:0.1.0 .
# Kubernetes mounts its own application.properties and routes over these (k8s/, docs/deploy.md).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -q -ntp dependency:go-offline
COPY src src
RUN mvn -B -q -ntp -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 xregion \
 && useradd --system --uid 10001 --gid xregion --home-dir /deployments --no-create-home xregion
WORKDIR /deployments
COPY --from=build /build/target/xregion-*-runner.jar xregion.jar
COPY application.properties ./
# the app's routes only: routes/dev belongs to the dev profile, which the runner jar does not hold
COPY routes/*.camel.yaml routes/
# the outbox (xregion.servicebus.outbox.directory = data/outbox): mount a persistent volume here
RUN mkdir -p data && chown xregion:xregion data
USER 10001:10001
# 8080: negotiate, event handler, broadcast, publish; 9876: /observe/health and /observe/metrics
EXPOSE 8080 9876
# the heap takes 60 % of the container limit; the rest is for metaspace, threads and Netty's direct buffers
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/deployments/xregion.jar"]
