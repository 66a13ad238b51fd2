#!/bin/sh
# loom-run's and loom-train-demo's command line, as TAP (no data set
# needed): --help, every kind of bad option refused with exit status 2,
# a missing or malformed data set refused with exit status 3 and a
# message naming the file. Usage: test_run_cli.sh BUILD_DIR.
B="$1"
RUN="$B/tools/loom-run"
DEMO="$B/examples/loom-train-demo"
n=0
fails=0
tmp=$(mktemp -d /tmp/loom-run-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# check DESCRIPTION WANT_STATUS GREP_PATTERN COMMAND...: the status, and
# the pattern in its output (stdout and stderr), "" for none.
check() {
	desc="$1"; want="$2"; pat="$3"; shift 3
	n=$((n + 1))
	timeout 60 "$@" >"$tmp/out" 2>&1
	st=$?
	if [ "$st" -eq "$want" ] && { [ -z "$pat" ] || grep -q -- "$pat" "$tmp/out"; }; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (status $st, wanted $want${pat:+, output matching '$pat'})"
		sed 's/^/# /' "$tmp/out" | head -20
		fails=$((fails + 1))
	fi
}

echo "1..31"
check "help" 0 "Usage: loom-run" "$RUN" --help
check "help-options" 0 "--dtype T" "$RUN" -h
check "help-exit-status" 0 "Exit status" "$RUN" --help
check "bad-option" 2 "unknown option '--bogus'" "$RUN" --bogus
check "bad-short-option" 2 "unknown option" "$RUN" -x
check "missing-argument" 2 "needs an argument" "$RUN" --epochs
check "epochs-zero" 2 "--epochs: '0'" "$RUN" --epochs 0
check "epochs-text" 2 "--epochs: 'ten'" "$RUN" --epochs ten
check "epochs-too-many" 2 "1..1000" "$RUN" --epochs 1001
check "batch-negative" 2 "--batch" "$RUN" --batch -5
check "dtype-unknown" 2 "f32 or bf16" "$RUN" --dtype f16
check "lr-negative" 2 "--lr" "$RUN" --lr -0.1
check "lr-text" 2 "--lr" "$RUN" --lr fast
check "hidden-empty-size" 2 "--hidden" "$RUN" --hidden 512,,256
check "hidden-too-many" 2 "at most 4" "$RUN" --hidden 8,8,8,8,8
check "hidden-zero" 2 "--hidden" "$RUN" --hidden 0
check "extra-argument" 2 "unexpected argument 'now'" "$RUN" now
check "out-is-demo-only" 2 "unknown option '--out'" "$RUN" --out "$tmp"
check "demo-help" 0 "--out DIR" "$DEMO" --help
check "demo-bad-option" 2 "Try 'loom-train-demo --help'" "$DEMO" --epochs 1 --nope
check "no-data" 3 "$tmp/none/train-images-idx3-ubyte" "$RUN" --data "$tmp/none" -q
# A data set whose images file stops short: refused, naming it.
mkdir -p "$tmp/bad"
printf '\000\000\010\003\000\000\000\012\000\000\000\034\000\000\000\034abc' > "$tmp/bad/train-images-idx3-ubyte"
printf '\000\000\010\001\000\000\000\012\000\001\002\003\004\005\006\007\010\011' > "$tmp/bad/train-labels-idx1-ubyte"
check "truncated-data" 3 "train-images-idx3-ubyte: truncated" "$RUN" --data "$tmp/bad" -q
# idx DIR SPLIT COUNT HEIGHT WIDTH LABEL...: a data set of blank images and these labels.
idx() {
	d="$1"; s="$2"; c="$3"; h="$4"; w="$5"; shift 5
	mkdir -p "$d"
	python3 - "$d/$s" "$c" "$h" "$w" "$@" <<'PY'
import struct, sys
p, c, h, w = sys.argv[1], *map(int, sys.argv[2:5])
labels = bytes(map(int, sys.argv[5:]))
open(p + "-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, c, h, w) + bytes(c * h * w))
open(p + "-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, c) + labels)
PY
}
# A label byte beyond the data set's 10 classes: refused, naming the file and sample.
idx "$tmp/label" train 4 28 28 1 2 78 3
check "label-out-of-range" 3 "train-labels-idx1-ubyte: label 78 of sample 2 is not one of the 10 classes" "$RUN" --data "$tmp/label" -q
# Images of 14x56 (784 pixels too): not Fashion-MNIST's 28x28.
idx "$tmp/shape" train 4 14 56 1 2 3 4
check "image-shape" 3 "training images are 14x56; Fashion-MNIST's are 28x28" "$RUN" --data "$tmp/shape" -q
# Saved graphs (no data needed): written, and refused with the file and line.
check "save-graph" 0 "linear logits fc2 fc3.w fc3.b" sh -c "'$RUN' --save-graph '$tmp/m.lg' -q && cat '$tmp/m.lg'"
check "save-graph-bf16" 0 "cast fc1.w16 fc1.w bf16" sh -c "'$RUN' --dtype bf16 --hidden 64 --save-graph '$tmp/m16.lg' -q && cat '$tmp/m16.lg'"
check "graph-missing" 1 "cannot read the graph $tmp/none.lg" "$RUN" --graph "$tmp/none.lg" -q
printf 'loom-graph 1\ninput x f32 B,784\nconv c x\n' > "$tmp/bad.lg"
check "graph-bad-line" 1 "$tmp/bad.lg:3: unknown operation 'conv'" "$RUN" --graph "$tmp/bad.lg" -q
printf 'loom-graph 1\ninput x f32 B,784\ninput labels i32 B\nrelu r x\n' > "$tmp/nologits.lg"
check "graph-no-logits" 1 "has no node called 'logits'" "$RUN" --graph "$tmp/nologits.lg" -q
printf 'loom-graph 1\ninput x f32 B,100\ninput labels i32 B\nparam w f32 100,10 zero\nlinear logits x w -\n' > "$tmp/x100.lg"
check "graph-x-shape" 1 "'x' must be an f32 or bf16 input \[B, 784\]" "$RUN" --graph "$tmp/x100.lg" -q
printf 'loom-graph 1\ninput x f32 B,784\ninput labels i32 B\nparam w f32 784,10 zero\nlinear logits x w nob\n' > "$tmp/ref.lg"
check "graph-bad-reference" 1 "$tmp/ref.lg:5: no node called 'nob' above" "$RUN" --graph "$tmp/ref.lg" -q
[ "$fails" -eq 0 ]
