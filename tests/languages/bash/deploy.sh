#!/bin/sh
# @component Sh:Deploy (#sh_deploy) [control]
# @threat Leaked credentials (#sh_creds) [high]
set -eu

TRAP="# @threat Double-quoted TRAP"
SINGLE='# @threat Single-quoted TRAP'
ANSI=$'# @threat ANSI-C TRAP'
echo "$TRAP $SINGLE $ANSI" # @exposes Sh:Deploy to #sh_creds with set -x output

cat <<EOF2
# @threat Heredoc TRAP
EOF2

cat <<'EOF3'
# @threat Quoted heredoc TRAP
EOF3

# @threat Unpinned downloads (#sh_unpinned):
#   severity: medium
#   description: curl | sh from the internet.
curl -fsSL https://example.com/install.sh | sh  # @connects Sh:Deploy to Internet:Installer with HTTPS

# TODO @mitigates Sh:Deploy against #sh_unpinned
# @skip @mitigates Sh:Deploy against #sh_unpinned
url=http://x#@threat Word TRAP
count=${#url} # @review Sh:Deploy parameter lengths
trimmed=${url#*@threat Expansion TRAP}
case "$1" in
  '#'*) echo "${trimmed} $count" ;; # @handles secrets on Sh:Deploy
esac
