# syntax=docker/dockerfile:1
# Parley runs its TypeScript sources directly on Node 24 (type stripping), so the image needs
# production dependencies and sources only: no compile step, no dev dependencies.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The node@24 dev dependency only pins the runtime for npm scripts; the base image provides Node 24.
RUN npm ci --omit=dev && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    PARLEY_DATA_DIR=/var/lib/parley
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
RUN mkdir -p /var/lib/parley && chown node:node /var/lib/parley
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "src/server.ts"]
