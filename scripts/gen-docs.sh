#!/usr/bin/env bash
# Generates what the release ships besides the binary: shell completions in
# completions/ and gzipped man pages in manpages/ (both gitignored). GoReleaser
# runs it as a before hook; it builds nsview for this machine and asks it.
#
#   scripts/gen-docs.sh [VERSION [DATE]]    DATE as RFC 3339
#
# VERSION and DATE go into the man pages' header, as in the release binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-}
date=${2:-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Build for this machine whatever GOOS/GOARCH the caller has set.
env -u GOOS -u GOARCH CGO_ENABLED=0 go build -trimpath \
  -ldflags "-X main.version=${version} -X main.date=${date}" \
  -o "$tmp/nsview" ./cmd/nsview

rm -rf completions manpages
mkdir -p completions manpages
"$tmp/nsview" completion bash > completions/nsview.bash
"$tmp/nsview" completion zsh > completions/_nsview
"$tmp/nsview" completion fish > completions/nsview.fish
"$tmp/nsview" man -d manpages
# -n: no name or time stamp in the gzip header, so the output is reproducible.
gzip -9 -n manpages/*.1
