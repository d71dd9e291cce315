# syntax=docker/dockerfile:1
#
# appnet agent image: the sidecar agent (appnet-agent) + Envoy, in one image.
#
#   docker build -f docker/agent.Dockerfile -t appnet-agent:local .
#
# Roles (the same image, as in ECS):
#   sidecar  (default)  node /app/dist/src/sidecar/main.js: writes Envoy's bootstrap from the
#                       environment, runs and supervises /usr/bin/envoy, serves /status on
#                       /var/run/ecs/appnet_admin.sock. Needs APPMESH_RESOURCE_ARN (and, behind
#                       the relay, APPMESH_XDS_ENDPOINT=unix:///var/run/appnet/relay/relay_xds.sock).
#   relay               the same entry point with APPNET_ENABLE_RELAY_MODE_FOR_XDS=1: the xDS relay
#                       (README "Relay configuration"); Envoy is not started.
#
# Base images. Node 20 slim (Debian bookworm) is the base and Envoy is copied in as one
# binary from the official Envoy image, not the reverse: Envoy's release binary only links
# glibc (bookworm's 2.36 is newer than the Ubuntu base it is built on), while Node would
# bring node + npm + their tree of files and expect a matching libstdc++. Both images are
# multi-arch (amd64, arm64), so a build for one platform takes both from that platform.
# Pin both by digest for fully reproducible builds:
#   --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:...  --build-arg ENVOY_IMAGE=envoyproxy/envoy:v1.29-latest@sha256:...
#
# User. Everything runs as uid/gid 1337: the IgnoredUID of App Mesh's proxyConfiguration (so
# iptables does not redirect Envoy's own traffic), and the owner of the relay socket (mode
# 0600), so every sidecar (also 1337) may connect to it. /var/run/ecs (admin socket) and
# /var/run/appnet/relay (relay socket directory) are created here owned by 1337; a named
# volume mounted on the latter starts with that ownership.
#
# Not built or run in this repository's CI (no Docker engine there): checked by reading.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG ENVOY_IMAGE=envoyproxy/envoy:v1.29-latest

# --- Envoy: only the binary is taken ----------------------------------------------------
FROM ${ENVOY_IMAGE} AS envoy

# --- build: compile the TypeScript (dev dependencies only live here) --------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- runtime ----------------------------------------------------------------------------
FROM ${NODE_IMAGE}
# ca-certificates: Envoy's own TLS to App Mesh (direct mode, no relay) reads
# /etc/pki/tls/cert.pem, the Amazon Linux path, which the relay also uses by default.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /etc/pki/tls \
 && ln -s /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/cert.pem \
 && groupadd --gid 1337 appnet \
 && useradd --uid 1337 --gid 1337 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin appnet \
 && mkdir -p /var/run/ecs /var/run/appnet/relay \
 && chown 1337:1337 /var/run/ecs /var/run/appnet/relay \
 && chmod 0750 /var/run/appnet/relay

COPY --from=envoy /usr/local/bin/envoy /usr/bin/envoy

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# proto/ is read at run time (found by walking up from dist/src/common).
COPY proto ./proto
COPY --from=build /src/dist/src ./dist/src

# Defaults for the agent (README "Agent configuration"); override per container.
#   APPNET_AGENT_ADMIN_MODE=uds   serve /status etc. on APPNET_AGENT_ADMIN_UDS_PATH (as in ECS),
#                                 which the HEALTHCHECK below asks
#   ENVOY_BIN=/usr/bin/envoy      where the binary above was put (also the agent's default)
ENV APPNET_AGENT_ADMIN_MODE=uds \
    APPNET_AGENT_ADMIN_UDS_PATH=/var/run/ecs/appnet_admin.sock \
    ENVOY_BIN=/usr/bin/envoy

USER 1337:1337

# Sidecar: HEALTHY once Envoy is LIVE with its initial config and the control plane (through
# the relay) is connected. Relay: HEALTHY once listening, connected upstream, with valid
# credentials. `-envoyReadiness` asks the agent's own /status over the admin socket (no curl
# in this image); READINESS_TIMEOUT_S=0 makes it one attempt, as a health check should be.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["env", "APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S=0", "node", "/app/dist/src/sidecar/main.js", "-envoyReadiness"]

# Node is PID 1: the agent handles SIGTERM/SIGINT/SIGQUIT itself (drain, stop Envoy, exit 0).
ENTRYPOINT ["node", "/app/dist/src/sidecar/main.js"]
