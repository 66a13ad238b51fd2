#!/bin/sh
# Command-line behaviour of loom-as and loom-objdump, as TAP. Usage:
# test_asm_cli.sh BUILD_DIR. Assembles, disassembles and reassembles a
# kernel through files (identical bytes), and checks diagnostics on
# standard error and the documented exit statuses.
B=$(cd "$1" && pwd)
AS="$B/compiler/loom-as"
OD="$B/compiler/loom-objdump"
n=0
fails=0
tmp=$(mktemp -d /tmp/loom-asm-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

ok() {	# ok DESCRIPTION COMMAND...
	desc="$1"; shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/out" "$tmp/err" | head -20
		fails=$((fails + 1))
	fi
}
status_is() { want="$1"; shift; "$@"; [ "$?" -eq "$want" ]; }

cat >"$tmp/scale.s" <<'SRC'
; y = alpha * x, 64 elements per index point
.kernel scale
.tensor x, f32
.tensor y, f32
.scalar alpha, f32
	movsr	s0, alpha
	movsr	s1, size0
	movsr	s2, off0
	shl.i32	s2, s2, 6
	iset	i0.0, s2
top:	ldt.f32	v0, x, i0
	vmul.f32 v0, v0, s0
	stt.f32	y, i0, v0
	iadd	i0.0, 64
	loop	s1, top
	halt
SRC
printf 'nop\n\tvadd.f32 v1, v2, p3\n' >"$tmp/bad.s"
# Its diagnostic, with the tabs of the source and of the caret line as spaces.
cat >"$tmp/want" <<WANT
$tmp/bad.s:2:19: error: expected a vector register, a scalar register or an immediate
 vadd.f32 v1, v2, p3
                  ^
WANT

echo "1..11"
ok "as-file" sh -c "'$AS' -o '$tmp/scale.o' '$tmp/scale.s' && head -c 4 '$tmp/scale.o' | grep -q LTCO"
ok "as-default-output" sh -c "cd '$tmp' && '$AS' scale.s && cmp scale.o '$tmp/scale.o'"
ok "as-stdin" sh -c "'$AS' -o '$tmp/stdin.o' - <'$tmp/scale.s' && cmp '$tmp/stdin.o' '$tmp/scale.o'"
ok "objdump-roundtrip" sh -c "'$OD' '$tmp/scale.o' >'$tmp/dis.s' && grep -q '^top:' '$tmp/dis.s' &&
	'$AS' -o '$tmp/re.o' '$tmp/dis.s' && cmp '$tmp/re.o' '$tmp/scale.o'"
ok "objdump-raw" sh -c "tail -c +81 '$tmp/scale.o' | head -c 88 >'$tmp/code.bin' &&
	'$OD' --raw --no-comments '$tmp/code.bin' | grep -q 'loop	s1, .L5'"
ok "as-error-status" status_is 1 "$AS" -o "$tmp/bad.o" "$tmp/bad.s"
ok "as-error-message" sh -c "'$AS' -o '$tmp/bad.o' '$tmp/bad.s' 2>&1 | head -3 | tr '\t' ' ' |
	diff - '$tmp/want'"
ok "as-no-output-on-error" test ! -e "$tmp/bad.o"
ok "as-usage" status_is 2 "$AS"
ok "objdump-not-object" sh -c "'$OD' '$tmp/scale.s' 2>&1 >/dev/null | grep -q 'not a TPC object (bad magic)';
	'$OD' '$tmp/scale.s' 2>/dev/null; [ \$? -eq 1 ]"
ok "objdump-missing" status_is 2 "$OD" "$tmp/none.o"
[ "$fails" -eq 0 ]
