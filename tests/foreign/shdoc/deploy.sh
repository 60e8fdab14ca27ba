#!/usr/bin/env bash
# @file deploy.sh
# @brief Builds and deploys the payments service.
# @description
#   Builds the container image, pushes it and rolls the deployment.
#   Owners: @org/payments-team; contact security@example.com.

set -euo pipefail

# @description Prints a message to stderr with a timestamp.
#
# @example
#   log "deploying v1.2.3"
#
# @arg $1 string The message.
# @stderr The formatted message.
log() {
  printf '%s %s\n' "$(date -u +%FT%TZ)" "$1" >&2
}

# @description Builds and tags the image.
#
# @arg $1 string Image name, e.g. ghcr.io/org/payments.
# @arg $2 string Tag.
# @exitcode 0 If the build succeeded.
# @exitcode 1 If docker is missing.
# @stdout The image reference.
build_image() {
  local image=$1 tag=$2
  command -v docker >/dev/null || { log "docker not found"; return 1; }
  docker build -t "${image}:${tag}" . >&2
  echo "${image}:${tag}"
}

# @description Rolls the deployment to a new image and waits for it.
#
# @arg $1 string The image reference printed by build_image.
# @set DEPLOYED_IMAGE string The image now running.
# @exitcode 0 On success.
# @exitcode 2 If the rollout timed out.
# @see build_image
deploy() {
  kubectl set image deploy/payments app="$1" # @control-plane access is required
  if ! kubectl rollout status deploy/payments --timeout=120s; then
    log "@alice: rollout of $1 timed out"
    return 2
  fi
  DEPLOYED_IMAGE=$1
  export DEPLOYED_IMAGE
}

# @internal
# @noargs
main() {
  local ref
  ref=$(build_image "${IMAGE:-ghcr.io/org/payments}" "${TAG:-$(git rev-parse --short HEAD)}")
  deploy "$ref"
  log "deployed ${DEPLOYED_IMAGE}"
}

main "$@"
