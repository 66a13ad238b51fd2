#!/bin/busybox sh
# The guest's /init (vm/build-initramfs.sh installs it): mount the kernel's
# file systems, load the modules in /etc/modules and loom.ko, run every test
# in /tests, dump the kernel log, power off. Lines starting "LOOM-VM: " are
# for vm/report.sh; the tests' TAP stands between "begin" and "end" lines.
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

for t in /tests/*; do
	n=${t##*/}
	case $n in *_gone) continue ;; esac	# last: they take the device away
	echo "LOOM-VM: begin $n"
	"$t"
	echo "LOOM-VM: end $n $?"
done

# The runtime's suites through libloom's kernel backend, then the tools
# (their output as TAP comments: the guest's figures).
if [ -d /rt ]; then
	export CMOCKA_MESSAGE_OUTPUT=TAP OPENBLAS_NUM_THREADS=1
	for t in test_runtime test_kernel test_errors; do
		echo "LOOM-VM: begin $t"
		if [ -x /rt/$t ]; then
			/rt/$t kernel
			echo "LOOM-VM: end $t $?"
		else
			echo "LOOM-VM: end $t 127"	# not built: a failure, not a silence
		fi
	done
	echo "LOOM-VM: begin tools"
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
fi

# Tests that take the device away (loom_gone: it prints "LOOM-VM:
# kill-loomd" and vm/run.sh kills loomd), after everything else.
for t in /tests/*_gone; do
	[ -x "$t" ] || continue
	n=${t##*/}
	echo "LOOM-VM: begin $n"
	"$t"
	echo "LOOM-VM: end $n $?"
done

echo "LOOM-VM: dmesg-begin"
dmesg
echo "LOOM-VM: dmesg-end"
echo "LOOM-VM: done $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
