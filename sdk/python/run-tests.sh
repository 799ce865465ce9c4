#!/usr/bin/env bash
# Builds the Python SDK as a wheel (gRPC stubs included), installs it into a fresh virtual
# environment, and runs the SDK's tests against that install and the running services
# (RUNSTREAM_URL, RUNSTREAM_QUERY_URL, RUNSTREAM_API_KEY; the key defaults to .platform/api.key).
# The venv sees Debian's python3-grpcio and python3-protobuf (--system-site-packages), which meet
# the wheel's dependencies: nothing is downloaded. RUNSTREAM_TEST_FROM_SOURCE=1 tests the source
# tree instead (quicker while iterating). Writes a JUnit report to tests/TestResults/python-junit.xml.
# Extra arguments go to pytest.
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
if [[ "${RUNSTREAM_TEST_FROM_SOURCE:-}" != "1" ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work" "$here/build" "$here"/*.egg-info' EXIT
  "$python" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$work/dist" "$here" >"$work/wheel.log" 2>&1 \
    || { cat "$work/wheel.log" >&2; exit 1; }
  wheel="$(ls "$work"/dist/runstream-*.whl)"
  echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB): $("$python" -m zipfile -l "$wheel" | grep -c '_proto/ingest_pb2')" "generated stub files inside"
  "$python" -m venv --system-site-packages "$work/venv"
  "$work/venv/bin/python" -m pip install --quiet --no-index "$wheel"
  python="$work/venv/bin/python"
  # The tests import the installed package, not the source tree (conftest.py and helpers.py read this).
  export RUNSTREAM_TEST_INSTALLED=1
  "$python" - <<'PY'
import runstream, sys
assert "site-packages" in runstream.__file__, runstream.__file__
from runstream._pb import pb  # the stubs come from the wheel: no protoc at import
print(f"testing runstream {runstream.__version__} installed at {runstream.__file__}", file=sys.stderr)
PY
fi
cd "$repo"
"$python" -m pytest -q -c sdk/python/pytest.ini --rootdir sdk/python sdk/python/tests --junitxml=tests/TestResults/python-junit.xml "$@"
