#!/usr/bin/env bash
# Install the released mintup binary this action version names, for the
# runner's OS and architecture, verified against the release's SHA256SUMS.
# Writes `bin=<path to mintup>` to $GITHUB_OUTPUT. Reused within a job: a
# binary already installed for this version is kept.
#
# Environment: RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT (set by
# GitHub); ACTION_REPOSITORY (the action's owner/repo); MINTUP_RELEASES_URL
# (optional: where releases are, for mirrors and GitHub Enterprise; default
# https://github.com/$ACTION_REPOSITORY/releases/download).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=$(tr -d '[:space:]' <"$here/version")

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *)
    echo "::error title=mintup::no mintup release for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; the releases cover Linux x64/arm64, macOS arm64/x64 and Windows x64 (elsewhere: cargo install mintup)"
    exit 1
    ;;
esac
exe=mintup
[ "${RUNNER_OS}" = Windows ] && exe=mintup.exe

dir="${RUNNER_TEMP:-$(mktemp -d)}/mintup-$version-$target"
if [ ! -x "$dir/$exe" ]; then
  if [ -n "${MINTUP_RELEASES_URL:-}" ]; then
    base=$MINTUP_RELEASES_URL
  elif [ -n "${ACTION_REPOSITORY:-}" ]; then
    base="https://github.com/$ACTION_REPOSITORY/releases/download"
  else
    echo "::error title=mintup::cannot tell where this action's releases are (no ACTION_REPOSITORY); set MINTUP_RELEASES_URL"
    exit 1
  fi
  asset="mintup-$version-$target.tar.gz"
  mkdir -p "$dir"
  fetch() { curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"; }
  if ! fetch "$base/v$version/$asset" "$dir/$asset" || ! fetch "$base/v$version/SHA256SUMS" "$dir/SHA256SUMS"; then
    echo "::error title=mintup::could not download $asset for v$version from $base"
    exit 1
  fi
  expected=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$dir/SHA256SUMS")
  if command -v sha256sum >/dev/null; then
    actual=$(sha256sum "$dir/$asset" | cut -d' ' -f1)
  else
    actual=$(shasum -a 256 "$dir/$asset" | cut -d' ' -f1)
  fi
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    echo "::error title=mintup::$asset does not match the release's SHA256SUMS (expected ${expected:-no entry}, got $actual); not installing it"
    rm -f "$dir/$asset"
    exit 1
  fi
  tar -xzf "$dir/$asset" -C "$dir" "$exe"
  rm -f "$dir/$asset" "$dir/SHA256SUMS"
fi
echo "bin=$dir/$exe" >>"$GITHUB_OUTPUT"
"$dir/$exe" --version
