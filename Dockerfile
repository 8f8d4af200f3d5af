# syntax=docker/dockerfile:1
# Keepsake in production: compiled JavaScript on Node 20, as a non-root user, on Postgres.
#   docker build -t keepsake .
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… -e AC_LOCAL_BASE_URL=https://keepsake.example.com keepsake
# docs/deployment.md explains every setting.

ARG NODE_VERSION=20

# Shared by the two build stages: sqlite3 (the development store, a regular dependency) has no
# prebuilt binary it can always fetch, so npm compiles it; the final image has no compilers.
FROM node:${NODE_VERSION}-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# The dependencies production needs, exactly as locked, without the development ones.
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund

# Every dependency, then `npm run build`: the front end bundled into public/build/ and the
# server compiled into dist/.
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim
# production: Postgres required, *.atlassian.net whitelist, JSON logs at info, no ACE dev features.
ENV NODE_ENV=production \
    PORT=3000
# The project folder is the working directory: ACE reads atlassian-connect.json and config.json
# from it and Keepsake its views/ and public/.
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json atlassian-connect.json config.json ./
COPY views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/dist ./dist
# Files stay root's: the process (user node) can read them but not change them.
USER node
EXPOSE 3000
# /healthz answers while the process does; platforms probe /readyz (database) for traffic.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node itself is PID 1, so SIGTERM reaches server.ts's graceful stop (npm would sit in between).
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]
