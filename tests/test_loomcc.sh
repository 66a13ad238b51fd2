#!/bin/sh
# loomcc's tests, as TAP. Usage: test_loomcc.sh LOOMCC [CCDIR]
#
# Every tests/cc/*.c is one test:
#  - a program with "// expect: LINE:COL: error: MESSAGE" must fail with
#    exit status 1 and print exactly that diagnostic (prefixed by its path;
#    "// expect: inc/x.h:L:C: ..." for an error inside a header), then the
#    source line and a caret under the column - three lines, nothing else;
#  - any other program must compile to IR (--emit-ir, exit 0) at -O1 and
#    -O0 (the IR verifier runs on both) and its IR must contain every
#    "// ir: TEXT" of the file.
# "// args: ..." adds options (@DIR@ is the directory of the tests).
#    Each such program's assembly (-S) must assemble with loom-as into the
#    code of its object (loomcc -o): loom-objdump prints both the same.
# Then the command line (exit statuses, -o, -S, determinism) and the
# limits that keep adversarial inputs short. The programs check
# themselves on the device in tests/test_loomcc_device.c (cc-NAME;
# tests/cc/README).
set -u
CC="$1"
DIR="${2:-$(dirname "$0")/cc}"
BIN=$(dirname "$CC")
AS="$BIN/loom-as"
OBJDUMP="$BIN/loom-objdump"
tmp=$(mktemp -d /tmp/loomcc-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1)); fails=$((fails + 1))
	echo "not ok $n - $1"
	shift
	for f in "$@"; do [ -f "$f" ] && sed 's/^/# /' "$f" | head -15; done
}
# run TIMEOUT CMD... : stdout to $tmp/out, stderr to $tmp/err, status in $rc
run() { t="$1"; shift; timeout "$t" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

tests=$(ls "$DIR"/*.c | sort)
ntests=$(echo "$tests" | wc -l)
nprogs=$(grep -L '^// expect:' $tests | wc -l)
echo "1..$((ntests + nprogs + 21))"

# ---- the programs ----
for f in $tests; do
	name=$(basename "$f" .c)
	args=$(sed -n 's|^// args: *||p' "$f" | head -1 | sed "s|@DIR@|$DIR|g")
	expect=$(sed -n 's|^// expect: *||p' "$f" | head -1)
	if [ -n "$expect" ]; then
		case "$expect" in
		[0-9]*) file="$f"; rest="$expect" ;;
		*) file="$DIR/${expect%%:*}"; rest="${expect#*:}" ;;
		esac
		line=${rest%%:*}; col=${rest#*:}; col=${col%%:*}
		# shellcheck disable=SC2086
		run 10 "$CC" --emit-ir $args "$f"
		src=$(sed -n "${line}p" "$file")
		caret=$(printf '%s\n' "$src" | awk -v c="$col" '{
			s = ""; for (i = 1; i < c; i++) s = s (substr($0, i, 1) == "\t" ? "\t" : " ");
			print s "^" }')
		printf '%s:%s\n%s\n%s\n' "$file" "$rest" "$src" "$caret" >"$tmp/want"
		if [ "$rc" -eq 1 ] && cmp -s "$tmp/want" "$tmp/err"; then
			pass "$name: $rest"
		else
			echo "exit status $rc, expected 1" >"$tmp/why"
			fail "$name: diagnostic" "$tmp/why" "$tmp/want" "$tmp/err"
		fi
		continue
	fi
	# shellcheck disable=SC2086
	run 10 "$CC" --emit-ir $args "$f"
	cp "$tmp/out" "$tmp/ir"
	cp "$tmp/err" "$tmp/err1"
	rc1=$rc
	# shellcheck disable=SC2086
	run 10 "$CC" --emit-ir -O0 $args "$f"
	missing=""
	sed -n 's|^// ir: *||p' "$f" >"$tmp/patterns"
	while IFS= read -r p; do
		grep -qF -- "$p" "$tmp/ir" || missing="$missing [$p]"
	done <"$tmp/patterns"
	if [ "$rc1" -eq 0 ] && [ "$rc" -eq 0 ] && head -1 "$tmp/ir" | grep -q '^; loomcc IR 1$' &&
	   [ -z "$missing" ]; then
		pass "$name: compiles to verified IR"
	else
		echo "exit status -O1 $rc1, -O0 $rc; missing in IR:$missing" >"$tmp/why"
		fail "$name: compiles to verified IR" "$tmp/why" "$tmp/err1" "$tmp/err"
	fi
	# loomcc -S | loom-as | loom-objdump == loomcc -o | loom-objdump
	# shellcheck disable=SC2086
	run 10 "$CC" -S -o "$tmp/k.s" $args "$f"
	rc1=$rc
	cp "$tmp/err" "$tmp/err1"
	# shellcheck disable=SC2086
	run 10 "$CC" -o "$tmp/k.o" $args "$f"
	rc2=$rc
	run 10 "$AS" -o "$tmp/k2.o" "$tmp/k.s"
	rc3=$rc
	# (loom-objdump's first line names the file)
	timeout 10 "$OBJDUMP" "$tmp/k.o" 2>&1 | sed '1{/^; /d}' >"$tmp/d1"
	timeout 10 "$OBJDUMP" "$tmp/k2.o" 2>&1 | sed '1{/^; /d}' >"$tmp/d2"
	if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ "$rc3" -eq 0 ] && [ -s "$tmp/d1" ] &&
	   cmp -s "$tmp/d1" "$tmp/d2" && cmp -s "$tmp/k.s" "$tmp/d1"; then
		pass "$name: -S assembles to the object"
	else
		echo "exit status -S $rc1, -o $rc2, loom-as $rc3" >"$tmp/why"
		diff "$tmp/d1" "$tmp/d2" >"$tmp/diff" 2>&1
		fail "$name: -S assembles to the object" "$tmp/why" "$tmp/err1" "$tmp/err" "$tmp/diff"
	fi
done

# ---- the command line ----
ok_if() { # ok_if DESCRIPTION CONDITION...
	d="$1"; shift
	if "$@"; then pass "$d"; else fail "$d" "$tmp/err"; fi
}
good="$DIR/elementwise.c"
bad="$DIR/err_undeclared.c"

run 10 "$CC" --help
ok_if "cli-help" [ "$rc" -eq 0 ] && grep -q -- '--emit-ir' "$tmp/out"
run 10 "$CC" --version
ok_if "cli-version" [ "$rc" -eq 0 ] && grep -q '^loomcc ' "$tmp/out"
run 10 "$CC"
ok_if "cli-no-input" [ "$rc" -eq 1 ] && grep -q 'no input file' "$tmp/err"
run 10 "$CC" --no-such-option "$good"
ok_if "cli-unknown-option" [ "$rc" -eq 1 ] && grep -q 'unknown option' "$tmp/err"
run 10 "$CC" -O2 "$good"
ok_if "cli-bad-O" [ "$rc" -eq 1 ]
run 10 "$CC" "$good" "$good"
ok_if "cli-two-inputs" [ "$rc" -eq 1 ]
run 10 "$CC" --emit-ir "$tmp/does-not-exist.c"
ok_if "cli-missing-file" [ "$rc" -eq 1 ] && grep -q "cannot read '$tmp/does-not-exist.c'" "$tmp/err"
run 10 "$CC" --emit-ir "$tmp"
ok_if "cli-directory" [ "$rc" -eq 1 ]
run 10 "$CC" -S "$good"
ok_if "cli-S" [ "$rc" -eq 0 ] && grep -qx '.kernel main' "$tmp/out" && \
	grep -q 'ldt.f32' "$tmp/out" && grep -q 'halt' "$tmp/out"
run 10 "$CC" -o "$tmp/k.o" "$good"
ok_if "cli-object" [ "$rc" -eq 0 ] && [ "$(head -c 4 "$tmp/k.o")" = "LTCO" ]
# 8 bool64 values live across a loop need 8 of the 7 vector predicates.
awk 'BEGIN { print "void main(tensor x, tensor out, int n) {";
	print "int5 c = { 0 }; float64 v = v_f32_ld_tnsr(c, x);";
	for (i = 0; i < 8; i++) printf "bool64 p%d = v > %d.0f;\n", i, i;
	print "for (int k = 0; k < n; k++) {";
	for (i = 0; i < 8; i++) printf "v = p%d ? v + 1.0f : v;\n", i;
	print "} v_f32_st_tnsr(c, out, v); }" }' >"$tmp/preds.c"
run 10 "$CC" -o "$tmp/r.o" "$tmp/preds.c"
ok_if "cli-object-unsupported" [ "$rc" -eq 2 ] && [ ! -e "$tmp/r.o" ] && \
	grep -qx 'loomcc: kernel too large for the register file (more than 7 vector predicate registers live at once)' "$tmp/err"
run 10 "$CC" -S "$bad"
ok_if "cli-S-errors-first" [ "$rc" -eq 1 ] && grep -q 'error: undeclared' "$tmp/err"
run 10 "$CC" -fsyntax-only "$good"
ok_if "cli-syntax-only" [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]
run 10 "$CC" --emit-ir "$good"
cp "$tmp/out" "$tmp/a.ir"
run 10 "$CC" --emit-ir -o "$tmp/b.ir" "$good"
ok_if "cli-emit-ir-o" [ "$rc" -eq 0 ] && cmp -s "$tmp/a.ir" "$tmp/b.ir"
run 10 "$CC" --emit-ir "$good"
ok_if "cli-ir-deterministic" cmp -s "$tmp/a.ir" "$tmp/out"
run 10 "$CC" --emit-ir -o /nonexistent-dir/x.ir "$good"
ok_if "cli-unwritable-output" [ "$rc" -eq 1 ]

# ---- limits: adversarial inputs end quickly with a diagnostic ----
limit() { # limit NAME FILE MESSAGE
	run 20 "$CC" --emit-ir "$2"
	if [ "$rc" -eq 1 ] && grep -q "$3" "$tmp/err"; then
		pass "limit-$1"
	else
		echo "exit status $rc" >"$tmp/why"
		fail "limit-$1" "$tmp/why" "$tmp/err"
	fi
}
awk 'BEGIN { s = "void main(tensor t) { int x = "; for (i = 0; i < 5000; i++) s = s "(";
	s = s "1"; for (i = 0; i < 5000; i++) s = s ")"; print s "; }" }' >"$tmp/parens.c"
limit parens "$tmp/parens.c" 'nesting too deep'
awk 'BEGIN { s = "void main(tensor t) { int x = 1"; for (i = 0; i < 5000; i++) s = s " + 1";
	print s "; }" }' >"$tmp/chain.c"
limit chain "$tmp/chain.c" 'expression too complex'
awk 'BEGIN { for (i = 0; i < 40; i++) printf "#define M%d M%d M%d\n", i + 1, i, i;
	print "#define M0 x"; print "void main(tensor t) { M40; }" }' >"$tmp/bomb.c"
limit macro-bomb "$tmp/bomb.c" 'too many tokens'
printf '#include "self.c"\nvoid main(tensor t) { }\n' >"$tmp/self.c"
limit include-self "$tmp/self.c" 'nested too deeply'
awk 'BEGIN { print "#define F(x) x"; s = "1"; for (i = 0; i < 200; i++) s = "F(" s ")";
	print "void main(tensor t) { int x = " s "; }" }' >"$tmp/fnest.c"
limit macro-nest "$tmp/fnest.c" 'nested too deeply'
awk 'BEGIN { print "static int f0(int x) { return x + 1; }";
	for (i = 1; i < 24; i++) printf "static int f%d(int x) { return f%d(x) + f%d(x); }\n", i, i - 1, i - 1;
	print "void main(tensor t) { int y = f23(1); }" }' >"$tmp/inline.c"
limit inline-bomb "$tmp/inline.c" 'too large after inlining'

[ "$fails" -eq 0 ]
