# The .NET runtime (Microsoft.NETCore.App and Microsoft.AspNetCore.App) that Runstream's images run
# on, made from the build machine's own .NET install on the local Debian base (base.sh), for when
# mcr.microsoft.com/dotnet/aspnet cannot be pulled. deploy/images/build.sh builds it from a context
# holding dotnet/ (the install's `dotnet`, `host` and `shared` folders):
#   podman build --format docker --pull=never -f deploy/images/runtime.Dockerfile -t localhost/runstream-dotnet:10.0 <context>
# Like the Microsoft image: the runtime in /usr/share/dotnet, `dotnet` on PATH, and the non-root
# user `app` with UID and GID 1654 (APP_UID), which the Kubernetes manifests run as.
ARG BASE_IMAGE=localhost/runstream-base:bookworm
FROM ${BASE_IMAGE}
COPY dotnet/ /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid 1654 --create-home --home-dir /home/app --shell /usr/sbin/nologin app
# The base image has no ICU: globalization-invariant mode, which the services are built with anyway.
ENV APP_UID=1654 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true \
    DOTNET_ROOT=/usr/share/dotnet
