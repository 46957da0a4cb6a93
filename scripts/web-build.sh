#!/usr/bin/env bash
# Builds the web dashboard (web/) into src/Barometer.Server/wwwroot/ (docs/web.md): npm ci from the
# lock file, then esbuild. The built bundle is committed, so a clone works without this step; the
# test script runs it to check that the committed bundle still builds from the sources.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1; then
  echo "web-build: npm not found; keeping the committed bundle in src/Barometer.Server/wwwroot" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npm test --silent
