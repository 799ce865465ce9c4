#!/usr/bin/env bash
# Builds Runstream's container images with podman, without any registry:
#
#   localhost/runstream-base:bookworm   Debian 12 minbase, made with mmdebstrap (base.sh), once
#   localhost/runstream-dotnet:10.0     the .NET runtime copied from this machine's install
#                                       (runtime.Dockerfile), remade when the runtime or base changes
#   localhost/runstream/ingest:dev       the services (services/*/Dockerfile), from the apps published
#   localhost/runstream/projections:dev  here with `dotnet publish`; the Projections image is also the
#   localhost/runstream/query:dev        migration Job's (`db-apply`); Query's holds the dashboard
#
# and prints their sizes. `./platform images` runs it after building the dashboard (dashboard/dist).
#
#   bash deploy/images/build.sh [--no-build] [--refresh-base]
#     --no-build      publish without building (the solution was just built in Release)
#     --refresh-base  make the Debian base again (security updates), then everything on it
#
# Environment: RUNSTREAM_RUNTIME_IMAGE builds the services on another runtime image (for instance
# mcr.microsoft.com/dotnet/aspnet:10.0, when reachable) and skips the local base and runtime;
# RUNSTREAM_IMAGE_TAG tags the services (dev). Build state is kept in .platform/images/.
set -euo pipefail
# shellcheck source=deploy/images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

no_build=() refresh_base=()
for arg in "$@"; do
    case "$arg" in
        --no-build) no_build=(--no-build) ;;
        --refresh-base) refresh_base=(--refresh) ;;
        *) images_die "unknown option $arg (usage: build.sh [--no-build] [--refresh-base])" ;;
    esac
done

command -v podman >/dev/null || images_die "podman is not installed (./platform images installs it)"
[[ -f $IMAGES_ROOT/dashboard/dist/index.html ]] || images_die "dashboard/dist is missing: build the dashboard first (./platform images does)"
images_podman_env
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log="$IMAGES_STATE/build.log"
: >"$log"
started=$SECONDS

# Runs a step with its output in the log; on failure shows the log's end and stops.
step() {
    "$@" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; images_die "failed: $* (log: $log)"; }
}

# Every image made here carries the label runstream.image, so the ones a rebuild replaced (left
# untagged) can be removed without touching anyone else's. No intermediate images are kept
# (--layers=false): the app changes with every build, and the runtime is rebuilt only when it changes.
build_image() { # tag kind build-args...
    step podman build --format docker "--pull=$pull" --layers=false --tag "$1" --label "runstream.image=$2" "${@:3}"
}

runtime_image="${RUNSTREAM_RUNTIME_IMAGE:-}"
pull=missing  # another runtime image is pulled when not here; the local ones never are
if [[ -z $runtime_image ]]; then
    pull=never
    bash "$IMAGES_DIR/base.sh" "${refresh_base[@]}"
    # The runtime: this machine's `dotnet`, its host resolver, and the newest 10.0 shared frameworks.
    dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
    version="$(find "$dotnet_root/shared/Microsoft.AspNetCore.App" -mindepth 1 -maxdepth 1 -name '10.0.*' -printf '%f\n' | sort -V | tail -n 1)"
    [[ -n $version && -d $dotnet_root/shared/Microsoft.NETCore.App/$version ]] \
        || images_die "no .NET 10.0 runtime (Microsoft.AspNetCore.App and Microsoft.NETCore.App) under $dotnet_root/shared"
    base_id="$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE")"
    made_from="$(podman image inspect --format '{{index .Labels "runstream.runtime"}}' "$RUNTIME_IMAGE_LOCAL" 2>/dev/null || true)"
    if [[ $made_from != "$version on $base_id" ]]; then
        images_say "making the .NET $version runtime image $RUNTIME_IMAGE_LOCAL..."
        context="$IMAGES_STATE/runtime"
        rm -rf "$context"
        mkdir -p "$context/dotnet/shared"
        cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$context/dotnet/"
        for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
            mkdir -p "$context/dotnet/shared/$framework"
            cp -a "$dotnet_root/shared/$framework/$version" "$context/dotnet/shared/$framework/"
        done
        build_image "$RUNTIME_IMAGE_LOCAL" runtime --build-arg "BASE_IMAGE=$BASE_IMAGE" \
            --label "runstream.runtime=$version on $base_id" -f "$IMAGES_DIR/runtime.Dockerfile" "$context"
        rm -rf "$context"
    fi
    runtime_image="$RUNTIME_IMAGE_LOCAL"
fi

services=(Ingest Projections Query)
for service in "${services[@]}"; do
    name="${service,,}"
    context="$IMAGES_STATE/$name"
    images_say "publishing $name..."
    rm -rf "$context"
    mkdir -p "$context"
    step dotnet publish "$IMAGES_ROOT/services/$service/Runstream.$service.csproj" -c Release "${no_build[@]}" \
        -o "$context/app" -p:UseAppHost=false -nologo -v quiet
    [[ $service == Query ]] && cp -a "$IMAGES_ROOT/dashboard/dist" "$context/dashboard"
    images_say "building $(image_name "$name")..."
    build_image "$(image_name "$name")" "$name" --build-arg "RUNTIME_IMAGE=$runtime_image" \
        --label "org.opencontainers.image.title=runstream-$name" \
        --label "org.opencontainers.image.revision=$(git -C "$IMAGES_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
        -f "$IMAGES_ROOT/services/$service/Dockerfile" "$context"
    rm -rf "$context"
done

podman image prune --force --filter label=runstream.image >/dev/null

# Sizes: the whole image (what a node downloads once), and the layers above the runtime (what a new
# release adds when the runtime image is already on the node).
bytes() { podman image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1000000 }'; }
runtime_bytes="$(bytes "$runtime_image")"
images_say "built in $((SECONDS - started)) s"
printf '%-40s %10s %14s\n' IMAGE SIZE "ABOVE RUNTIME"
if [[ $runtime_image == "$RUNTIME_IMAGE_LOCAL" ]]; then
    printf '%-40s %10s %14s\n' "$BASE_IMAGE" "$(mb "$(bytes "$BASE_IMAGE")")" ""
fi
printf '%-40s %10s %14s\n' "$runtime_image" "$(mb "$runtime_bytes")" ""
for service in "${services[@]}"; do
    image="$(image_name "${service,,}")"
    size="$(bytes "$image")"
    printf '%-40s %10s %14s\n' "$image" "$(mb "$size")" "$(mb $((size - runtime_bytes)))"
done
