#!/usr/bin/env bash
# The install step of the GitHub Action (action.yml): downloads the release's file for
# this runner (RUNNER_OS, RUNNER_ARCH) and its SHA256SUMS, refuses a file whose checksum
# does not match, unpacks the binary into RUNNER_TEMP, puts it on GITHUB_PATH, and says
# its path and version in GITHUB_OUTPUT.
#
# Environment: MFA_VERSION (default: the version in the action's Cargo.toml),
# MFA_RELEASE_URL (default: https://github.com/MFA_REPOSITORY/releases/download/vVERSION),
# MFA_ACTION_PATH (the action's folder), and the runner's own variables above.
#
# Inputs are untrusted: the version must be a release's (MAJOR.MINOR.PATCH, with an
# optional -PRERELEASE of letters, digits, dots and dashes) before any path or URL is
# made from it, and a release URL must be https://, or http:// to a loopback host only.
set -euo pipefail

refuse() { echo "::error::$*" >&2; exit 1; }

action_path=${MFA_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
version=${MFA_VERSION:-}
if [ -z "$version" ]; then
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -1)
fi
version=${version#v}
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z][0-9A-Za-z.-]*)?$ ]] ||
  refuse "the version input is not a release's version (such as 0.2.0): ${version//[^0-9A-Za-z.+-]/?}"
case "$RUNNER_OS/$RUNNER_ARCH" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-gnu ;;
  *) echo "::error::mfa has no release for $RUNNER_OS on $RUNNER_ARCH" >&2; exit 1 ;;
esac
case "$target" in
  *-windows-*) file=mfa-$version-$target.zip ;;
  *) file=mfa-$version-$target.tar.gz ;;
esac
url=${MFA_RELEASE_URL:-https://github.com/${MFA_REPOSITORY:-}/releases/download/v$version}
url=${url%/}
# Cleartext only to this machine: anyone on the way could change the files and the sums.
loopback='^http://(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost|\[::1\])(:[0-9]+)?(/[^?#]*)?$'
[[ "$url" =~ ^https://[^/?#@[:space:]]+(/[^?#[:space:]]*)?$ || "$url" =~ $loopback ]] ||
  refuse "the release-url input must be https:// (or http:// to 127.0.0.1 or localhost): ${url//[^0-9A-Za-z.:\/_-]/?}"
work=$RUNNER_TEMP/mfa-$version
rm -rf "$work" && mkdir -p "$work"
cd "$work"
echo "downloading $file from $url"
# A version with no release (a typo, a tag not yet published) fails here: said on an
# ::error:: line, as every refusal of this script is.
fetch() {
  curl --fail --silent --show-error --location --retry 3 -o "$1" "$url/$1" 2>"$work/curl.err" ||
    refuse "no release $version at $url: $1 could not be downloaded ($(tail -1 "$work/curl.err")); check the version input"
}
fetch "$file"
fetch SHA256SUMS
line=$(grep -E "^[0-9a-f]{64}  $file\$" SHA256SUMS) ||
  { echo "::error::SHA256SUMS does not list $file" >&2; exit 1; }
if command -v sha256sum >/dev/null; then
  sha256sum -c - <<<"$line" >/dev/null
else
  shasum -a 256 -c - <<<"$line" >/dev/null
fi || { echo "::error::$file does not match its checksum in SHA256SUMS: not installed" >&2; exit 1; }
case "$file" in
  *.zip) unzip -q "$file" ;;
  *) tar -xzf "$file" ;;
esac
folder=$work/${file%.tar.gz}
folder=${folder%.zip}
binary=$folder/mfa
[ -f "$binary.exe" ] && binary=$binary.exe
installed=$("$binary" --version)
[ "$installed" = "mfa $version" ] ||
  { echo "::error::the binary says '$installed', not mfa $version" >&2; exit 1; }
echo "$folder" >>"$GITHUB_PATH"
{ echo "path=$binary"; echo "version=$version"; } >>"$GITHUB_OUTPUT"
echo "installed $installed at $binary"
