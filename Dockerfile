# respd: a Redis-compatible server in TypeScript, run on Bun.
#   docker build -t respd .
#   docker run -d -p 127.0.0.1:6379:6379 -v respd-data:/data respd
# Pinned to the Bun release the project is developed and tested with (package.json).
FROM oven/bun:1.4.5-slim

WORKDIR /app

# The server has no runtime dependencies; installing with --production keeps it
# that way if one is ever added, without pulling in the dev toolchain.
COPY package.json package-lock.json ./
RUN bun install --production --ignore-scripts

COPY src ./src
COPY scripts/healthcheck.ts ./scripts/healthcheck.ts

# Its own unprivileged user, owning only the data directory.
RUN groupadd --system respd \
 && useradd --system --gid respd --home-dir /nonexistent --no-create-home respd \
 && mkdir -p /data \
 && chown respd:respd /data
USER respd
# No transpiler cache: it would be written under a home the server has no business touching.
ENV BUN_RUNTIME_TRANSPILER_CACHE_PATH=0

WORKDIR /data
VOLUME /data
EXPOSE 6379

HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bun", "run", "/app/scripts/healthcheck.ts", "6379"]

# Listen on every interface inside the container: the port mapping decides who can reach it.
CMD ["bun", "run", "/app/src/main.ts", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data"]
