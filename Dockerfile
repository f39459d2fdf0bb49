# syntax=docker/dockerfile:1
# strangler runs its TypeScript sources directly through tsx (a runtime dependency), so there is no build
# stage: install production dependencies from the lockfile, copy the sources, run as the unprivileged user.
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so editing src/ does not invalidate this layer.
# --ignore-scripts matches package.json "allowScripts" (esbuild and msgpackr-extract ship prebuilt
# platform packages; their install scripts are not needed).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

COPY . .

# Files stay root-owned (read-only to the app); tsx writes its cache under /tmp.
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/strangler.js"]
CMD ["--help"]
