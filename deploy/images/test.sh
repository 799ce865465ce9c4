#!/usr/bin/env bash
# The stack from its images (deploy/images/test/): the migration Job, Projections, Ingest and Query
# run with `podman run --network host` as the dev overlay of deploy/k8s declares them, against the
# PostgreSQL and RabbitMQ of ./platform (own database, queues and ports); the seed's Python example
# runs through them, every probe deploy/k8s declares is called as the kubelet calls it, and each
# image's HEALTHCHECK runs. compose.yaml runs too, with podman-compose (test_compose.py). Writes a
# JUnit report, images-junit.xml, to RUNSTREAM_TEST_RESULTS (default tests/TestResults). Extra
# arguments go to pytest.
#
#   bash deploy/images/test.sh [--build] [pytest arguments]
#     --build  build the images first, from the solution as built in Release (./platform test does)
#
# Needs the servers (./platform up or deploy/local/servers.sh up), kubectl (to render the manifests),
# Debian's python3-pytest, python3-yaml, python3-grpcio and podman-compose. Where podman cannot run
# a container, the test is skipped, saying why, and reported as skipped.
set -euo pipefail
# shellcheck source=deploy/images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build=0
if [[ ${1:-} == --build ]]; then build=1; shift; fi
results="${RUNSTREAM_TEST_RESULTS:-$IMAGES_ROOT/tests/TestResults}"
junit="$results/images-junit.xml"
mkdir -p "$results"
rm -f "$junit"
started=$SECONDS

skip() {
    images_say "SKIPPED the stack-from-images test: $1"
    local message="${1//&/&amp;}"
    message="${message//</&lt;}"; message="${message//>/&gt;}"; message="${message//\"/&quot;}"
    printf '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="images" tests="1" skipped="1" failures="0" errors="0"><testcase classname="deploy.images" name="stack_from_images"><skipped message="%s"/></testcase></testsuite></testsuites>\n' \
        "$message" >"$junit"
    exit 0
}

command -v podman >/dev/null || skip "podman is not installed"
images_podman_env
if (( build )); then
    # The base image first: whether podman can run a container is tried on it.
    bash "$IMAGES_DIR/base.sh"
fi
why="$(images_podman_works)" || skip "$why"
if (( build )); then
    bash "$IMAGES_DIR/build.sh" --no-build
fi
for service in ingest projections query; do
    images_have_image "$(image_name "$service")" || images_die "$(image_name "$service") is missing: build it with ./platform images"
done

if [[ -z ${ConnectionStrings__Postgres:-} ]]; then
    eval "$(bash "$IMAGES_ROOT/deploy/local/servers.sh" env)"
    export ConnectionStrings__Postgres ConnectionStrings__RabbitMq RUNSTREAM_RABBIT_MGMT_URL
fi
# The SDK's gRPC stubs, for the example.
bash "$IMAGES_ROOT/sdk/python/build.sh"

# The containers carry this id; whatever way the test ends, none is left behind.
RUNSTREAM_IMAGES_TEST_ID="$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export RUNSTREAM_IMAGES_TEST_ID RUNSTREAM_TEST_RESULTS="$results" RUNSTREAM_IMAGE_TAG="$IMAGE_TAG"
cleanup() {
    local ids volumes project="runstream-compose-$RUNSTREAM_IMAGES_TEST_ID"
    ids="$(podman ps --all --quiet --filter "label=runstream.images-test=$RUNSTREAM_IMAGES_TEST_ID" 2>/dev/null || true)"
    # compose.yaml's stack (test_compose.py): its containers, volumes and network, by project name.
    ids+=" $(podman ps --all --quiet --filter "label=io.podman.compose.project=$project" 2>/dev/null || true)"
    if [[ -n ${ids// /} ]]; then
        # shellcheck disable=SC2086
        podman rm --force --time 3 $ids >/dev/null 2>&1 || true
    fi
    volumes="$(podman volume ls --quiet --filter "label=io.podman.compose.project=$project" 2>/dev/null || true)"
    # shellcheck disable=SC2086
    [[ -z $volumes ]] || podman volume rm --force $volumes >/dev/null 2>&1 || true
    podman network rm --force "${project}_default" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status=0
cd "$IMAGES_ROOT"
/usr/bin/python3 -m pytest -q -p no:cacheprovider --rootdir deploy/images/test deploy/images/test \
    --junitxml="$junit" -o junit_suite_name=images "$@" || status=$?
images_say "stack-from-images test: $((SECONDS - started)) s (container logs: $results/image-logs/)"
exit "$status"
