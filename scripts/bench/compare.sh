#!/bin/sh
# Compare the urlsession engine with raw net/http and curl on loopback.
# Usage: scripts/bench/compare.sh [scale] [extra enginebench flags...]
#   scale 1 (default): 1 GiB download, 10,000 small requests, 1,000 x 1 MiB downloads;
#   scale 0.01 runs a small version suitable for CI.
set -eu
scale="${1:-1}"
[ $# -gt 0 ] && shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$root" && go build -o "$tmp/enginebench" ./scripts/bench/enginebench)
"$tmp/enginebench" -scale "$scale" "$@"
# Background sessions (the default above, as ti.urlsession creates them) journal every download
# durably; the same many-downloads scenario on a default session shows the engine without that cost.
echo
echo "== the same 1,000 downloads on a default (non-journaled) session"
"$tmp/enginebench" -scale "$scale" -kind default -only many "$@"
