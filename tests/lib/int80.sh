# shellcheck shell=sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# int $0x80 (the i386 system-call ABI) for the TAP scripts: source this file, call int80_check
# once. INT80_SKIP is then empty where the kernel runs int $0x80, else the skip reason
#   "machine: int 0x80 not supported by this kernel: <why>"
# The "machine:" class is a property of the kernel, not missing environment: it stays a skip
# under CALLFENCE_TESTS_MUST_RUN (see tests/test-summary.py). The probe is tests/lib/cf-int80
# (CF_INT80_PROBE); CALLFENCE_TEST_FORCE_NO_INT80=1 forces the answer no.

int80_check() {
	_cf_int80=${CF_INT80_PROBE:-${CALLFENCE_BUILD_DIR:-build}/tests/lib/cf-int80}
	INT80_SKIP=
	if ! [ -x "$_cf_int80" ]; then
		# cannot tell: run the cases, which fail loudly where int $0x80 does not work
		echo "# int 0x80 probe not built at $_cf_int80: i386 cases run"
		return 0
	fi
	if ! _cf_why=$("$_cf_int80"); then
		INT80_SKIP="machine: int 0x80 not supported by this kernel: $_cf_why"
	fi
}

# int80_rows ROW...: the rows one per line, without the i386 ones (@i386:..., @thread:@i386:...)
# when int $0x80 does not work here.
int80_rows() {
	for _cf_row in "$@"; do
		if [ -n "$INT80_SKIP" ]; then
			case $_cf_row in
			@i386:* | @thread:@i386:*) continue ;;
			esac
		fi
		printf '%s\n' "$_cf_row"
	done
}
