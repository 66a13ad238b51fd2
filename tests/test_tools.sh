#!/bin/sh
# Command-line behaviour of the tools (loom-smi, loom-bench, loomd, the
# demo), as TAP. Usage: test_tools.sh BUILD_DIR. Checks that each runs,
# that its output has the documented shape and that bad options are
# refused with the documented exit status; it does not judge speed.
B="$1"
n=0
fails=0
tmp=$(mktemp -d /tmp/loom-tools-XXXXXX)
daemon=""
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

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

# A JSON array with at least one element on standard input.
JSON="python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if isinstance(d, list) and d else 1)'"
status_is() { want="$1"; shift; "$@"; [ "$?" -eq "$want" ]; }

echo "1..16"
ok "smi-table" sh -c "'$B/tools/loom-smi' -d inproc | grep -q 'POWER'"
ok "smi-query" sh -c "'$B/tools/loom-smi' -d inproc -q | grep -qi 'energy'"
ok "smi-json" sh -c "'$B/tools/loom-smi' -d inproc --json | $JSON"
ok "smi-bad-option" status_is 1 "$B/tools/loom-smi" --no-such-option
ok "smi-no-device" status_is 2 "$B/tools/loom-smi" -d unix:$tmp/none.sock
ok "loomd-help" sh -c "'$B/device/loomd' --help | grep -q socket"
ok "loomd-bad-option" status_is 2 "$B/device/loomd" --no-such-option
"$B/device/loomd" -q -s "$tmp/loom0.sock" -d 256M &
daemon=$!
i=0; while [ ! -S "$tmp/loom0.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
ok "smi-lists-loomd" sh -c "LOOM_SOCKET_DIR='$tmp' '$B/tools/loom-smi' --json | $JSON"
ok "smi-loomd-dram" sh -c "LOOM_SOCKET_DIR='$tmp' '$B/tools/loom-smi' -q | grep -q 256"
ok "smi-processes-table" sh -c "LOOM_SOCKET_DIR='$tmp' '$B/tools/loom-smi' | grep -q '^IDX *PID *NAME'"
ok "smi-processes-json" sh -c "LOOM_SOCKET_DIR='$tmp' '$B/tools/loom-smi' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if isinstance(d[0][\"processes\"], list) else 1)'"
ok "demo-inproc" "$B/examples/loom-demo"
ok "demo-loomd" env LOOM_DEVICE="unix:$tmp/loom0.sock" "$B/examples/loom-demo"
ok "bench-json" sh -c "LOOMD='$B/device/loomd' '$B/tools/loom-bench' --quick --json | $JSON"
ok "bench-bad-option" status_is 1 "$B/tools/loom-bench" --bogus
ok "bench-help" sh -c "'$B/tools/loom-bench' --help | grep -q ratio"
[ "$fails" -eq 0 ]
