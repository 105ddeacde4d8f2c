# Baobab FHIR server image. Runs TypeScript with tsx (a runtime dependency), as `npm start` does.
FROM node:20-slim

WORKDIR /app
# The embedded MongoDB engine is not needed in the image: MONGODB_URL is always set here.
ENV NODE_ENV=production \
    BAOBAB_SKIP_ENGINE_FETCH=1 \
    PORT=8080

# Dependencies first, for layer caching. `npm ci` runs the postinstall script in tools/.
COPY package.json package-lock.json ./
COPY tools ./tools
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The sources (src/, profiles/, terminology/, tsconfig.json…); .dockerignore leaves out the rest.
COPY . .

USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["npm", "start"]
