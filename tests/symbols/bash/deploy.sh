#!/usr/bin/env bash
# Deploys the service.
# @exposes App:Deploy to Tampering

set -euo pipefail

# Uploads the artefact.
# @exposes App:Deploy to Tampering
upload() {
    # @exposes App:Deploy to Tampering
    scp "$1" host:/srv
}

function restart {
    ssh host systemctl restart app
}

# @exposes App:Deploy to Tampering

main() {
    upload build.tar
    restart
}

main "$@"
