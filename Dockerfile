# mesh-soak's container image: Node 22 LTS (the package supports >=20.19), the product only
# (dist/src, the built-in suites, the dashboards, production dependencies) and nothing of the
# simulator, tests, benchmarks or dev dependencies. Runs as the numeric non-root user 10001
# so Kubernetes' runAsNonRoot can verify it, and with a read-only root file system: it writes
# nothing outside /tmp (mount a tmpfs/emptyDir there, see docs/testing-containers.md).
# `use: http10` resolves to /app/suites/http10.
#
#   podman build -t mesh-soak:0.1.0 .        (or docker build; on a machine without a registry,
#                                             scripts/containers/base-images.sh makes the base)

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Cache friendly: this layer is rebuilt only when the lockfile changes; no install scripts
# are needed to compile.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
# The product only: `mesh-soak demo` loads the simulator by a computed path, so neither its
# sources nor tests or benchmarks are needed (nor present) here.
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
# --max-semi-space-size=4 (MB): V8 otherwise grows the young generation's semi-spaces to
# 16 MB over a soak's first minutes; bounded at 4 the daemon's steady RSS stays ~25 MB lower
# (bench/RESULTS.md, daemon at scale) for more, cheap, scavenges. The benchmarks start their
# daemon child with these flags too (bench/lib/child-daemon.ts imageNodeFlags).
ENV NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
COPY --from=build /app/dist/src ./dist/src
COPY suites ./suites
COPY grafana ./grafana
COPY examples ./examples
USER 10001:10001
EXPOSE 9464
# --heap-growing-percent=15 (a V8 flag NODE_OPTIONS does not accept, so here): V8 lets the old
# generation grow 15 % past what the last full collection kept instead of up to 4x, so at 5,000
# checks RSS stays under ~170 MB (~77 MB live heap) instead of sawing between 155 and 305 MB.
# It replaced --optimize-for-size, which also held the young generation at 1 MB: a 500-check
# tick then ran ~11 scavenges and spent ~20 ms of its ~70 ms in them; with the 4 MB semi-spaces
# of NODE_OPTIONS it runs ~3 (bench/RESULTS.md, "Issue 15: the young generation"). The
# benchmarks start their daemon child with these flags too.
ENTRYPOINT ["node", "--heap-growing-percent=15", "dist/src/cli.js"]
CMD ["run", "--config", "/etc/mesh-soak/config.yaml"]
