# The mfa container image: the static Linux binary alone, on no base image, run as an
# unprivileged user. Nothing else is in it: no shell, no CA bundle (mfa carries its
# roots), no config (settings come from environment variables, `docker run -e ...`).
#
# The build context holds the binary of each architecture as linux/amd64/mfa and
# linux/arm64/mfa: tools/dist.sh builds one architecture with podman and checks it,
# the release workflow builds both with docker buildx and pushes them.
FROM scratch

ARG TARGETPLATFORM
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE=

LABEL org.opencontainers.image.title="mfa" \
      org.opencontainers.image.description="Send and verify one-time codes with Bandwidth's multi-factor authentication API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

COPY ${TARGETPLATFORM}/mfa /usr/local/bin/mfa
# nobody: mfa needs no privilege.
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/mfa"]
CMD ["--help"]
