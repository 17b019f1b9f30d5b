#!/bin/bash
# The main job in one command on a fresh machine: install, build, then
#   callfence run [ARGS...]
# With no ARGS it runs a shell under the builtin (Docker default) profile that shows what the
# profile did to it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/tmp/callfence-setup.log || { cat /tmp/callfence-setup.log; exit 125; }
ninja -C build callfence >/tmp/callfence-build.log || { cat /tmp/callfence-build.log; exit 125; }
if [ $# -eq 0 ]; then
    set -- -- /bin/sh -c 'grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status; mkdir /tmp/callfence-demo.$$ && rmdir /tmp/callfence-demo.$$ && echo "mkdir: allowed"; unshare -U true 2>&1 || true'
fi
exec build/callfence run "$@"
