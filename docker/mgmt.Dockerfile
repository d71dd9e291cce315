# syntax=docker/dockerfile:1
#
# appnet-mgmt image: the App Mesh control plane (the App Mesh API on the admin port, xDS
# over ADS SotW + Delta, TLS, SigV4 verification, the model kept in /data).
#
#   docker build -f docker/mgmt.Dockerfile -t appnet-mgmt:local .
#   docker run --rm appnet-mgmt:local --help
#
# Every option is a flag or its APPNET_MGMT_* variable (README, `--help`). The defaults set
# below only make sense in a container: listen on all interfaces, gRPC on 18000, the App Mesh
# API and the admin pages (/healthz /streams /resources /rejections /nacks) on 18001, the
# store in /data (mount a volume there to keep the model across containers).
# The default command seeds the App Mesh scenario (mesh "apps": serviceA -> serviceB
# 75 % / serviceBv2 25 %) with `--appmesh` when /data holds no model yet.
#
# The image also carries docker/compose-init.js, run by docker-compose.yml's one-shot `init`
# service (a throwaway CA, the server certificate, the SigV4 credentials file, the model).
# The baked-in model keeps its `endpoints` (127.0.0.1 ports): as is, the image is for trying
# the management server; docker-compose.yml serves a copy without them (see compose-init.js).
#
# Not built or run in this repository's CI (no Docker engine there): checked by reading.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY proto ./proto
COPY --from=build /src/dist/src ./dist/src
COPY docker/compose-init.js ./docker/compose-init.js
COPY examples/appmesh ./examples/appmesh

ENV APPNET_MGMT_HOST=0.0.0.0 \
    APPNET_MGMT_PORT=18000 \
    APPNET_MGMT_ADMIN_PORT=18001 \
    APPNET_MGMT_DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
EXPOSE 18000 18001

# The image's own `node` user (uid 1000); docker/compose-init.js hands it the key and credentials.
USER node

HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.APPNET_MGMT_ADMIN_PORT||18001)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]

ENTRYPOINT ["node", "/app/dist/src/mgmt/main.js"]
CMD ["--appmesh", "/app/examples/appmesh/apps.yaml"]
