#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence predict on programs built here, whose every syscall is known: the loader's search
# order ($ORIGIN in DT_RUNPATH), a raw `syscall` in a library, glibc's syscall() wrapper called
# with a constant, a dlopen of a constant name, a function pointer taken by address, and code
# nothing reaches (each positive case has its twin: a syscall in unreachable code must not be
# predicted). No root, no strace: the expectations are the sources below.
set -u
. "$(dirname "$0")/../cli/libtest.sh"

run_cf predict --help
case $out in *"Usage: callfence predict"*) ;; *) echo "1..0 # SKIP callfence built without predict"; exit 0 ;; esac
command -v gcc >/dev/null || { echo "1..0 # SKIP gcc not installed (build-essential)"; exit 0; }

B=$TMP/prog
mkdir -p "$B/lib"
cat >"$B/liba.c" <<'C'
/* a raw syscall with a constant number: mincore (27); vhangup (153) only in dead code */
static long raw(long nr)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
	return r;
}
long lib_used(void) { return raw(27); }
long lib_unused(void) { return raw(153); }
/* the i386 ABI from 64-bit code: int $0x80 with eax = 20 is i386's getpid */
long lib_i386(void)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	return r;
}
C
cat >"$B/libplug.c" <<'C'
/* loaded by dlopen of a constant name: msync (26) */
long plug(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(26L) : "rcx", "r11", "memory");
	return r;
}
C
cat >"$B/main.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
long lib_used(void);
long lib_i386(void);
/* glibc's syscall() with a constant: kcmp (312); acct (163) only behind a pointer nobody takes */
static long via_pointer(void) { return syscall(SYS_kcmp, 0, 0, 0, 0, 0); }
long never_called(void);
long never_called(void) { return syscall(SYS_acct, 0); }
int main(int argc, char **argv)
{
	long (*volatile fp)(void) = via_pointer;
	void *h = dlopen(PLUG, RTLD_NOW);
	(void)argv;
	if (argc > 5)
		fp();
	printf("%ld %p\n", lib_used(), h);
	if (argc > 6)
		lib_i386();
	return 0;
}
C
if ! gcc -O2 -shared -fPIC -o "$B/lib/liba.so" "$B/liba.c" 2>"$TMP/cc.err" ||
	! gcc -O2 -shared -fPIC -o "$B/libplug.so" "$B/libplug.c" 2>>"$TMP/cc.err" ||
	! gcc -O2 -DPLUG="\"$B/libplug.so\"" -o "$B/main" "$B/main.c" -L"$B/lib" -la \
		-Wl,--enable-new-dtags,-rpath,'$ORIGIN/lib' -ldl 2>>"$TMP/cc.err"; then
	not_ok "building the test program"
	diag "$(cat "$TMP/cc.err")"
	# option values: one near-miss rule; a foreign --arch is refused (x86-64 code only)
run_cf predict --format dokcer "$B/main"
assert_rc 125 "an unknown --format"
assert_contains "$err" 'did you mean "docker"?' "names the near miss"
run_cf predict --assume unresolved --assume no-plugins --arch aarch64 "$B/main"
assert_rc 125 "--arch aarch64 is refused"
run_cf predict --no-cache --arch x86_64 --format list "$B/main"
assert_rc 0 "twin: --arch x86_64 is accepted"
done_testing
	exit 1
fi
ok "built a program, a library found through \$ORIGIN and a plugin"

run_cf predict --no-cache -v --format list "$B/main"
assert_rc 0 "predict the program"
assert_contains "$err" "$B/lib/liba.so (DT_NEEDED of main)" "DT_RUNPATH \$ORIGIN/lib finds liba.so"
assert_contains "$out" "mincore" "a raw syscall in a library is predicted"
assert_not_contains "$out" "vhangup" "twin: a syscall in a function nothing calls is not"
assert_contains "$out" "kcmp" "glibc's syscall() with a constant behind a taken pointer is predicted"
assert_not_contains "$out" " acct " "twin: syscall() in a function nothing reaches is not"
assert_contains "$err" "dlopen in main: $B/libplug.so" "a dlopen of a constant name is loaded"
assert_contains "$out" "msync" "the plugin's syscall is predicted"
assert_contains "$(grep -E '^x86 +getpid ' "$TMP/out")" "lib_i386" "int \$0x80 counts for the i386 ABI"
assert_not_contains "$(grep -E '^x86 ' "$TMP/out" | grep -v getpid)" "x86" "twin: no other i386 call is predicted"
kcmp_line=$(grep ' kcmp ' "$TMP/out")
assert_contains "$kcmp_line" "main: " "the origin names the program"

# twin: without the library where the loader looks, predict refuses (exit 125) naming it
mv "$B/lib/liba.so" "$B/liba.so.moved"
run_cf predict --no-cache --format list "$B/main"
assert_rc 125 "a DT_NEEDED the search cannot find"
assert_contains "$err" "DT_NEEDED liba.so not found" "the message names the library"
mv "$B/liba.so.moved" "$B/lib/liba.so"

# --library-path is honoured, the environment's LD_LIBRARY_PATH is not
mkdir -p "$B/other"
mv "$B/lib/liba.so" "$B/other/liba.so"
LD_LIBRARY_PATH=$B/other run_cf predict --no-cache --format list "$B/main"
assert_rc 125 "the environment's LD_LIBRARY_PATH is ignored"
run_cf predict --no-cache --library-path "$B/other" --format list "$B/main"
assert_rc 0 "--library-path is searched"
assert_contains "$out" "mincore" "and the library found there is analysed"
mv "$B/other/liba.so" "$B/lib/liba.so"

# a corrupted ld.so.cache-like input and files that are not x86-64 ELF64
printf '\177ELF\001\001\001' >"$TMP/elf32"
run_cf predict --no-cache "$TMP/elf32"
assert_rc 125 "a truncated 32-bit ELF is refused"
assert_contains "$err" "not a usable x86-64 ELF64 file" "with the reason"
# option values: one near-miss rule; a foreign --arch is refused (x86-64 code only)
run_cf predict --format dokcer "$B/main"
assert_rc 125 "an unknown --format"
assert_contains "$err" 'did you mean "docker"?' "names the near miss"
run_cf predict --assume unresolved --assume no-plugins --arch aarch64 "$B/main"
assert_rc 125 "--arch aarch64 is refused"
run_cf predict --no-cache --arch x86_64 --format list "$B/main"
assert_rc 0 "twin: --arch x86_64 is accepted"
done_testing
