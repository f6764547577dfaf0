# kurir: one image for the worker (default CMD) and the API (CMD override), see docker-compose.yml.
# Stage 1 installs production dependencies from the lockfile; stage 2 is the slim runtime.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are needed (protobufjs, @swc/core for workflow bundling, esbuild for tsx).
RUN npm ci --omit=dev --no-audit --no-fund

# The dashboard (ui/ → ui/dist) is built with Vite, a devDependency: a stage of its own keeps
# dev dependencies out of the runtime image.
FROM node:20-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY workflows ./workflows
COPY ui ./ui
RUN node --import tsx scripts/build-ui.ts

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=ui /app/ui/dist ./ui/dist
USER node
EXPOSE 3000
# The worker; the API runs the same image with: node --import tsx api/server.ts
CMD ["node", "--import", "tsx", "workers/main.ts"]
