# bash completion for callfence(1)                                 -*- shell-script -*-
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Everything is read from the callfence being completed, so new commands and options complete
# without editing this file:
#   commands              `callfence help --commands` (hidden, one a line)
#   a command's options   parsed from `callfence COMMAND --help`: lines starting with
#                         "  -x, --long" or "      --long"; "--long VALUE" takes a value
#   option values         --cap-add/--cap-drop: `callfence help --capabilities`;
#                         --security-opt: seccomp=FILE|builtin|unconfined, no-new-privileges;
#                         a "a|b|c" list on the option's line, or "word:" at the start of its
#                         description lines (export --format); FILE/PATH/PROFILE/DIR: files
#   arguments             explain: syscall names (`callfence help --syscalls`); run: commands;
#                         anything else: files
# Needs nothing from the bash-completion package.

# Options of one command: "name<TAB>metavar<TAB>values" per line (metavar empty: a flag).
_callfence_options() {
    "$1" "$2" --help 2>/dev/null | awk '
    function flush() {
        if (n) for (k = 1; k <= n; k++) print names[k] "\t" meta "\t" vals
        n = 0; meta = ""; vals = ""
    }
    function addval(v) { if (index(" " vals " ", " " v " ") == 0) vals = vals (vals == "" ? "" : " ") v }
    # no {m,n} intervals: Debian'"'"'s default awk is mawk
    { match($0, /^ */); indent = RLENGTH }
    indent >= 1 && indent <= 8 && /^ +(-[A-Za-z0-9], )?--[a-z0-9]/ {
        flush()
        line = $0; sub(/^ +/, "", line)
        if (line ~ /^-[A-Za-z0-9], /) { names[++n] = substr(line, 1, 2); line = substr(line, 5) }
        match(line, /^--[a-z0-9][a-z0-9-]*/)
        names[++n] = substr(line, 1, RLENGTH); rest = substr(line, RLENGTH + 1)
        if (rest ~ /^[ =][^ ]/) {
            m = rest; sub(/^[ =]/, "", m); sub(/ .*/, "", m); meta = m
            if (match(rest, /[a-z0-9-]+(\|[a-z0-9-]+)+/)) {
                k = split(substr(rest, RSTART, RLENGTH), a, "|")
                for (i = 1; i <= k; i++) addval(a[i])
            } else {
                d = rest; sub(/^[ =][^ ]+ +/, "", d)
                if (match(d, /^[a-z0-9][a-z0-9-]*( \(default\))?:/)) { v = substr(d, 1, RLENGTH); sub(/[ :].*/, "", v); addval(v) }
            }
        }
        next
    }
    indent >= 9 && /[^ ]/ {
        if (n && meta != "" && match($0, /^ +[a-z0-9][a-z0-9-]*( \(default\))?: /)) {
            v = substr($0, 1, RLENGTH); sub(/^ +/, "", v); sub(/[ :].*/, "", v); addval(v)
        }
        next
    }
    { flush() }
    END { flush() }'
}

# Fill COMPREPLY with the words of $1 that start with $cur.
_callfence_words() {
    local IFS=$'\n'
    # shellcheck disable=SC2207
    COMPREPLY+=($(compgen -W "$1" -- "$cur"))
}

_callfence_files() {
    local IFS=$'\n'
    # shellcheck disable=SC2207
    COMPREPLY+=($(compgen -f -- "${1-$cur}"))
}

_callfence_value() {
    local cf=$1 opt=$2 meta=$3 vals=$4
    case $opt in
    --cap-add | --cap-drop)
        local caps
        caps=$("$cf" help --capabilities 2>/dev/null)
        case ${cur^^} in
        CAP_*) caps=$(sed -e '/^ALL$/d' -e 's/^/CAP_/' <<<"$caps") ;;
        esac
        # Docker takes any case: complete in the case being typed
        [[ $cur =~ [a-z] ]] && caps=${caps,,}
        _callfence_words "$caps"
        return
        ;;
    --security-opt)
        case $cur in
        seccomp=*)
            local IFS=$'\n' f
            _callfence_words "$(printf 'seccomp=%s\n' builtin unconfined -)"
            for f in $(compgen -f -- "${cur#seccomp=}"); do COMPREPLY+=("seccomp=$f"); done
            ;;
        *) _callfence_words $'seccomp=\nno-new-privileges\nno-new-privileges=true\nno-new-privileges=false' ;;
        esac
        return
        ;;
    --user | -u)
        local IFS=$'\n'
        # shellcheck disable=SC2207
        COMPREPLY+=($(compgen -u -- "$cur"))
        return
        ;;
    esac
    if [ -n "$vals" ]; then
        _callfence_words "${vals// /$'\n'}"
    elif [[ $meta =~ (FILE|PATH|PROFILE|DIR) ]]; then
        _callfence_files
    fi
}

_callfence() {
    local cur words=() cword ci cmd="" cf opts line name meta vals i
    COMPREPLY=()
    if [ -n "${COMP_LINE-}" ]; then
        # whole words, whatever COMP_WORDBREAKS split ("seccomp=FILE" stays one word)
        read -ra words <<<"${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}"
        cword=${#words[@]}
        [[ ${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}} =~ [[:space:]]$ ]] && words+=("") ||
            cword=$((cword - 1))
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    cur=${words[cword]}
    cf=${words[0]}
    # the command: the first word after callfence that is not an option
    for ((ci = 1; ci < cword; ci++)); do
        case ${words[ci]} in -*) ;; *) cmd=${words[ci]}; break ;; esac
    done

    if [ -z "$cmd" ]; then
        case $cur in
        -*) _callfence_words $'--help\n--version' ;;
        *) _callfence_words "$("$cf" help --commands 2>/dev/null)" ;;
        esac
        _callfence_trim
        return 0
    fi

    opts=$(_callfence_options "$cf" "$cmd")
    # the value of the option before cur, or of --opt=cur
    local prev=${words[cword - 1]} optword="" valword=""
    if [[ $cur == --*=* ]]; then
        optword=${cur%%=*} valword=${cur#*=}
    elif ((cword - 1 > ci)) && [[ $prev == -* ]]; then
        optword=$prev
    fi
    if [ -n "$optword" ]; then
        line=$(awk -F'\t' -v o="$optword" '$1 == o && $2 != "" { print; exit }' <<<"$opts")
        if [ -n "$line" ]; then
            IFS=$'\t' read -r name meta vals <<<"$line"
            if [ -n "$valword" ]; then
                local full=$cur
                cur=$valword
                _callfence_value "$cf" "$name" "$meta" "$vals"
                for ((i = 0; i < ${#COMPREPLY[@]}; i++)); do COMPREPLY[i]="$optword=${COMPREPLY[i]}"; done
                cur=$full
            else
                _callfence_value "$cf" "$name" "$meta" "$vals"
            fi
            _callfence_trim
            return 0
        fi
    fi
    if [[ $cur == -* ]]; then
        _callfence_words "$(awk -F'\t' '!seen[$1]++ { print $1 }' <<<"$opts")"
        return 0
    fi

    # positional arguments: count them, skipping options and the values they take
    local npos=0 j w
    for ((j = ci + 1; j < cword; j++)); do
        w=${words[j]}
        if [[ $w == -* ]]; then
            [[ $w == *=* ]] && continue
            awk -F'\t' -v o="$w" '$1 == o && $2 != "" { f = 1 } END { exit !f }' <<<"$opts" &&
                j=$((j + 1))
        else
            npos=$((npos + 1))
        fi
    done
    case $cmd in
    explain)
        if [ "$npos" = 0 ]; then
            _callfence_words "$("$cf" help --syscalls 2>/dev/null)"
        fi
        ;;
    run)
        if [ "$npos" = 0 ]; then
            local IFS=$'\n'
            # shellcheck disable=SC2207
            COMPREPLY+=($(compgen -c -- "$cur"))
        else
            _callfence_files
        fi
        ;;
    *) _callfence_files ;;
    esac
    return 0
}

# Bash replaces only the part of the word after the last COMP_WORDBREAKS character ('=' and ':'
# by default): drop that prefix from the candidates, as bash-completion's
# __ltrim_colon_completions does for ':'.
_callfence_trim() {
    local c prefix="" i
    for c in = :; do
        [[ ${COMP_WORDBREAKS-} == *"$c"* && $cur == *"$c"* ]] || continue
        [ "${#cur}" -gt 0 ] || continue
        local p=${cur%"$c"*}$c
        [ "${#p}" -gt "${#prefix}" ] && prefix=$p
    done
    [ -n "$prefix" ] || return 0
    for ((i = 0; i < ${#COMPREPLY[@]}; i++)); do COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}; done
}

complete -o filenames -o bashdefault -F _callfence callfence
