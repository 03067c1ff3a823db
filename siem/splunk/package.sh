#!/usr/bin/env bash
# Build cloudtap.tgz, the Splunk app package: for Splunk Web "Install app from file",
# for `splunk install app`, or for upload to Splunk Cloud (which runs app vetting on it).
# The app is rendered from the source definitions (`cloudtap siem-assets`), so it covers
# every source type this checkout knows. Needs the repository's node_modules (npm ci).
# Usage: siem/splunk/package.sh [OUTPUT.tgz]   (default: siem/splunk/cloudtap.tgz)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$here/cloudtap.tgz}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

tsx="$repo/node_modules/.bin/tsx"
if [ ! -x "$tsx" ]; then
  echo "package.sh: $tsx not found: run npm ci in $repo first" >&2
  exit 1
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
"$tsx" "$repo/bin/cloudtap.ts" siem-assets --out "$stage/assets" >/dev/null
mv "$stage/assets/splunk/cloudtap" "$stage/cloudtap"

# App vetting (AppInspect) rejects hidden files, local/ settings and executable
# config files, and wants every path owned by the one top-level app folder.
find "$stage/cloudtap" -name '.*' -prune -exec rm -rf {} +
rm -rf "$stage/cloudtap/local" "$stage/cloudtap/metadata/local.meta"
find "$stage/cloudtap" -type d -exec chmod 755 {} +
find "$stage/cloudtap" -type f -exec chmod 644 {} +

if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  # Same input, same bytes: sorted entries, no local user names, fixed times.
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime='2000-01-01 00:00:00Z' -czf "$out" cloudtap
else
  # bsdtar (macOS): keep AppleDouble ._ files out of the archive.
  COPYFILE_DISABLE=1 tar -C "$stage" --uid 0 --gid 0 -czf "$out" cloudtap
fi
echo "built $out"
