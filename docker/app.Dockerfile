# syntax=docker/dockerfile:1
#
# Demo app image for the seed scenario (tools/demo-apps: developer tooling, not the product): serviceB / serviceBv2 are gRPC
# servers answering their name; serviceA calls serviceb.apps.local and counts who answered.
#
#   docker build -f docker/app.Dockerfile -t appnet-demo-app:local .
#   docker run --rm appnet-demo-app:local --name serviceB --port 80 --host 0.0.0.0
#   docker run --rm appnet-demo-app:local --name serviceA --call xds:///serviceb.apps.local:80 --stats-port 8080
#
# Not built or run in this repository's CI (no Docker engine there): checked by reading.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.tools.json ./
COPY proto ./proto
COPY src ./src
COPY tools ./tools
# Only src/ and tools/ are here, so the tools project compiles those (test/ and bench/ match nothing).
RUN npx tsc -p tsconfig.tools.json

FROM ${NODE_IMAGE}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# dist/src and proto too: the demo apps use the project's modules (they resolve ../../src).
COPY proto ./proto
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/tools/demo-apps ./dist/tools/demo-apps
# The image's `node` user (uid 1000) — not 1337, so in ECS the app's traffic goes through Envoy.
# Port 80 as non-root: Docker >= 20.10 sets net.ipv4.ip_unprivileged_port_start=0 in a
# container's own network namespace.
USER node
ENTRYPOINT ["node", "/app/dist/tools/demo-apps/main.js"]
