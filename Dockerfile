# One image for every Thumbline role; docker-compose.yml picks the role per service.
# Current Node LTS; the code also runs on Node 20.19+.
FROM node:22-bookworm-slim
WORKDIR /app
COPY . .
# Build the dashboard bundle with the dev tools, then drop them. --omit=optional skips
# chDB's ~540 MB native engine: containers talk to a ClickHouse server.
RUN npm ci --omit=optional --no-audit --no-fund \
 && npm run build:web \
 && npm prune --omit=dev --omit=optional \
 && npm cache clean --force
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 THUMBLINE_DATA_DIR=/data
# Run as the image's unprivileged `node` user: the code stays root-owned and read-only to
# the process; only the data dir (a volume, which takes this ownership when first created)
# is writable.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
CMD ["npm", "run", "start:api"]
