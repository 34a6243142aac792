# syntax=docker/dockerfile:1
# Parley runs its compiled JavaScript: stripping types at start would load the TypeScript stripper
# into every process (about 28 MB of its resident memory), so the image compiles once.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The node@24 dev dependency only pins the runtime for npm scripts; the base image provides Node 24.
RUN npm ci --omit=dev && npm cache clean --force

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json tsconfig.start.json ./
RUN npm ci
COPY src ./src
COPY migrations ./migrations
RUN npx tsc -p tsconfig.start.json

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    PARLEY_DATA_DIR=/var/lib/parley
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
RUN mkdir -p /var/lib/parley && chown node:node /var/lib/parley
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/server.js"]
