#!/usr/bin/env bash
# Install what building and testing need, from Debian 12's packages.
# Runs apt-get as root, or through sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi
PACKAGES=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libzmq3-dev libprotobuf-c-dev protobuf-c-compiler libuv1-dev libsqlite3-dev
	libutf8proc-dev libcjson-dev libhttp-parser-dev libstemmer-dev curl iproute2
	python3 python3-zmq python3-protobuf protobuf-compiler sqlite3
)
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
