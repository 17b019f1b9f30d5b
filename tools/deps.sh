#!/bin/bash
# Install the Debian 12 packages callfence builds and tests with (only what is missing).
set -euo pipefail
pkgs=(build-essential meson ninja-build pkg-config python3
      libjansson-dev libcap-dev libseccomp-dev libcmocka-dev
      clang clang-format libclang-rt-14-dev bubblewrap runc crun
      libbpf-dev bpftool python3-yaml systemd libcapstone-dev golang-go busybox-static
      jq strace git perl sqlite3 curl xz-utils)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "callfence: missing packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
