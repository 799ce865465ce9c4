#!/usr/bin/env bash
# Validates the Kubernetes manifests offline, without a cluster: renders every overlay under
# deploy/k8s/overlays with `kubectl kustomize`, checks each object against the Kubernetes schemas
# and Runstream's deployment invariants (lib/invariants.js), and proves every check can fail
# (test/checks-can-fail.test.js). Needs Node 20 or later and kubectl. Exits non-zero on a failure.
#
#   bash deploy/k8s/validate/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v kubectl >/dev/null || { echo "k8s validate: kubectl is required to render the overlays" >&2; exit 2; }
command -v node >/dev/null || { echo "k8s validate: Node.js 20 or later is required" >&2; exit 2; }
(( $(node -p 'process.versions.node.split(".")[0]') >= 20 )) || { echo "k8s validate: Node.js 20 or later is required" >&2; exit 2; }

# Install the locked dependencies when node_modules is missing or was installed from another lock file.
lock_hash="$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync("package-lock.json")).digest("hex"))')"
if [[ ! -f node_modules/.package-lock.sha256 || "$(cat node_modules/.package-lock.sha256)" != "$lock_hash" ]]; then
    npm ci --no-audit --no-fund
    printf '%s\n' "$lock_hash" >node_modules/.package-lock.sha256
fi

tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
status=0
# RUNSTREAM_TEST_RESULTS (set by ./platform test): a JUnit report there too, for CI's count.
junit=()
if [[ -n ${RUNSTREAM_TEST_RESULTS:-} ]]; then
    mkdir -p "$RUNSTREAM_TEST_RESULTS"
    junit=(--test-reporter=junit --test-reporter-destination="$RUNSTREAM_TEST_RESULTS/k8s-junit.xml")
fi
node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "${junit[@]}" || status=$?

passed="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap")"
failed="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap")"
if (( status != 0 )) && [[ ${failed:-0} == 0 ]]; then failed=1; fi
echo "k8s: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
