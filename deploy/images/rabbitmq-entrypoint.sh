#!/bin/sh
# Debian's RabbitMQ 3.10 does not read RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS as the official
# image does: they become a configuration file in /tmp (the root file system may be read-only).
set -eu
if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    umask 077
    printf 'default_user = %s\ndefault_pass = %s\n' "$RABBITMQ_DEFAULT_USER" "${RABBITMQ_DEFAULT_PASS:-}" >/tmp/rabbitmq.conf
    export RABBITMQ_CONFIG_FILE=/tmp/rabbitmq.conf
fi
exec "$@"
