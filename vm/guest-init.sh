#!/bin/busybox sh
# The guest's /init (vm/build-initramfs.sh installs it): mount the kernel's
# file systems, load the modules in /etc/modules and loom.ko, run every test
# in /tests, the runtime's suites and tools in /rt through libloom's kernel
# backend, the training job (loom-run), dump the kernel log, power off.
# Lines starting "LOOM-VM: " are for vm/report.sh; the tests' TAP stands
# between "begin" and "end" lines, which go to the kernel log too (so that
# a kernel report there follows the name of the test that caused it).
# On the debug kernel (loom_vm.kernel=debug on the command line), kmemleak
# is scanned before the modules load (what boot left is cleared) and again
# at the end, its findings printed between "kmemleak-begin" and
# "kmemleak-end"; lockdep's state (debug_locks) and the DMA API debugging's
# error count are printed too.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Keep the kernel's messages off the console while the tests print (only
# emergencies get through); the whole log is dumped at the end.
echo 2 > /proc/sys/kernel/printk
echo "LOOM-VM: boot $(cut -d' ' -f1 /proc/uptime)"
vm_kernel=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^loom_vm\.kernel=//p')
echo "LOOM-VM: kernel ${vm_kernel:-debian} $(uname -r)"

# A line in the kernel log, beside its reports.
mark()
{
	echo "loom-vm: $*" > /dev/kmsg
}

# kmemleak: objects no pointer refers to any more, at least 5 s old when
# scanned. The scan before the modules load clears what boot left (the
# kernel's own, not the tests'); the one at the end, two scans after every
# test has exited and 6 s have passed, lists what leaked while the modules
# were loaded and the tests ran (the second scan drops objects that the
# first saw only in passing unreferenced).
kmemleak=/sys/kernel/debug/kmemleak
if [ "$vm_kernel" = debug ]; then
	mount -t debugfs debugfs /sys/kernel/debug
	# The DMA API debugging prints its first error only: the first 20.
	echo 20 > /sys/kernel/debug/dma-api/num_errors
	if [ -w $kmemleak ]; then
		sleep 6
		if echo scan > $kmemleak; then
			n=$(grep -c '^unreferenced object' $kmemleak)
			echo clear > $kmemleak
			echo "LOOM-VM: kmemleak-baseline $n"
		else
			echo "LOOM-VM: kmemleak-baseline none"
		fi
	else
		echo "LOOM-VM: kmemleak-baseline none"
	fi
fi

# Module parameters on the kernel command line (loom.dbg_mask=15), as
# modprobe would pass them.
loom_args=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^loom\.//p')
for m in $(cat /etc/modules); do
	insmod "/lib/modules/$m.ko" || echo "LOOM-VM: insmod $m failed"
done
insmod /lib/modules/loom.ko $loom_args || echo "LOOM-VM: insmod loom failed"
# The dma-buf test importer (/dev/loom_importer), an RDMA NIC stand-in.
insmod /lib/modules/loom_importer.ko || echo "LOOM-VM: insmod loom_importer failed"

i=0
while [ ! -e /dev/accel/accel0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -e /dev/accel/accel0 ]; then
	echo "LOOM-VM: device /dev/accel/accel0"
else
	echo "LOOM-VM: no device"
fi

# One test binary, framed by the lines vm/report.sh reads and marked in
# the kernel log (so reports name the test during which they came).
run_test()
{
	n=${1##*/}
	echo "LOOM-VM: begin $n"
	mark "begin $n"
	"$1"
	echo "LOOM-VM: end $n $?"
}

for t in /tests/*; do
	n=${t##*/}
	# Later: the fuzzer (its fault injection may switch the DMA API's
	# debugging off for the rest of the run), and what takes the device away.
	case $n in *_fuzz|*_gone) continue ;; esac
	run_test "$t"
done

# A JSON document on stdin as "PATH VALUE" lines, PATH the keys and array
# indices down to each value joined by dots (epochs.0.train_loss 1.115),
# strings without their quotes: enough for loom-run's --json.
json_flat()
{
	awk '
	{ s = s $0 "\n" }
	function path(   p, d) {
		p = ""
		for (d = 1; d <= depth; d++)
			p = p (d > 1 ? "." : "") (type[d] == "{" ? key[d] : idx[d])
		return p
	}
	END {
		n = length(s)
		i = 1
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == "{" || c == "[") {
				type[++depth] = c; idx[depth] = 0; key[depth] = ""; i++
			} else if (c == "}" || c == "]") {
				depth--; i++
			} else if (c == ",") {
				if (type[depth] == "[") idx[depth]++
				i++
			} else if (c == "\"") {
				str = ""
				for (i++; i <= n && (d = substr(s, i, 1)) != "\""; i++) {
					if (d == "\\") { i++; d = substr(s, i, 1) }
					str = str d
				}
				i++
				if (match(substr(s, i), /^[ \t\n]*:/)) {
					key[depth] = str; i += RLENGTH
				} else {
					print path(), str
				}
			} else if (match(substr(s, i), /^[-+.0-9eE]+|^true|^false|^null/)) {
				print path(), substr(s, i, RLENGTH); i += RLENGTH
			} else {
				i++
			}
		}
	}'
}

# The training job: loom-run, the host's binary unchanged, with its default
# device (the kernel driver's /dev/accel/accel0) and data directory (the
# subset of Fashion-MNIST vm/build-initramfs.sh put there), the options of
# /etc/loom-run.args. Its --json must show the kernel backend, the training
# loss falling by a real margin, a test accuracy far above chance (10%) on
# the whole subset, and the figures of the same run on the host
# (/etc/loom-run.host.json, the direct backend) within 1%.
train_job()
{
	data=/usr/share/datasets/fashion-mnist
	set -- train kernel-device loss-falls above-chance same-as-host
	echo "LOOM-VM: begin loom-run"
	mark "begin loom-run"
	echo "1..$#"
	if [ -f $data.unavailable ] || [ ! -x /rt/loom-run ]; then
		why=$(cat $data.unavailable 2>/dev/null || echo "loom-run was not built")
		i=0
		for s; do
			i=$((i + 1))
			echo "ok $i - $s # SKIP $why"
		done
		echo "LOOM-VM: end loom-run 0"
		return
	fi
	args=$(cat /etc/loom-run.args)
	t0=$(cut -d' ' -f1 /proc/uptime)
	# shellcheck disable=SC2086 # the options are words
	/rt/loom-run $args --json -q > /tmp/train.json 2> /tmp/train.err
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	flat=$(json_flat < /tmp/train.json)
	jv() { echo "$flat" | awk -v k="$1" '$1 == k { sub(/^[^ ]* /, ""); print; exit }'; }
	per_epoch() { echo "$flat" | awk -v k="$1" '$1 ~ "^epochs\\.[0-9]+\\." k "$" { print $2 }'; }
	# check N NAME AWK-CONDITION [-v VAR=VALUE...]: ok when it holds.
	check()
	{
		n=$1 name=$2 cond=$3
		shift 3
		if awk "$@" "BEGIN { exit !($cond) }" < /dev/null; then
			echo "ok $n - $name"
		else
			echo "not ok $n - $name"
			echo "# failed: $cond, with $*"
		fi
	}
	if [ $rc = 0 ] && [ -n "$flat" ]; then
		echo "ok 1 - train"
	else
		echo "not ok 1 - train"
		echo "# loom-run $args exited with status $rc"
		sed 's/^/# /' /tmp/train.err /tmp/train.json | tail -n 30
	fi
	echo "# loom-run $args: $(jv result.steps) steps of $(jv config.batch)," \
		"$(jv result.samples_per_s) samples/s, $(jv result.step_ms) ms/step," \
		"training $(jv result.train_seconds) s, run $(jv result.total_seconds) s," \
		"guest wall clock $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
	check 2 kernel-device 'uri == "/dev/accel/accel0" && be == "kernel"' \
		-v uri="$(jv device.uri)" -v be="$(jv device.backend)"
	echo "# device $(jv device.uri), backend $(jv device.backend)"
	epochs=$(per_epoch train_loss | wc -l)
	last=$((epochs - 1))
	check 3 loss-falls 'e > 1 && e == re && l0 > 0 && l1 < 0.8 * l0 && t1 < t0' \
		-v e="$epochs" -v re="$(jv result.epochs)" \
		-v l0="$(jv epochs.0.train_loss)" -v l1="$(jv epochs.$last.train_loss)" \
		-v t0="$(jv epochs.0.test_loss)" -v t1="$(jv epochs.$last.test_loss)"
	echo "# training loss by epoch:" $(per_epoch train_loss)
	echo "# test loss by epoch:" $(per_epoch test_loss)
	# The whole subset was read: as many samples as its files hold.
	ntrain=$((($(wc -c < $data/train-images-idx3-ubyte) - 16) / 784))
	ntest=$((($(wc -c < $data/t10k-images-idx3-ubyte) - 16) / 784))
	check 4 above-chance 'acc > 0.5 && tr == ntrain && te == ntest' \
		-v acc="$(jv result.test_accuracy)" -v tr="$(jv config.train_samples)" \
		-v te="$(jv config.test_samples)" -v ntrain=$ntrain -v ntest=$ntest
	echo "# test accuracy by epoch:" $(per_epoch test_accuracy) \
		"($ntrain training, $ntest test samples)"
	# The same figures as the host's run, epoch by epoch.
	if [ -s /etc/loom-run.host.json ]; then
		diff=$({ echo "$flat" | sed 's/^/guest /'
			 json_flat < /etc/loom-run.host.json | sed 's/^/host /'; } | awk '
			$2 ~ /^epochs\.[0-9]+\.(train_loss|test_loss|test_accuracy)$/ { v[$1, $2] = $3; k[$2] = 1 }
			END {
				for (x in k) {
					n++
					g = v["guest", x]; h = v["host", x]
					if (g == "" || h == "" || g - h > 0.01 * h || h - g > 0.01 * h)
						print x ": guest " g ", host " h
				}
				if (!n)
					print "no epochs"
			}')
		if [ -z "$diff" ]; then
			echo "ok 5 - same-as-host"
		else
			echo "not ok 5 - same-as-host"
			echo "$diff" | sort -t. -k2,2n | head -n 12 | sed 's/^/# /'
		fi
		host="$(json_flat < /etc/loom-run.host.json | awk '$1 == "result.samples_per_s" { print $2 }')"
		echo "# the host's run (in-process device): $host samples/s"
	else
		echo "not ok 5 - same-as-host"
		echo "# no /etc/loom-run.host.json: loom-run failed on the host (BUILD/vm/build.log)"
	fi
	echo "LOOM-VM: end loom-run $rc"
}

# The runtime's suites through libloom's kernel backend, then the tools
# (their output as TAP comments: the guest's figures).
if [ -d /rt ]; then
	export CMOCKA_MESSAGE_OUTPUT=TAP OPENBLAS_NUM_THREADS=1
	for t in test_runtime test_runtime_capture test_kernel test_errors test_errors_stream \
		 test_kernels test_graph test_graph_mixed test_graph_io; do
		echo "LOOM-VM: begin $t"
		mark "begin $t"
		if [ -x /rt/$t ]; then
			/rt/$t kernel
			echo "LOOM-VM: end $t $?"
		else
			echo "LOOM-VM: end $t 127"	# not built: a failure, not a silence
		fi
	done
	echo "LOOM-VM: begin tools"
	mark "begin tools"
	echo "1..2"
	n=0
	for c in "loom-smi" "loom-bench --quick --only kernel_"; do
		n=$((n + 1))
		out=$(/rt/$c 2>&1)
		rc=$?
		[ $rc = 0 ] && echo "ok $n - ${c%% *}" || echo "not ok $n - ${c%% *}"
		echo "$out" | sed 's/^/# /'
	done
	echo "LOOM-VM: end tools 0"
	train_job
fi

# The uAPI fuzzer, after the other suites: on the debug kernel it runs
# with failslab, and an allocation the DMA API's debugging makes for its
# own bookkeeping may be among those that fail, which turns that
# debugging off for what follows ("dma-debug disabled" in the log).
for t in /tests/*_fuzz; do
	[ -x "$t" ] || continue
	run_test "$t"
done

# Tests that take the device away (loom_gone: it prints "LOOM-VM:
# kill-loomd" and vm/run.sh kills loomd), after everything else.
for t in /tests/*_gone; do
	[ -x "$t" ] || continue
	run_test "$t"
done
mark "tests done"

if [ "$vm_kernel" = debug ]; then
	# lockdep turns itself off after its first report (debug_locks 0).
	echo "LOOM-VM: debug_locks $(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats 2>/dev/null)"
	echo "LOOM-VM: dma-api-errors $(cat /sys/kernel/debug/dma-api/error_count)" \
		"disabled $(cat /sys/kernel/debug/dma-api/disabled)"
	if [ -w $kmemleak ]; then
		sleep 6
		# A scan fails (EPERM) once kmemleak has turned itself off.
		if echo scan > $kmemleak && echo scan > $kmemleak; then
			echo "LOOM-VM: kmemleak-begin"
			cat $kmemleak
			echo "LOOM-VM: kmemleak-end $(grep -c '^unreferenced object' $kmemleak)"
		else
			echo "LOOM-VM: kmemleak-off"
		fi
	fi
fi

echo "LOOM-VM: dmesg-begin"
dmesg
echo "LOOM-VM: dmesg-end"
echo "LOOM-VM: done $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
