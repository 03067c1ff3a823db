#!/usr/bin/env bash
# Build cloudtap.tgz, the Splunk app package: for Splunk Web "Install app from file",
# for `splunk install app`, or for upload to Splunk Cloud (which runs app vetting on it).
# Usage: siem/splunk/package.sh [OUTPUT.tgz]   (default: siem/splunk/cloudtap.tgz)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/cloudtap.tgz}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$here/cloudtap" "$stage/cloudtap"

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
