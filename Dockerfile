# kurir: one image for the worker (default CMD), the API and the migrations (command overrides, see
# docker-compose.yml). It runs compiled JavaScript (`npm run build`: dist/ with the prebuilt
# workflow bundle) on production dependencies only: no tsx, no TypeScript sources, no Vite.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are needed (protobufjs, @swc/core of the Temporal worker).
RUN npm ci --omit=dev --no-audit --no-fund

# The build needs the dev dependencies (TypeScript, tsx, Vite for the dashboard): a stage of its
# own keeps them out of the runtime image.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The CLI (node bin/kurir.js) runs dist/cli/main.js here, since tsx is not installed.
COPY bin ./bin
USER node
EXPOSE 3000
# The worker; the API runs the same image with: node dist/api/server.js
CMD ["node", "dist/workers/main.js"]
