# PostgreSQL 15 from Debian's postgresql-15, on the local base (base.sh), for machines that cannot
# pull docker.io/library/postgres:15. It takes the official image's settings (POSTGRES_USER,
# POSTGRES_PASSWORD, POSTGRES_DB, PGDATA), user (999) and paths, so compose.yaml runs either:
#   podman build --format docker --pull=never -f deploy/images/postgres.Dockerfile -t localhost/runstream-postgres:15 deploy/images
ARG BASE_IMAGE=localhost/runstream-base:bookworm
FROM ${BASE_IMAGE}
# The user first, with the official image's UID, so the package's postinst keeps it; no cluster is
# made at install: the entrypoint makes one in PGDATA, on the volume.
RUN groupadd --system --gid 999 postgres \
    && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres \
    && mkdir -p /etc/postgresql-common/createcluster.d \
    && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/no-main.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && mkdir -p /var/lib/postgresql/data \
    && chown 999:999 /var/lib/postgresql/data \
    && chmod 0700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER 999:999
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
