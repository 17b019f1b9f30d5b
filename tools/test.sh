#!/bin/bash
# The whole test job in one command on a fresh machine: install, check formatting, build with
# -Werror, run every suite, again under ASan+UBSan, and print "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh

status=0
tools/check-format.sh || { echo "format check failed (run clang-format -i on the files above)"; status=1; }

[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized -Dwerror=true >/dev/null || meson setup --reconfigure build -Dwerror=true
ninja -C build
meson test -C build --print-errorlogs --num-processes 2 || true

# clang must build it too, warnings as errors, including the libFuzzer targets
if command -v clang >/dev/null; then
    [ -f build-clang/build.ninja ] || CC=clang meson setup build-clang -Dwerror=true -Dfuzzing=true >/dev/null || exit 1
    ninja -C build-clang >/dev/null || { echo "clang build failed"; ninja -C build-clang; status=1; }
fi

if [ "${CALLFENCE_SKIP_ASAN:-0}" != 1 ]; then
    [ -f build-asan/build.ninja ] || meson setup build-asan --buildtype=debug -Dwerror=true \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fno-sanitize-recover=all >/dev/null || exit 1
    ninja -C build-asan
    meson test -C build-asan --print-errorlogs --num-processes 2 || true
    logs="build/meson-logs/testlog.json build-asan/meson-logs/testlog.json"
else
    logs="build/meson-logs/testlog.json"
fi
# shellcheck disable=SC2086
python3 tests/test-summary.py $logs || status=1
exit $status
