#!/usr/bin/env bash
# Makes the local Debian 12 base image (localhost/runstream-base:bookworm) with mmdebstrap, since the
# registries Dockerfiles usually pull from may be unreachable. About 60 s, mostly downloads.
#
#   bash deploy/images/base.sh            make it when missing
#   bash deploy/images/base.sh --refresh  make it again (security updates)
#
# What is in it: Debian's minbase variant (no recommends, no docs, man pages or translations) with
# CA certificates, time zones and GSSAPI (Npgsql looks for libgssapi_krb5 at its first connection,
# and prints an error without it), from bookworm, bookworm-updates and bookworm-security. No ICU:
# the services run with invariant globalization (Directory.Build.props). RUNSTREAM_DEBIAN_MIRROR and
# RUNSTREAM_DEBIAN_SECURITY_MIRROR choose other mirrors.
set -euo pipefail
# shellcheck source=deploy/images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
images_podman_env

if [[ ${1:-} != --refresh ]] && images_have_image "$BASE_IMAGE"; then
    exit 0
fi
command -v mmdebstrap >/dev/null || images_die "mmdebstrap is missing (apt-get install mmdebstrap)"

mirror="${RUNSTREAM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${RUNSTREAM_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
images_say "making the Debian base image $BASE_IMAGE with mmdebstrap..."
started=$SECONDS
# Sources are given explicitly: without them mmdebstrap reads them from stdin when it is not a terminal.
mmdebstrap --quiet --variant=minbase --include=ca-certificates,tzdata,libgssapi-krb5-2 \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    bookworm "$work/base.tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main" \
    </dev/null >"$work/mmdebstrap.log" 2>&1 \
    || { tail -n 30 "$work/mmdebstrap.log" >&2; images_die "mmdebstrap failed"; }
# An imported file system has no configuration: PATH and LANG are set here.
podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --change 'LABEL runstream.image=base' \
    "$work/base.tar" "$BASE_IMAGE" >/dev/null
images_say "base image made in $((SECONDS - started)) s"
