#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone. Installs what it lacks (npm dependencies; Debian's
# chromium when running as root), then: typecheck → unit + integration (Vitest, real PostgreSQL) →
# build → end-to-end (Playwright, real Chromium, two app instances on one database).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    step "installing Debian's chromium (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing. Install it with: sudo apt-get install -y chromium" >&2
    echo "(or set CHROMIUM_PATH to an existing Chromium/Chrome binary)" >&2
    exit 1
  fi
fi

step "generating the Prisma client"
npx prisma generate >/dev/null

step "typecheck"
npx tsc --noEmit

step "unit and integration tests (Vitest, real PostgreSQL)"
npx vitest run

step "building the app"
npx next build >/tmp/meterway-build.log 2>&1 || { cat /tmp/meterway-build.log; exit 1; }

step "end-to-end tests (Playwright, Debian's Chromium)"
npx playwright test
