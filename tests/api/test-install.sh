#!/bin/bash
# `meson install --destdir` into a temp dir, then what a user of the installed tree does: build
# examples/confine.c with `pkg-config --cflags --libs callfence` against it and run it. Checks
# that every file lands where expected (CLI, man pages, completion, header, .pc, the soname).
# Nothing outside the temp dir is written (meson also appends to the build dir's install log).
# Environment from tests/api/meson.build: CALLFENCE_BUILD_DIR, CALLFENCE_SOURCE_DIR, CF_PREFIX,
# CF_LIBDIR, CF_INCLUDEDIR, CF_MANDIR, CF_BINDIR, CF_COMPLETIONSDIR, CF_CC (the build's compiler),
# CF_SANITIZE_CFLAGS (-fsanitize=... of a sanitized build: the example must link the same
# runtime as the library, so it is built with them).
set -eu
. "$(dirname "$0")/../cli/libtest.sh"

missing=""
for t in meson pkg-config readelf; do
    command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
    if [ -n "${CALLFENCE_TESTS_MUST_RUN:-}" ]; then
        echo "Bail out! missing:$missing (tools/deps.sh installs them)"
        exit 1
    fi
    echo "1..0 # SKIP missing:$missing"
    exit 0
fi

abs() { case "$1" in /*) echo "$1" ;; *) echo "$CF_PREFIX/$1" ;; esac; }
DEST=$TMP/dest
LIBDIR=$DEST$(abs "$CF_LIBDIR")
INCDIR=$DEST$(abs "$CF_INCLUDEDIR")
MANDIR=$DEST$(abs "$CF_MANDIR")
BINDIR=$DEST$(abs "$CF_BINDIR")
COMPDIR=$DEST$(abs "$CF_COMPLETIONSDIR")

if meson install -C "$CALLFENCE_BUILD_DIR" --no-rebuild --quiet --destdir "$DEST" \
    >"$TMP/install.log" 2>&1; then
    ok "meson install --destdir"
else
    not_ok "meson install --destdir"; sed 's/^/# /' "$TMP/install.log"
fi

# where things land
[ -x "$BINDIR/callfence" ] && ok "bin/callfence" || not_ok "bin/callfence missing"
for m in "$CALLFENCE_SOURCE_DIR"/man/*.[0-9]; do
    b=$(basename "$m"); s=${b##*.}
    [ -f "$MANDIR/man$s/$b" ] && ok "man page $b installed" || not_ok "man page $b not in $MANDIR/man$s"
done
# one page per command: what `callfence help --commands` lists
for c in $("$BINDIR/callfence" help --commands); do
    [ -f "$MANDIR/man1/callfence-$c.1" ] && ok "command $c has its man page" ||
        not_ok "command $c has no man page callfence-$c.1 (add it to man/meson.build)"
done
[ -f "$COMPDIR/callfence" ] && ok "bash completion installed" || not_ok "no $COMPDIR/callfence"
got=$(bash -c '. "$1"; COMP_WORDS=("$2" exp); COMP_CWORD=1; _callfence; echo "${COMPREPLY[*]}"' _ \
    "$COMPDIR/callfence" "$BINDIR/callfence" 2>&1)
assert_contains "$got" "explain" "the installed completion completes the installed binary"
[ -f "$INCDIR/callfence/callfence.h" ] && ok "public header installed" || not_ok "no callfence/callfence.h"
# only include/callfence is public: no private header (src/) may leak into the tree
leaked=$(find "$DEST" -name '*.h' ! -path '*/include/callfence/*' | sed "s|$DEST||")
[ -z "$leaked" ] && ok "no private header installed" || not_ok "private headers installed: $leaked"
PCDIR=$LIBDIR/pkgconfig
[ -f "$PCDIR/callfence.pc" ] && ok "callfence.pc installed" || not_ok "no $PCDIR/callfence.pc"
[ ! -e "$LIBDIR/libcallfence.a" ] && ok "the static library stays in the build tree" ||
    not_ok "libcallfence.a installed"

soname=$(readelf -d "$LIBDIR/libcallfence.so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libcallfence.so.0 ] && ok "soname libcallfence.so.0" || not_ok "soname: \"$soname\""
[ "$(readlink "$LIBDIR/libcallfence.so")" = libcallfence.so.0 ] && ok "dev symlink -> soname" ||
    not_ok "libcallfence.so -> $(readlink "$LIBDIR/libcallfence.so")"

# build the example as a user of the installed tree would
export PKG_CONFIG_SYSROOT_DIR=$DEST PKG_CONFIG_PATH=$PCDIR PKG_CONFIG_LIBDIR=$PCDIR
flags=$(pkg-config --cflags --libs callfence)
assert_contains "$flags" "-I$INCDIR" "pkg-config --cflags points into the installed tree"
# shellcheck disable=SC2086
if $CF_CC ${CF_SANITIZE_CFLAGS:-} -Wall -Wextra -Werror "$CALLFENCE_SOURCE_DIR/examples/confine.c" \
    $flags -o "$TMP/confine" 2>"$TMP/cc.log"; then
    ok "examples/confine.c builds against the installed tree"
else
    not_ok "examples/confine.c does not build"; sed 's/^/# /' "$TMP/cc.log"
fi
# negative twin: the private headers are not reachable from the installed tree
printf '#include "profile/profile.h"\nint main(void){return 0;}\n' >"$TMP/private.c"
# shellcheck disable=SC2086
if $CF_CC $flags -c "$TMP/private.c" -o "$TMP/private.o" 2>/dev/null; then
    not_ok "a private header compiled against the installed tree"
else
    ok "private headers (src/) are not in the installed tree"
fi

export LD_LIBRARY_PATH=$LIBDIR
run_confine() {
    set +e
    "$TMP/confine" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    set -e
    out=$(cat "$TMP/out"); err=$(cat "$TMP/err")
}
run_confine true
assert_rc 0 "confine true runs"
# which library it loaded: the installed one
ldd "$TMP/confine" | grep -q "$LIBDIR/libcallfence.so.0" && ok "confine uses the installed libcallfence.so.0" ||
    not_ok "confine does not load the installed library: $(ldd "$TMP/confine" | grep callfence)"

run_confine grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
assert_contains "$out" "Seccomp:	2" "the command runs in seccomp filter mode"
run_confine unshare -U true
if [ "$rc" != 0 ]; then ok "confine unshare -U true is denied (exit $rc)"; else not_ok "unshare -U ran"; fi
assert_contains "$err" "Operation not permitted" "unshare fails with EPERM from the filter"
# twin: the same command without confine works here, so the denial is the filter's
if unshare -U true 2>/dev/null; then ok "unshare -U true runs unconfined"; else
    echo "ok $((tap_n + 1)) # SKIP machine: user namespaces are disabled on this kernel"; tap_n=$((tap_n + 1))
fi

run_confine --cap-drop ALL grep CapEff /proc/self/status
assert_contains "$out" "0000000000000000" "--cap-drop ALL through the API empties the effective set"
run_confine grep CapEff /proc/self/status
if [ "$(id -u)" = 0 ]; then
    assert_contains "$out" "00000000a80425fb" "Docker's 14 capabilities by default (as root)"
fi

run_confine --explain mount
assert_rc 1 "explain mount: denied"
assert_contains "$out" "least-privilege fix: --cap-add SYS_ADMIN" "explain names the capability fix"
run_confine --explain getpid
assert_rc 0 "explain getpid: allowed"
run_confine no-such-command-xyz
assert_rc 127 "a missing command: 127"
run_confine --cap-add SYS_ADMN true
assert_rc 125 "a misspelt capability: 125"
assert_contains "$err" "unknown capability" "the error details come through the API"

done_testing
