#!/usr/bin/env bash
# Builds the dashboard and tests it: unit tests of the pure logic (vitest), then browser tests in
# headless Chromium (node:test + playwright-core) against a running stack (./platform up).
#
#   RUNSTREAM_QUERY_URL      Query (default http://127.0.0.1:5102)
#   RUNSTREAM_URL            Ingest, for the runs the tests make (default http://127.0.0.1:5101)
#   RUNSTREAM_API_KEY        default: .platform/api.key
#   RUNSTREAM_DASHBOARD_URL  where the dashboard is served (default: Query, which serves dist/; when
#                            Query does not serve it, a Vite preview proxying /api to Query is started)
#   RUNSTREAM_TEST_RESULTS   default tests/TestResults: dashboard-junit.xml, dashboard-unit-junit.xml, screenshots/
set -euo pipefail

cd "$(dirname "$0")"
DASHBOARD="$(pwd)"
ROOT="$(cd .. && pwd)"
export RUNSTREAM_QUERY_URL="${RUNSTREAM_QUERY_URL:-http://127.0.0.1:5102}"
export RUNSTREAM_URL="${RUNSTREAM_URL:-http://127.0.0.1:5101}"
export RUNSTREAM_TEST_RESULTS="${RUNSTREAM_TEST_RESULTS:-$ROOT/tests/TestResults}"
CHROMIUM="${RUNSTREAM_CHROMIUM:-/usr/bin/chromium}"
export RUNSTREAM_CHROMIUM="$CHROMIUM"
if [[ -z "${RUNSTREAM_API_KEY:-}" && -f "$ROOT/.platform/api.key" ]]; then
    RUNSTREAM_API_KEY="$(cat "$ROOT/.platform/api.key")"
fi
export RUNSTREAM_API_KEY="${RUNSTREAM_API_KEY:-}"

say() { printf '\033[1mdashboard:\033[0m %s\n' "$*"; }

# --- dependencies and build --------------------------------------------------------------------
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "npm ci"
    npm ci --no-audit --no-fund
fi
say "build"
npm run --silent build

mkdir -p "$RUNSTREAM_TEST_RESULTS/screenshots"
status=0

# --- unit tests --------------------------------------------------------------------------------
say "unit tests"
npx vitest run --reporter=default --reporter=junit \
    --outputFile.junit="$RUNSTREAM_TEST_RESULTS/dashboard-unit-junit.xml" || status=$?

# --- browser tests -----------------------------------------------------------------------------
if [[ ! -x "$CHROMIUM" ]]; then
    if [[ "$CHROMIUM" == /usr/bin/chromium && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing Chromium from the Debian package"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        say "no Chromium at $CHROMIUM: apt-get install -y chromium (or set RUNSTREAM_CHROMIUM)"
        exit 1
    fi
fi
if [[ -z "$RUNSTREAM_API_KEY" ]]; then
    say "RUNSTREAM_API_KEY is not set and there is no .platform/api.key: start the stack with ./platform up"
    exit 1
fi

preview_pid=""
cleanup() { if [[ -n "$preview_pid" ]]; then kill "$preview_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [[ -z "${RUNSTREAM_DASHBOARD_URL:-}" ]]; then
    if curl -fsS "$RUNSTREAM_QUERY_URL/" 2>/dev/null | grep -q '<div id="app">'; then
        export RUNSTREAM_DASHBOARD_URL="$RUNSTREAM_QUERY_URL"
    else
        port="${RUNSTREAM_PREVIEW_PORT:-4179}"
        say "Query does not serve the dashboard: a Vite preview on :$port proxies /api to $RUNSTREAM_QUERY_URL"
        if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then
            say "port $port is taken: set RUNSTREAM_PREVIEW_PORT or RUNSTREAM_DASHBOARD_URL"
            exit 1
        fi
        # the vite script itself (not npx), so that the pid is the server's
        node node_modules/vite/bin/vite.js preview --port "$port" --strictPort >"$RUNSTREAM_TEST_RESULTS/dashboard-preview.log" 2>&1 &
        preview_pid=$!
        for _ in $(seq 1 100); do
            curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
            kill -0 "$preview_pid" 2>/dev/null || { say "vite preview did not start:"; cat "$RUNSTREAM_TEST_RESULTS/dashboard-preview.log"; exit 1; }
            sleep 0.1
        done
        export RUNSTREAM_DASHBOARD_URL="http://127.0.0.1:$port"
    fi
fi
say "browser tests against $RUNSTREAM_DASHBOARD_URL"
node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=junit --test-reporter-destination="$RUNSTREAM_TEST_RESULTS/dashboard-junit.xml" \
    "$DASHBOARD"/tests/browser/*.test.mjs || status=$?

say "screenshots in $RUNSTREAM_TEST_RESULTS/screenshots"
exit $status
