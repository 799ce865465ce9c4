#!/usr/bin/env bash
# Builds the Python SDK's gRPC stubs, then runs its tests against the running services
# (RUNSTREAM_URL, RUNSTREAM_QUERY_URL, RUNSTREAM_API_KEY; the key defaults to .platform/api.key).
# Writes a JUnit report to tests/TestResults/python-junit.xml. Extra arguments go to pytest.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${RUNSTREAM_PYTHON:-/usr/bin/python3}"

"$here/build.sh"

if [[ -z "${RUNSTREAM_API_KEY:-}" && -f "$repo/.platform/api.key" ]]; then
  RUNSTREAM_API_KEY="$(cat "$repo/.platform/api.key")"
  export RUNSTREAM_API_KEY
fi

mkdir -p "$repo/tests/TestResults"
cd "$repo"
"$python" -m pytest -q sdk/python/tests --junitxml=tests/TestResults/python-junit.xml "$@"
