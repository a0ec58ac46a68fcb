#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Swarmscope needs, only those missing.
#   install-deps.sh build   what the Fyne (cgo, OpenGL, X11) build needs
#   install-deps.sh test    the above plus the real BitTorrent clients, tracker
#                           and X server that the tests run against
#   install-deps.sh screenshot  the build packages plus the X server and
#                           ImageMagick that .ci/screenshot.sh uses
set -euo pipefail

build_pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev)
test_pkgs=(mktorrent transmission-cli aria2 opentracker python3-libtorrent
	qbittorrent-nox xvfb xauth)

case "${1:-}" in
build) wanted=("${build_pkgs[@]}") ;;
test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
screenshot) wanted=("${build_pkgs[@]}" xvfb xauth imagemagick) ;;
*)
	echo "usage: $0 build|test|screenshot" >&2
	exit 2
	;;
esac

if ! command -v go >/dev/null 2>&1; then
	echo "Go is not installed (or not on PATH). Install Go 1.26 or newer from your distribution or go.dev, then re-run." >&2
	exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "This setup installs system packages with apt-get (Debian/Ubuntu)." >&2
	echo "On this system, install the equivalents of: ${wanted[*]}" >&2
	echo "(a C compiler, pkg-config, and the OpenGL and X11 development headers), then run the make target again." >&2
	exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "Missing packages: ${missing[*]}; run as root or install sudo." >&2
		exit 1
	fi
	sudo=(sudo)
fi
echo "Installing missing packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
