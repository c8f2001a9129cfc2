# Realname: build stage compiles the sources and keeps only the production dependencies; the run stage
# holds nothing else and runs as an unprivileged user, with the data dir a volume.
#   docker build -t realname .
#   docker run --rm -v realname-data:/data -e REALNAME_MASTER_KEY realname apps create --name shop --json
#   docker run -d -p 8080:8080 -v realname-data:/data -e REALNAME_MASTER_KEY realname

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds its native addon from source when no prebuilt one fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# npm ci builds (prepare) from the sources: they come first.
COPY . .
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    REALNAME_DATA=/data \
    REALNAME_HOST=0.0.0.0 \
    REALNAME_PORT=8080 \
    REALNAME_LOG_FORMAT=json
RUN groupadd --system realname \
 && useradd --system --gid realname --home-dir /data --shell /usr/sbin/nologin realname \
 && mkdir -p /data \
 && chown realname:realname /data \
 && chmod 0700 /data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
USER realname
VOLUME ["/data"]
EXPOSE 8080
# Ready means the store answers and this node holds the store's master keys (GET /readyz).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.REALNAME_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/realname.js"]
CMD ["serve"]
