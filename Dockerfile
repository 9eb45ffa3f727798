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
EXPOSE 8080
CMD ["npm", "run", "start:api"]
