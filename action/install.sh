#!/usr/bin/env bash
# Install the released mintup binary this action version names, for the
# runner's OS and architecture, and write `bin=<path to mintup>` to
# $GITHUB_OUTPUT.
#
# The archive is trusted only if its SHA-256 is the one committed beside
# this script, in action/sha256sums (the release workflow writes it into the
# commit it tags), never a checksum file from the release, which anyone
# with write access to the releases can change. The check runs on every
# call: an archive kept from an earlier step of the job is checked again
# before use, and the binary is unpacked afresh into a new directory, so
# nothing an earlier step left in $RUNNER_TEMP is ever run.
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
asset="mintup-$version-$target.tar.gz"

# The committed digest: `<sha256>  <asset>` lines, `#` comments.
expected=$(awk -v a="$asset" '$1 !~ /^#/ && ($2 == a || $2 == "*" a) { print $1; exit }' "$here/sha256sums" 2>/dev/null || true)
if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  echo "::error title=mintup::action/sha256sums has no digest for $asset: this ref of the action is not a release; use the action at a release tag, or the commit it points to"
  exit 1
fi

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

temp="${RUNNER_TEMP:-$(mktemp -d)}"
# A new directory each time, where the archive is checked and unpacked: what
# is checked is what is run, and a binary planted in the path of an earlier
# install is never the one run.
dir=$(mktemp -d "$temp/mintup-$version.XXXXXX")
cached="$temp/$asset"
if [ -f "$cached" ] && cp "$cached" "$dir/$asset" && [ "$(sha256 "$dir/$asset")" = "$expected" ]; then
  echo "mintup: $asset from earlier in this job, checked against action/sha256sums"
else
  if [ -n "${MINTUP_RELEASES_URL:-}" ]; then
    base=$MINTUP_RELEASES_URL
  elif [ -n "${ACTION_REPOSITORY:-}" ]; then
    base="https://github.com/$ACTION_REPOSITORY/releases/download"
  else
    echo "::error title=mintup::cannot tell where this action's releases are (no ACTION_REPOSITORY); set MINTUP_RELEASES_URL"
    exit 1
  fi
  # Bounded: 10 s to connect, 2 min per attempt, 3 retries of a transient
  # failure (timeouts, 429, 5xx), 5 min in all.
  if ! curl --fail --silent --show-error --location \
    --connect-timeout 10 --max-time 120 --retry 3 --retry-delay 2 --retry-max-time 300 \
    --output "$dir/$asset" "$base/v$version/$asset"; then
    echo "::error title=mintup::could not download $asset for v$version from $base"
    exit 1
  fi
  actual=$(sha256 "$dir/$asset")
  if [ "$actual" != "$expected" ]; then
    rm -f "$dir/$asset"
    echo "::error title=mintup::$asset from $base does not match action/sha256sums (expected $expected, got $actual); not installing it"
    exit 1
  fi
  # Kept for a later step of this job, which checks it again.
  rm -rf "$cached"
  cp "$dir/$asset" "$cached"
fi
tar -xzf "$dir/$asset" -C "$dir" "$exe"
rm -f "$dir/$asset"
echo "bin=$dir/$exe" >>"$GITHUB_OUTPUT"
"$dir/$exe" --version
