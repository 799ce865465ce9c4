#!/usr/bin/env bash
# Shared by deploy/images/*.sh (sourced): where things are, the image names, and podman's settings.
# Never changes shell options, so it is safe to source from a `set -euo pipefail` script.

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
IMAGES_ROOT="$(cd "$IMAGES_DIR/../.." && pwd -P)"
IMAGES_STATE="${RUNSTREAM_STATE:-$IMAGES_ROOT/.platform}/images"

# The local Debian base (base.sh), the .NET runtime on it (runtime.Dockerfile), and the services.
# The dev overlay (deploy/k8s/overlays/dev) runs runstream/<service>:dev, the names below.
BASE_IMAGE="${RUNSTREAM_BASE_IMAGE:-localhost/runstream-base:bookworm}"
RUNTIME_IMAGE_LOCAL="localhost/runstream-dotnet:10.0"
IMAGE_TAG="${RUNSTREAM_IMAGE_TAG:-dev}"
image_name() { printf 'localhost/runstream/%s:%s' "$1" "$IMAGE_TAG"; }   # ingest | projections | query

images_say() { printf 'images: %s\n' "$*"; }
images_die() { printf 'images: %s\n' "$*" >&2; exit 1; }

# Writes containers.conf for this host and points podman at it (CONTAINERS_CONF).
images_podman_env() {
    local nofile nproc
    nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"
    [[ $nofile == unlimited ]] && nofile=1048576
    [[ $nproc == unlimited ]] && nproc=1048576
    # Containers do not need more than these, and asking for more than the host allows fails.
    (( nofile > 1048576 )) && nofile=1048576
    (( nproc > 32768 )) && nproc=32768
    mkdir -p "$IMAGES_STATE"
    sed -e "s/@NOFILE@/$nofile/g" -e "s/@NPROC@/$nproc/g" "$IMAGES_DIR/containers.conf.in" >"$IMAGES_STATE/containers.conf"
    export CONTAINERS_CONF="$IMAGES_STATE/containers.conf"
}

images_have_image() { podman image exists "$1" 2>/dev/null; }

# True when podman can run a container here; prints why not otherwise.
images_podman_works() {
    command -v podman >/dev/null || { echo "podman is not installed"; return 1; }
    images_have_image "$BASE_IMAGE" || { echo "the base image $BASE_IMAGE is missing (deploy/images/base.sh)"; return 1; }
    local out
    out="$(podman run --rm --network host --pull=never "$BASE_IMAGE" true 2>&1)" || { echo "podman cannot run a container: ${out##*$'\n'}"; return 1; }
}
