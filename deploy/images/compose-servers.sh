#!/usr/bin/env bash
# Builds PostgreSQL and RabbitMQ images from Debian's packages on the local base (base.sh), for
# running compose.yaml where docker.io cannot be reached (deploy/images/test/test_compose.py does):
#
#   localhost/runstream-postgres:15     postgres.Dockerfile
#   localhost/runstream-rabbitmq:3      rabbitmq.Dockerfile (with the management plugin)
#
#   bash deploy/images/compose-servers.sh
#   RUNSTREAM_POSTGRES_IMAGE=localhost/runstream-postgres:15 RUNSTREAM_RABBITMQ_IMAGE=localhost/runstream-rabbitmq:3 podman-compose up -d
#
# An image is built again only when its files or the base image changed (about 50 s each).
set -euo pipefail
# shellcheck source=deploy/images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
images_podman_env
bash "$IMAGES_DIR/base.sh"
base_id="$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE")"

for server in postgres:localhost/runstream-postgres:15 rabbitmq:localhost/runstream-rabbitmq:3; do
    name="${server%%:*}" image="${server#*:}"
    # What the image is made from: its Dockerfile, its entrypoint and the base.
    source_id="$(cat "$IMAGES_DIR/$name.Dockerfile" "$IMAGES_DIR/$name-entrypoint.sh" | sha256sum | cut -c1-16) on $base_id"
    made_from="$(podman image inspect --format '{{index .Labels "runstream.servers"}}' "$image" 2>/dev/null || true)"
    [[ $made_from == "$source_id" ]] && continue
    images_say "building $image..."
    started=$SECONDS
    log="$IMAGES_STATE/$name-image.log"
    podman build --format docker --pull=never --layers=false --build-arg "BASE_IMAGE=$BASE_IMAGE" \
        --label runstream.image=servers --label "runstream.servers=$source_id" \
        -f "$IMAGES_DIR/$name.Dockerfile" -t "$image" "$IMAGES_DIR" >"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; images_die "building $image failed (log: $log)"; }
    images_say "$image built in $((SECONDS - started)) s"
done
# The images these builds replaced (left untagged).
podman image prune --force --filter label=runstream.image=servers >/dev/null
