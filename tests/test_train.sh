#!/bin/sh
# The training job end to end on a subset of Fashion-MNIST (2000 training
# and 1000 test samples, 2 epochs), as TAP: through loom-run on an
# in-process device and through loomd, and through loom-train-demo. The
# loss must fall, the test accuracy must be well above chance (10%), the
# device's telemetry must show the work. SKIPs, saying why, when the data
# set (Debian's dataset-fashion-mnist) is not installed.
# Usage: test_train.sh BUILD_DIR.
B="$1"
MODELS="$2"	# examples/models of the source tree
RUN="$B/tools/loom-run"
DEMO="$B/examples/loom-train-demo"
DATA="${LOOM_DATA_DIR:-/usr/share/datasets/fashion-mnist}"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
n=0
fails=0
tmp=$(mktemp -d /tmp/loom-train-XXXXXX)
daemon=""
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() {	# ok DESCRIPTION COMMAND...
	desc="$1"; shift
	n=$((n + 1))
	if "$@" >"$tmp/cmd.out" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/cmd.out" | head -30
		fails=$((fails + 1))
	fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

NTESTS=13
echo "1..$NTESTS"
if [ ! -e "$DATA/train-images-idx3-ubyte.gz" ] && [ ! -e "$DATA/train-images-idx3-ubyte" ]; then
	for t in train-subset loss-falls above-chance telemetry log-and-plot loomd-device \
		 demo-run bf16 seeded-repeat bad-device batch-too-large graph-file graph-same-as-mlp; do
		skip "$t" "Fashion-MNIST not found in $DATA (Debian package dataset-fashion-mnist; scripts/install-deps.sh test)"
	done
	exit 0
fi

SUBSET="--epochs 2 --train-limit 2000 --test-limit 1000 --seed 7"
# Figures from loom-run's --json, checked by a small Python program:
# jcheck FILE EXPRESSION (d is the JSON object).
jcheck() {
	$PY -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" ||
		{ echo "failed: $2"; cat "$1"; return 1; }
}

ok "train-subset" sh -c "timeout 300 '$RUN' $SUBSET --json --quiet --log '$tmp/log.json' --plot '$tmp/plot.png' > '$tmp/run.json'"
E='d["epochs"]'
ok "loss-falls" jcheck "$tmp/run.json" \
	"len($E) == 2 and $E[1]['train_loss'] < $E[0]['train_loss'] < 2.3026 and $E[1]['test_loss'] < 2.3026"
ok "above-chance" jcheck "$tmp/run.json" \
	"d['result']['test_accuracy'] > 0.5 and d['config']['train_samples'] == 2000 and d['config']['test_samples'] == 1000"
ok "telemetry" jcheck "$tmp/run.json" \
	"d['result']['steps'] == 14 and d['telemetry']['energy_j'] > 0 and d['telemetry']['mme_gflop'] > 10 and d['telemetry']['engines']['mme']['busy_ms_per_step'] > 0 and d['telemetry']['engines']['tpc']['busy_ms_per_step'] > 0"
if command -v gnuplot >/dev/null 2>&1; then
	ok "log-and-plot" sh -c "cmp -s '$tmp/log.json' '$tmp/run.json' && head -c 8 '$tmp/plot.png' | od -An -c | grep -q 'P   N   G'"
else
	skip "log-and-plot" "gnuplot not installed (Debian package gnuplot-nox)"
fi

"$B/device/loomd" -q -s "$tmp/loom0.sock" -d 1G &
daemon=$!
i=0; while [ ! -S "$tmp/loom0.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
ok "loomd-device" sh -c "timeout 300 '$RUN' --device 'unix:$tmp/loom0.sock' --epochs 1 --train-limit 1024 --test-limit 500 --json -q > '$tmp/loomd.json' && $PY -c \"import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['device']['uri'].startswith('unix:') and d['result']['test_accuracy'] > 0.3 else 1)\" '$tmp/loomd.json'"

ok "demo-run" sh -c "timeout 300 '$DEMO' --epochs 1 --train-limit 1024 --test-limit 500 --out '$tmp/demo' --no-progress > '$tmp/demo.out' 2>&1 && grep -q 'test accuracy' '$tmp/demo.out' && grep -q 'energy' '$tmp/demo.out' && grep -q 'step time' '$tmp/demo.out' && test -s '$tmp/demo/train-log.json'"

# bf16 (bf16 operands on the MME, f32 master weights) trains.
ok "bf16" sh -c "timeout 300 '$RUN' --dtype bf16 --epochs 1 --train-limit 1024 --test-limit 500 --json -q > '$tmp/bf16.json' && $PY -c \"import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['config']['dtype'] == 'bf16' and d['result']['test_accuracy'] > 0.3 else 1)\" '$tmp/bf16.json'"

# The same seed gives the same run.
ok "seeded-repeat" sh -c "timeout 300 '$RUN' $SUBSET --json -q > '$tmp/run2.json' && $PY -c \"import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if [e['train_loss'] for e in a['epochs']] == [e['train_loss'] for e in b['epochs']] and a['result']['test_accuracy'] == b['result']['test_accuracy'] else 1)\" '$tmp/run.json' '$tmp/run2.json'"
# Failures of the run itself: exit status 1 and the reason.
ok "bad-device" sh -c "'$RUN' --device 'unix:$tmp/none.sock' --train-limit 512 -q 2> '$tmp/err'; [ \$? -eq 1 ] && grep -q 'cannot open device unix:$tmp/none.sock' '$tmp/err'"
# Saved graphs: a hand-written model trains; the MLP saved and loaded trains
# exactly as the built-in one (same seed, same losses).
ok "graph-file" sh -c "timeout 300 '$RUN' --graph '$MODELS/mlp-layernorm-gelu.lg' $SUBSET --json -q > '$tmp/lg.json' && $PY -c \"import json,sys; d=json.load(open(sys.argv[1])); e=d['epochs']; sys.exit(0 if d['config']['graph'].endswith('mlp-layernorm-gelu.lg') and d['result']['test_accuracy'] > 0.5 and e[1]['train_loss'] < e[0]['train_loss'] else 1)\" '$tmp/lg.json'"
ok "graph-same-as-mlp" sh -c "'$RUN' --save-graph '$tmp/mlp.lg' -q && timeout 300 '$RUN' --graph '$tmp/mlp.lg' $SUBSET --json -q > '$tmp/mlp.json' && $PY -c \"import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if [e['train_loss'] for e in a['epochs']] == [e['train_loss'] for e in b['epochs']] and a['result']['test_accuracy'] == b['result']['test_accuracy'] else 1)\" '$tmp/run.json' '$tmp/mlp.json'"
ok "batch-too-large" sh -c "'$RUN' --train-limit 100 -q 2> '$tmp/err'; [ \$? -eq 1 ] && grep -q 'batch 256 is larger than the 100 training samples' '$tmp/err'"
[ "$fails" -eq 0 ]
