# RabbitMQ with the management plugin from Debian's rabbitmq-server, on the local base (base.sh),
# for machines that cannot pull docker.io/library/rabbitmq:3.13-management. It takes the official
# image's settings (RABBITMQ_DEFAULT_USER, RABBITMQ_DEFAULT_PASS), user (999) and paths (data and
# the Erlang cookie in /var/lib/rabbitmq), so compose.yaml runs either:
#   podman build --format docker --pull=never -f deploy/images/rabbitmq.Dockerfile -t localhost/runstream-rabbitmq:3 deploy/images
ARG BASE_IMAGE=localhost/runstream-base:bookworm
FROM ${BASE_IMAGE}
# The user first, with the official image's UID, so the package's postinst keeps it.
RUN groupadd --system --gid 999 rabbitmq \
    && useradd --system --uid 999 --gid 999 --home-dir /var/lib/rabbitmq --shell /usr/sbin/nologin rabbitmq \
    && apt-get update \
    && apt-get install -y --no-install-recommends rabbitmq-server \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/lib/rabbitmq/* /var/log/rabbitmq/* \
    && rabbitmq-plugins enable --offline rabbitmq_management >/dev/null \
    && chown 999:999 /var/lib/rabbitmq && chmod 0700 /var/lib/rabbitmq
COPY rabbitmq-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# RabbitMQ's own scripts before Debian's wrappers in /usr/sbin, which write a log to /var/log; logs
# go to stdout, and nothing is written outside /var/lib/rabbitmq (the volume) and /tmp.
ENV PATH=/usr/lib/rabbitmq/bin:$PATH \
    RABBITMQ_LOGS=- \
    RABBITMQ_LOG_BASE=/tmp \
    HOME=/var/lib/rabbitmq
USER 999:999
EXPOSE 5672 15672
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["rabbitmq-server"]
