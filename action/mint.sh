#!/usr/bin/env bash
# Mint a token for the index (INPUT_REPOSITORY_URL, INPUT_AUDIENCE) and put
# it in the step output `api-token`; mintup masks it first.
set -euo pipefail
args=(mint --github-output --repository-url "${INPUT_REPOSITORY_URL:-https://upload.pypi.org/legacy/}")
[ -n "${INPUT_AUDIENCE:-}" ] && args+=(--audience "$INPUT_AUDIENCE")
exec "$MINTUP_BIN" "${args[@]}"
