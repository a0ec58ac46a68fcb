#!/bin/bash
# Takes docs/screenshot.png: the desktop app mid-download from a loopback swarm, under a private
# Xvfb that this script starts and stops (by PID). Needs Xvfb and ImageMagick's `import`.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in Xvfb import; do
	command -v "$tool" >/dev/null || { echo "screenshot: $tool is missing (apt-get install xvfb imagemagick)" >&2; exit 1; }
done
fd=$(mktemp)
Xvfb -displayfd 4 -screen 0 1200x792x24 -nolisten tcp 4>"$fd" &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null; rm -f "$fd"' EXIT
for _ in $(seq 50); do [ -s "$fd" ] && break; sleep 0.1; done
[ -s "$fd" ] || { echo "screenshot: Xvfb did not start" >&2; exit 1; }
DISPLAY=":$(head -n1 "$fd")" LANG=C.UTF-8 go run -tags migrated_fynedo ./ui/cmd/screenshot -o docs/screenshot.png "$@"
echo "Wrote the screenshot (docs/screenshot.png unless -o named another file)"
