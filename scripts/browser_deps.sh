#!/usr/bin/env bash
# Installs the browser test's one dependency (playwright-core, which drives the
# system's Chromium; it downloads no browser) into tests/browser/node_modules,
# unless it is there already. Idempotent; needs npm and the npm registry.
set -eu
dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if [ -f "$dir/node_modules/playwright-core/package.json" ]; then
  echo "playwright-core is installed in $dir/node_modules"
  exit 0
fi
command -v npm >/dev/null || { echo "npm is missing (apt-get install npm)" >&2; exit 1; }
cd "$dir"
npm install --no-audit --no-fund
echo "installed playwright-core into $dir/node_modules"
