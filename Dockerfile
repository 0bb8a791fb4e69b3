# mesh-soak's container image: built on Node 22 LTS (the package supports >=20.19), run as a
# numeric non-root user so Kubernetes' runAsNonRoot can verify it. The suites and dashboards
# ship inside the image: `use: http10` resolves to /app/suites/http10.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY bench ./bench
COPY test ./test
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY suites ./suites
COPY grafana ./grafana
USER 10001:10001
EXPOSE 9464
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["run", "--config", "/etc/mesh-soak/config.yaml"]
