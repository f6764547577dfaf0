# kurir: one image for the worker (default CMD) and the API (CMD override), see docker-compose.yml.
# Stage 1 installs production dependencies from the lockfile; stage 2 is the slim runtime.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are needed (protobufjs, @swc/core for workflow bundling, esbuild for tsx).
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
USER node
EXPOSE 3000
# The worker; the API runs the same image with: node --import tsx api/server.ts
CMD ["node", "--import", "tsx", "workers/main.ts"]
