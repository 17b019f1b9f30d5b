# shellcheck shell=sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Minimal TAP helpers for the explain CLI tests (sourced).
T_N=0
T_FAIL=0
ok() { # ok DESCRIPTION COMMAND...
	desc=$1
	shift
	T_N=$((T_N + 1))
	if "$@"; then
		echo "ok $T_N - $desc"
	else
		echo "not ok $T_N - $desc"
		T_FAIL=$((T_FAIL + 1))
	fi
}
todo() { # todo REASON DESCRIPTION COMMAND...: a failure is reported, not counted (TAP TODO)
	why=$1 desc=$2
	shift 2
	T_N=$((T_N + 1))
	if "$@"; then
		echo "ok $T_N - $desc # TODO $why"
	else
		echo "not ok $T_N - $desc # TODO $why"
	fi
}
skip() { # skip DESCRIPTION REASON
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}
has() { # has FILE TEXT: fixed-string match
	grep -qF -- "$2" "$1" || { echo "# expected \"$2\" in:" >&2; sed 's/^/#   /' "$1" >&2; return 1; }
}
hasnt() {
	! grep -qF -- "$2" "$1" || { echo "# did not expect \"$2\" in:" >&2; sed 's/^/#   /' "$1" >&2; return 1; }
}
first_line_with() { # first_line_with FILE PATTERN -> line number
	grep -nF -- "$2" "$1" | head -n1 | cut -d: -f1
}
before() { # before FILE A B: A appears on an earlier line than B
	a=$(first_line_with "$1" "$2")
	b=$(first_line_with "$1" "$3")
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then
		return 0
	fi
	echo "# \"$2\" (line $a) not before \"$3\" (line $b)" >&2
	return 1
}
eq() {
	[ "$1" = "$2" ] || { echo "# expected [$2], got [$1]" >&2; return 1; }
}
done_testing() {
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
}
