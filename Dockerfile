# syntax=docker/dockerfile:1
# The gateway as a container: compiled once at build time, run as a non-root user on Node 24.
#   docker build -t drata-graphql-gateway .
#   docker run --rm -p 4000:4000 -e DRATA_API_URL=us drata-graphql-gateway

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema ./schema
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The gateway drains on SIGTERM (SHUTDOWN_GRACE_MS); node runs as PID 1 and receives it directly.
STOPSIGNAL SIGTERM
CMD ["node", "dist/index.js"]
