#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence predict: cold (empty cache) and warm (cached) time per binary, with `ldd` on the same
# binary (the loader resolving the same library closure) as the anchor measured in the same run,
# and the precision table: syscall names the predicted profile allows vs the names strace sees
# in a typical invocation vs Docker's default profile, and whether the prediction needed --assume
# (gaps: none, or what was accepted). The profiles are made --for callfence, the launcher
# tests/predict runs them with (the default, --for docker, adds runc's calls after the filter
# instead). Not a test: it prints numbers.
# Usage: bench/bench-predict.sh [CALLFENCE]   (default: build/callfence)
set -u
CF=$(realpath "${1:-${CALLFENCE:-build/callfence}}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
printf '{"a":[1,2,{"b":"c"}]}\n' >in.json
head -c 3000000 /dev/urandom >big.bin
cp /etc/services services.txt

ms() { # ms CMD...: wall milliseconds of the best of 3 runs
	local best=999999 t0 t1 d
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		d=$(((t1 - t0) / 1000000))
		[ $d -lt $best ] && best=$d
	done
	echo $best
}

# Docker's default on x86_64 with its default capabilities: the allow rules not gated on a
# capability it lacks or on another architecture
# a Go static binary, when Go is installed (the same program as tests/predict)
gobin=/nonexistent
if command -v go >/dev/null; then
	mkdir -p go
	printf 'package main\n\nimport (\n\t"crypto/sha256"\n\t"fmt"\n\t"io"\n\t"os"\n)\n\nfunc main() {\n\tf, _ := os.Open(os.Args[1])\n\th := sha256.New()\n\tio.Copy(h, f)\n\tfmt.Printf("%%x\\n", h.Sum(nil))\n}\n' >go/main.go
	printf 'module sum\n\ngo 1.19\n' >go/go.mod
	(cd go && HOME=$TMP/go GOCACHE=$TMP/go/cache GOPATH=$TMP/go/path GOFLAGS=-mod=mod \
		CGO_ENABLED=0 go build -o sum . >/dev/null 2>&1) && gobin=$TMP/go/sum
fi

docker_n=$("$CF" export --format docker | python3 -c 'import json,sys
p = json.load(sys.stdin)
names = set()
for r in p["syscalls"]:
    inc = r.get("includes", {})
    if r["action"] != "SCMP_ACT_ALLOW" or inc.get("caps"):
        continue
    if inc.get("arches") and not {"amd64", "x32", "x86"} & set(inc["arches"]):
        continue
    if {"amd64"} & set(r.get("excludes", {}).get("arches", [])):
        continue
    names.update(r["names"])
print(len(names))')

printf '%-8s %8s %8s %8s %9s %10s %9s %8s %8s  %s\n' binary cold_ms warm_ms ldd_ms warm/ldd predicted allowed strace docker gaps
sum=0
n=0
max=0
nb_sum=0
nb_n=
nb_max=0
while IFS='|' read -r name bin cmd; do
	[ -x "$bin" ] || { echo "$name: $bin missing, skipped"; continue; }
	t0=$(date +%s%N)
	"$CF" predict --for callfence --cache-dir "$TMP/cache-$name" -o "$name.json" "$bin" \
		2>"$name.err"
	rc=$?
	t1=$(date +%s%N)
	cold=$(((t1 - t0) / 1000000))
	gaps=none
	assume=
	if [ $rc != 0 ]; then
		gaps=
		grep -q 'error: .*not a constant\|error: .*cannot resolve' "$name.err" &&
			gaps="unresolved"
		grep -q 'error: dlopen' "$name.err" && gaps="${gaps:+$gaps,}no-plugins"
		assume="--assume unresolved --assume no-plugins"
	fi
	# shellcheck disable=SC2086 # the options or nothing
	warm=$(ms "$CF" predict --for callfence --cache-dir "$TMP/cache-$name" $assume \
		-o "$name.json" "$bin")
	anchor=$(ms ldd "$bin")
	# shellcheck disable=SC2086
	"$CF" predict --for callfence --cache-dir "$TMP/cache-$name" $assume --format list "$bin" \
		>"$name.list" 2>/dev/null
	eval "set -- $cmd"
	strace -f -qq -o "$name.strace" "$@" >/dev/null 2>&1 </dev/null
	rm -f db.sqlite
	rec=$(awk '{split($2,a,"("); print a[1]}' "$name.strace" | grep -v '^+++\|^---\|^<' | sort -u | wc -l)
	allowed=$(python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))
print(len({n for r in p["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" for n in r["names"]}))' "$name.json")
	pred=$(awk '{print $2}' "$name.list" | sort -u | wc -l)
	ratio=$(awk -v w="$warm" -v a="$anchor" 'BEGIN { printf "%.1f", (a > 0 ? w / a : 0) }')
	printf '%-8s %8s %8s %8s %9s %10s %9s %8s %8s  %s\n' "$name" "$cold" "$warm" "$anchor" \
		"$ratio" "$pred" "$allowed" "$rec" "$docker_n" "$gaps"
	sum=$((sum + allowed))
	n=$((n + 1))
	[ "$allowed" -gt "$max" ] && max=$allowed
	if [ "$name" != busybox ]; then
		nb_sum=$((nb_sum + allowed))
		nb_n=$((nb_n + 1))
		[ "$allowed" -gt "$nb_max" ] && nb_max=$allowed
	fi
done <<LIST
gzip|/usr/bin/gzip|gzip -9 -c services.txt
cat|/usr/bin/cat|cat services.txt
ls|/usr/bin/ls|ls -la /etc
cp|/usr/bin/cp|cp -a in.json copy.json
xz|/usr/bin/xz|xz -T2 --block-size=1MiB -c big.bin
sqlite3|/usr/bin/sqlite3|sqlite3 db.sqlite "create table t(a); insert into t values(1); select * from t;"
jq|/usr/bin/jq|jq . in.json
curl|/usr/bin/curl|curl -s file://$TMP/in.json
busybox|/bin/busybox|/bin/busybox sha256sum services.txt
go|$gobin|$gobin services.txt
LIST
[ $n -gt 0 ] && echo "allowed: average $((sum / n)) max $max over $n binaries (goal: average <= 100, max <= 130; Docker's default allows $docker_n)"
[ $n -gt 1 ] && [ -n "$nb_n" ] && echo "without busybox: average $((nb_sum / nb_n)) max $nb_max over $nb_n binaries (busybox-static is one binary holding every applet, and its main runs any of them by argv[0] or argv[1]: its prediction is the union of all applets)"
