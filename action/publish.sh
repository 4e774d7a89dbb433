#!/usr/bin/env bash
# Run `mintup upload` the way pypa/gh-action-pypi-publish runs twine, from
# the action's inputs (INPUT_* variables; booleans are true unless "false").
# Credentials travel in the environment, never on the command line. The
# JSON report becomes the step output `report`; mintup itself writes the
# step summary and the annotations.
set -euo pipefail

is_true() { [ "$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" != false ]; }

args=(upload --format json --non-interactive --disable-progress-bar)
args+=(--repository-url "${INPUT_REPOSITORY_URL:-https://upload.pypi.org/legacy/}")
is_true "${INPUT_VERIFY_METADATA:-true}" || args+=(--no-verify)
is_true "${INPUT_SKIP_EXISTING:-false}" && args+=(--skip-existing)
is_true "${INPUT_VERBOSE:-true}" && args+=(--verbose)
# As in pypa's action, verbose also prints the digests.
if is_true "${INPUT_PRINT_HASH:-true}" || is_true "${INPUT_VERBOSE:-true}"; then
  args+=(--print-hash)
fi
is_true "${INPUT_DRY_RUN:-false}" && args+=(--dry-run)
[ -n "${INPUT_CHECK_URL:-}" ] && args+=(--check-url "$INPUT_CHECK_URL")
[ -n "${INPUT_RETRIES:-}" ] && args+=(--retries "$INPUT_RETRIES")
[ -n "${INPUT_JOBS:-}" ] && args+=(--jobs "$INPUT_JOBS")
is_true "${INPUT_KEEP_GOING:-false}" && args+=(--keep-going)

user=${INPUT_USER:-__token__}
trusted=
if [ "$user" = __token__ ] && [ -z "${INPUT_PASSWORD:-}" ]; then
  # pypa's rule: user __token__ and no password means trusted publishing.
  # Which hosts get the job's OIDC identity is mintup's `auto` rule (PyPI,
  # TestPyPI, loopback), not forced here: another index needs
  # MINTUP_TRUSTED_PUBLISHING=always in the step's env, a deliberate choice.
  trusted=1
else
  export MINTUP_USERNAME=$user MINTUP_PASSWORD=${INPUT_PASSWORD:-}
fi
if is_true "${INPUT_ATTESTATIONS:-true}"; then
  case "${INPUT_REPOSITORY_URL:-https://upload.pypi.org/legacy/}" in
    https://upload.pypi.org/* | https://test.pypi.org/*) pypi=1 ;;
    *) pypi= ;;
  esac
  if [ -n "$trusted" ] && [ -n "$pypi" ]; then
    args+=(--attest)
  else
    echo "::notice title=mintup::attestations are generated only when publishing to PyPI or TestPyPI with trusted publishing; this upload goes without them"
  fi
fi

dir=${INPUT_PACKAGES_DIR:-dist}
dir=${dir%/}
report=$(mktemp)
status=0
# `--`: a directory named like an option is still the directory.
"$MINTUP_BIN" "${args[@]}" -- "$dir" >"$report" || status=$?
if [ -s "$report" ]; then
  printf 'report=%s\n' "$(cat "$report")" >>"$GITHUB_OUTPUT"
fi
rm -f "$report"
exit "$status"
