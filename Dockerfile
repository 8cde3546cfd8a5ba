# Agora's local stack as a container, for preview environments: the README's own commands
# (`npm ci`, `npm start`) in Node 22 LTS, with the data folder on a volume.
#
# NOTE: this image has never been built here: the machines this project is developed on have
# no Docker. It only repeats what the README does on a fresh machine, so if it fails to build,
# compare with the README first. See docs/deploy.md.
FROM node:22-bookworm

# Postgres refuses to run as root: as root the stack runs it as the system user it creates
# (agora-postgres), created with useradd on first start.
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .

# Listen beyond loopback inside the container? The stack binds 127.0.0.1 only, by design:
# publish it through a proxy in the same network namespace, or run with --network host.
ENV AGORA_DATA_DIR=/data \
    AGORA_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 54321 54322 54324

HEALTHCHECK --interval=15s --timeout=5s --start-period=120s \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.AGORA_API_PORT || 54321) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

CMD ["npm", "start"]
