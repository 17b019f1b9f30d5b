#!/bin/bash
# shell-completion/callfence.bash, sourced in bash and called as bash calls it (COMP_WORDS and
# COMP_CWORD; COMP_LINE/COMP_POINT where COMP_WORDBREAKS splits a word at '='). Everything it
# offers comes from the binary (help --commands/--capabilities/--syscalls, COMMAND --help), so
# the expectations are checked against those listings, not a copy of them.
set -u
. "$(dirname "$0")/libtest.sh"
# shellcheck source=/dev/null
. "$CALLFENCE_SOURCE_DIR/shell-completion/callfence.bash"
cd "$TMP" || exit 1
mkdir profiles && : >profiles/web.json && : >profile-a.json

# complete WORD...: COMPREPLY for the last word; sets $got (one line, space separated)
complete_words() {
    set +e # run_cf (libtest.sh) leaves -e on; bash runs completions without it
    unset COMP_LINE COMP_POINT
    COMP_WORDS=("$CALLFENCE" "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _callfence
    got=" ${COMPREPLY[*]} "
}
# complete_line "LINE": as bash calls it, the cursor at the end
complete_line() {
    set +e
    COMP_LINE="$CALLFENCE $1"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _callfence
    got=" ${COMPREPLY[*]} "
}
has() { assert_contains "$got" " $1 " "$2"; }
hasnt() { assert_not_contains "$got" " $1 " "$2"; }
empty() { if [ "$got" = "  " ]; then ok "$1"; else not_ok "$1: got$got"; fi; }

# commands, from `callfence help --commands`
complete_words exp
[ "$got" = " export explain " ] || [ "$got" = " explain export " ] &&
    ok "callfence exp -> explain export" || not_ok "callfence exp ->$got"
complete_words zz
empty "callfence zz -> nothing"
complete_words ""
n=$("$CALLFENCE" help --commands | wc -l)
[ "${#COMPREPLY[@]}" = "$n" ] && ok "every command of help --commands ($n)" ||
    not_ok "${#COMPREPLY[@]} commands offered, help --commands lists $n"
run_cf help --commands
for c in $out; do
    run_cf "$c" --help
    assert_rc 0 "callfence $c --help (the completion parses it)"
done
run_cf help --no-such-list
assert_rc 125 "an unknown hidden list is an error"

# options, parsed from `callfence CMD --help`
complete_words run --cap-a
has --cap-add "run --cap-a -> --cap-add"
complete_words run --cap-x
empty "run --cap-x -> nothing"
complete_words run -
has --security-opt "run - lists the shared options"
has --user "run - lists run's own options"
[ "$(tr ' ' '\n' <<<"$got" | grep -c -- '^--security-opt$')" = 1 ] &&
    ok "an option described on two lines is offered once" || not_ok "duplicates:$got"
complete_words export -
hasnt --user "export - does not offer run's --user"
has --output "export - offers --output"

# capability names, from `callfence help --capabilities`
complete_words run --cap-add SYS_N
[ "$got" = " SYS_NICE " ] && ok "--cap-add SYS_N -> SYS_NICE" || not_ok "--cap-add SYS_N ->$got"
complete_words run --cap-drop CAP_NET_R
has CAP_NET_RAW "--cap-drop CAP_NET_R -> CAP_NET_RAW"
complete_words explain --cap-add sys_ad
has sys_admin "lower case is completed in lower case (Docker takes any case)"
complete_words run --cap-add SYS_NOPE
empty "--cap-add SYS_NOPE -> nothing"
saved=$COMP_WORDBREAKS
COMP_WORDBREAKS=${COMP_WORDBREAKS//=/}
complete_words run --cap-add=SYS_N
has --cap-add=SYS_NICE "--cap-add=SYS_N without '=' in COMP_WORDBREAKS -> --cap-add=SYS_NICE"
COMP_WORDBREAKS=$saved
complete_line "run --cap-add=SYS_N"
[ "$got" = " SYS_NICE " ] && ok "--cap-add=SYS_N with bash's '=' break -> SYS_NICE" ||
    not_ok "--cap-add=SYS_N ->$got"

# syscall names for explain's first argument, from `callfence help --syscalls`
complete_words explain mkdi
has mkdir "explain mkdi -> mkdir"
has mkdirat "explain mkdi -> mkdirat"
complete_words explain --cap-add SYS_NICE mkdi
has mkdirat "after an option and its value, still the syscall"
complete_words explain mkdir mkdi
hasnt mkdir "the second argument of explain is not a syscall name"
complete_words export mkdi
hasnt mkdir "export takes no syscall names"

# --format values, from the option's help lines
complete_words export --format ""
for f in oci docker bpf asm; do has "$f" "export --format offers $f"; done
complete_words export -f d
has docker "export -f d -> docker"
complete_words export --format zz
empty "export --format zz -> nothing"

# --security-opt: seccomp= files and builtin/unconfined
complete_words run --security-opt ""
has seccomp= "--security-opt offers seccomp="
has no-new-privileges "--security-opt offers no-new-privileges"
complete_line "run --security-opt seccomp=unc"
[ "$got" = " unconfined " ] && ok "seccomp=unc -> unconfined (after bash's '=' break)" ||
    not_ok "seccomp=unc ->$got"
complete_line "run --security-opt seccomp=profiles/"
has profiles/web.json "seccomp=profiles/ -> the profile files"
complete_line "run --security-opt seccomp=nothing-here"
empty "seccomp=nothing-here -> nothing"
complete_line "export --security-opt=seccomp=b"
has builtin "--security-opt=seccomp=b -> builtin"

# file arguments elsewhere; run's command
complete_words export -o profile-
has profile-a.json "export -o takes a FILE"
complete_words run tru
has true "run's first argument is a command"

done_testing
