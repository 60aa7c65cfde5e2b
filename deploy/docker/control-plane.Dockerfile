# syntax=docker/dockerfile:1
# Tollgate control plane. Build from the repository root (the build stage compiles the sources):
#   docker build -f deploy/docker/control-plane.Dockerfile -t tollgate/control-plane:0.1.0-SNAPSHOT .
# Run: mount a config at /etc/tollgate/config.yaml and set TOLLGATE_MASTER_KEY,
# TOLLGATE_SIDECAR_TOKEN, TOLLGATE_DB_URL (+ TOLLGATE_DB_USER/TOLLGATE_DB_PASSWORD). Without
# TOLLGATE_DB_URL an embedded PostgreSQL runs in /var/lib/tollgate: fine for a trial, not for replicas.

# ---- build: Maven + JDK 21. Tests run in CI (./tollgate test), not in the image build.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
# Maven reads every module's pom.xml of the reactor, even when it builds only one module.
COPY pom.xml ./
COPY proto/pom.xml proto/
COPY control-plane/pom.xml control-plane/
COPY sidecar/pom.xml sidecar/
COPY sdk-tests/pom.xml sdk-tests/
COPY deploy/pom.xml deploy/
COPY bench/pom.xml bench/
# Only sources: a host's target/ folders must not leak stale jars into the image.
COPY proto/src proto/src
COPY control-plane/src control-plane/src
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests -pl control-plane -am package

# ---- runtime: JRE 21, non-root.
FROM eclipse-temurin:21-jre-noble
# curl only for HEALTHCHECK and Kubernetes exec probes (newer Temurin images no longer ship it).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid tollgate --home-dir /var/lib/tollgate --shell /usr/sbin/nologin tollgate \
 && mkdir -p /etc/tollgate /var/lib/tollgate \
 && chown tollgate:tollgate /var/lib/tollgate
WORKDIR /app
# The jar's manifest puts lib/*.jar on its class path.
COPY --from=build /src/control-plane/target/lib/ /app/lib/
COPY --from=build /src/control-plane/target/tollgate-control-plane.jar /app/tollgate-control-plane.jar
USER 10001:10001
# Heap follows the container's memory limit; an OutOfMemoryError restarts the container.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# 4100: admin HTTP API, /metrics, /health/*; 4101: sidecar gRPC control stream.
EXPOSE 4100 4101
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:4100/health/readiness"]
# The same JVM flags as the ./tollgate launcher.
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-jar", "/app/tollgate-control-plane.jar"]
CMD ["--config", "/etc/tollgate/config.yaml", "--data-dir", "/var/lib/tollgate"]
