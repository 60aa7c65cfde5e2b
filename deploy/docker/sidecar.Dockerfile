# syntax=docker/dockerfile:1
# Tollgate sidecar. Build from the repository root (the build stage compiles the sources):
#   docker build -f deploy/docker/sidecar.Dockerfile -t tollgate/sidecar:0.1.0-SNAPSHOT .
# Run it in the app's network namespace (a second container of the pod, or compose's
# network_mode: service:app) with --control-plane HOST:4101 and TOLLGATE_SIDECAR_TOKEN.

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
COPY sidecar/src sidecar/src
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests -pl sidecar -am package

# ---- runtime: JRE 21, non-root.
FROM eclipse-temurin:21-jre-noble
# curl only for HEALTHCHECK and Kubernetes exec probes: the sidecar listens on loopback, where
# the kubelet's httpGet probes cannot reach it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid tollgate --home-dir /var/lib/tollgate --shell /usr/sbin/nologin tollgate \
 && mkdir -p /var/lib/tollgate \
 && chown tollgate:tollgate /var/lib/tollgate
WORKDIR /app
# The jar's manifest puts lib/*.jar on its class path.
COPY --from=build /src/sidecar/target/lib/ /app/lib/
COPY --from=build /src/sidecar/target/tollgate-sidecar.jar /app/tollgate-sidecar.jar
USER 10001:10001
# /var/lib/tollgate holds the usage spool: mount a volume there so that a restart loses no usage.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# 4000: the app's OpenAI-compatible endpoint, bound to 127.0.0.1 (reachable from the app's
# network namespace only; publishing it on a host port does not work and is not meant to).
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:4000/health/readiness"]
# The same JVM flags as the ./tollgate launcher, with the sidecar's memory bounds: a 64-128 MiB
# heap (on the command line, so it wins over MaxRAMPercentage above and over JAVA_TOOL_OPTIONS:
# override ENTRYPOINT to give a sidecar more, e.g. for requests carrying large images).
# At most 2 malloc arenas: glibc's default (8 per core) keeps the JIT compiler's freed memory resident;
# and that freed memory is given back to the system once a second (TrimNativeHeapInterval).
# A class-data archive in the data volume: the first run writes it at exit, later starts map it
# (about half the start-to-ready time; see the launcher); without a writable volume it is skipped.
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms64m", "-Xmx128m", "-Xmn16m", \
  "-XX:SurvivorRatio=3", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m", "-Xss512k", \
  "-Djdk.pollerMode=1", "-XX:TrimNativeHeapInterval=1000", \
  "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=/var/lib/tollgate/sidecar.jsa", "-Xlog:cds=off", \
  "-jar", "/app/tollgate-sidecar.jar"]
CMD ["--data-dir", "/var/lib/tollgate"]
