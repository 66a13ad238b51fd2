#!/bin/sh
# Build loomcc's libFuzzer target (clang -fsanitize=fuzzer,address,undefined)
# and run it for SECONDS (default 60) with the programs of tests/cc/ as the
# seed corpus and fuzz/loomcc.dict as the dictionary. Prints TAP; a crash,
# a leak, a hang (> 5 s on one input) or an internal error fails, and the
# input that did it is left in OUT/ (crash-*, leak-*, timeout-*).
# Usage: fuzz/run.sh [SECONDS] [OUT]   (OUT default: build-fuzz)
# Needs clang-14 and libclang-rt-14-dev: scripts/install-deps.sh fuzz.
set -u
secs="${1:-60}"
src="$(cd "$(dirname "$0")/.." && pwd)"
out="${2:-$src/build-fuzz}"
mkdir -p "$out/corpus" || exit 1
echo "1..2"
cc=""
for c in clang-14 clang; do
	command -v "$c" >/dev/null 2>&1 && { cc="$c"; break; }
done
probe="$out/probe.c"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$probe"
if [ -z "$cc" ] || ! "$cc" -fsanitize=fuzzer "$probe" -o "$out/probe" 2>/dev/null; then
	echo "ok 1 - build # SKIP clang with libFuzzer not installed (scripts/install-deps.sh fuzz)"
	echo "ok 2 - fuzz # SKIP no fuzzer"
	exit 0
fi
srcs=$(ls "$src"/compiler/loomcc_*.c | grep -v loomcc_main.c)
if "$cc" -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$src" $srcs "$src/compiler/loom_obj.c" "$src/fuzz/loomcc_fuzz.c" -lm \
	-o "$out/loomcc_fuzz" 2>"$out/build.log"; then
	echo "ok 1 - build $out/loomcc_fuzz"
else
	echo "not ok 1 - build"
	sed 's/^/# /' "$out/build.log" | head -30
	echo "not ok 2 - fuzz # not built"
	exit 1
fi
cp "$src"/tests/cc/*.c "$out/corpus/" 2>/dev/null
cd "$out" || exit 1
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
./loomcc_fuzz -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=8192 \
	-print_final_stats=1 -dict="$src/fuzz/loomcc.dict" corpus >fuzz.log 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz.log | tail -1)
if [ "$rc" -eq 0 ]; then
	echo "ok 2 - fuzz ${secs}s: ${execs:-?} inputs, no crash, leak or hang"
else
	echo "not ok 2 - fuzz ${secs}s: failure after ${execs:-?} inputs (see $out/fuzz.log)"
	grep -E 'ERROR|SUMMARY|internal error|Test unit written' fuzz.log | head -10 | sed 's/^/# /'
	exit 1
fi
