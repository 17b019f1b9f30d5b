#!/bin/bash
# libcallfence.so exports exactly the public API: the functions declared in
# include/callfence/callfence.h, listed in libcallfence.sym, and nothing else (no private cf_*
# function, no jansson or libcap symbol re-exported). Versioned CALLFENCE_0.1.
set -eu
. "$(dirname "$0")/../cli/libtest.sh"
HDR=$CALLFENCE_SOURCE_DIR/include/callfence/callfence.h
SYM=$CALLFENCE_SOURCE_DIR/libcallfence.sym

# declarations: an identifier followed by '(' at the start of a (possibly return-typed) line
header=$(grep -oE '^[a-z][a-z0-9_ *]*[ *]callfence_[a-z0-9_]+\(' "$HDR" |
    grep -oE 'callfence_[a-z0-9_]+\($' | tr -d '(' | sort -u)
sym=$(sed -n '/global:/,/local:/p' "$SYM" | grep -oE '^\s*callfence_[a-z0-9_]+;' |
    tr -d ' \t;' | sort -u)
exported=$(nm -D --defined-only "$CF_SHARED_LIB" | awk '$2 ~ /^[TtWwDdBbRr]$/ {print $3}' |
    sed 's/@.*//' | sort -u)

[ -n "$header" ] && ok "the header declares $(echo "$header" | wc -l) functions" || not_ok "no declarations found"
if [ "$header" = "$sym" ]; then ok "libcallfence.sym lists the header's functions"; else
    not_ok "libcallfence.sym and the header differ"; diff <(echo "$header") <(echo "$sym") | sed 's/^/# /'
fi
if [ "$header" = "$exported" ]; then ok "nm -D exports exactly the header's functions"; else
    not_ok "exports differ from the header"; diff <(echo "$header") <(echo "$exported") | sed 's/^/# /'
fi
# negative twin: the private library is in the .so, just not exported
if nm "$CF_SHARED_LIB" 2>/dev/null | grep -q ' cf_filter_compile$' ||
    nm -D "$CF_SHARED_LIB" | grep -q 'cf_filter_compile'; then
    nm -D "$CF_SHARED_LIB" | grep -q ' cf_filter_compile' && not_ok "cf_filter_compile is exported" ||
        ok "cf_filter_compile is local"
else
    ok "cf_filter_compile is local (stripped from the dynamic table)"
fi
versions=$(nm -D --defined-only "$CF_SHARED_LIB" | grep -oE '@@CALLFENCE_[0-9.]+' | sort -u)
[ "$versions" = "@@CALLFENCE_0.1" ] && ok "every symbol is versioned CALLFENCE_0.1" ||
    not_ok "symbol versions: $versions"
# the header compiles alone, as C and as C++ (extern "C"), with strict warnings
printf '#include <callfence/callfence.h>\nint main(void){return callfence_version()[0] == 0;}\n' >"$TMP/h.c"
if cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$CALLFENCE_SOURCE_DIR/include" -c "$TMP/h.c" \
    -o "$TMP/h.o" 2>"$TMP/cc.log"; then ok "the header compiles alone (c99 -pedantic)"; else
    not_ok "the header does not compile alone"; sed 's/^/# /' "$TMP/cc.log"; fi
done_testing
