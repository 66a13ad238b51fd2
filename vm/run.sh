#!/bin/sh
# Run the kernel driver's tests in a QEMU guest and print the result as TAP.
#
#   1. build loom.ko (vm/build-module.sh) and the initramfs
#      (vm/build-initramfs.sh) from what BUILD_DIR holds, for the kernel
#      chosen: Debian's (--kernel debian, the default) or the debug kernel
#      built from Debian's source (--kernel debug: KASAN, lockdep, kmemleak...,
#      vm/build-debug-kernel.sh);
#   2. start loomd as the ivshmem server of the guest, with the guest's RAM
#      (a shared memory-backend-file) as the device's host window;
#   3. boot the kernel under TCG with an ivshmem-doorbell device on
#      that server (and a plain ivshmem device the driver must leave alone),
#      under a time limit, its serial console to a log;
#   4. vm/report.sh turns the log into TAP: the guest's subtests, and the
#      harness's own checks (boot, modules, a clean kernel log, power-off;
#      on the debug kernel also no KASAN, lockdep or kmemleak report).
#
# Usage: vm/run.sh [--kernel debian|debug] [BUILD_DIR]   (default: build/;
# meson runs it as the tests 'vm' and 'vm-debug'). LOOM_VM_APPEND adds to
# the guest's kernel command line (for example loom.dbg_mask=15),
# LOOM_VM_TIMEOUT changes the time limit (240 s on Debian's kernel, 600 s
# on the debug kernel). Exit status 0 all passed, 1 something failed, 77
# skipped: QEMU or the kernel is not available, with one SKIP line saying
# why. Logs: BUILD_DIR/vm/ (BUILD_DIR/vm-debug/ for the debug kernel:
# console.log, loomd.log, build.log); result.txt there holds the one-line
# summary make test prints.
set -u
. "$(dirname "$0")/common.sh"

kind=debian
if [ "${1:-}" = --kernel ]; then
	kind=${2:-}
	shift 2
fi
build=$(cd "${1:-$VM_TOP/build}" && pwd)
case $kind in
debian) out=$build/vm; name=vm; label="vm-test"; def_timeout=240 ;;
debug) out=$build/vm-debug; name=vm-debug; label="vm-test (debug kernel)"; def_timeout=600 ;;
*) echo "usage: vm/run.sh [--kernel debian|debug] [BUILD_DIR]" >&2; exit 2 ;;
esac
mkdir -p "$out"
result=$out/result.txt
rm -f "$result"

# Guest and device sizes. DRAM + 2 MiB of registers is the BAR: a power of two.
VM_MEM=1G
VM_DRAM=510M
VM_DRAM_BYTES=$((510 << 20))
VM_TIMEOUT=${LOOM_VM_TIMEOUT:-$def_timeout}
# Vectors per ivshmem peer, as the driver and loomd expect them.
VM_VECTORS=$(sed -n 's/^#define LOOM_IVSHMEM_VECTORS[[:space:]]*\([0-9]*\)U.*/\1/p' \
	"$VM_TOP/hw/loom_ivshmem.h")

t_start=$(date +%s.%N)
elapsed() { echo "$(date +%s.%N) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

skip()
{
	echo "1..1"
	echo "ok 1 - $name # SKIP $*"
	echo "$label: SKIP: $*" > "$result"
	exit 77
}

# Where the harness itself breaks (not the guest): one failing subtest.
fail()
{
	echo "1..1"
	echo "not ok 1 - $name-setup"
	echo "# $1"
	[ -f "${2:-}" ] && tail -n 20 "$2" | sed 's/^/# /'
	echo "$label: FAILED: $1" > "$result"
	exit 1
}

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 is not installed (scripts/install-deps.sh vm)"
vm_kernel_select "$kind" || skip "$VM_KWHY"
# The compiler the kernel was built with, as its headers expect: Debian's
# kernel names gcc-12 by its triplet; the debug kernel was built with gcc.
cc=gcc
[ "$kind" = debian ] && cc=x86_64-linux-gnu-gcc-12
for tool in cpio modinfo xz make $cc; do
	command -v $tool >/dev/null 2>&1 || skip "$tool is not installed (scripts/install-deps.sh vm)"
done
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	skip "no static /bin/busybox (busybox-static; scripts/install-deps.sh vm)"
[ -x "$build/device/loomd" ] || fail "no loomd in $build"

vm_build_log=$out/build.log
"$VM_TOP/vm/build-module.sh" "$build" "$kind" > "$vm_build_log" 2>&1 ||
	fail "building loom.ko failed" "$vm_build_log"
"$VM_TOP/vm/build-initramfs.sh" "$build" "$kind" >> "$vm_build_log" 2>&1 ||
	fail "building the initramfs failed" "$vm_build_log"

# ---- loomd, the device ------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/loom-vm.XXXXXX")
sock=$tmp/ivshmem.sock
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	ram=/dev/shm/loom-vm-$$.ram
else
	ram=$tmp/guest.ram
fi
# QEMU connects to the ivshmem server before it creates its memory backend,
# and loomd opens the guest's RAM when the guest connects: create it first.
truncate -s $VM_MEM "$ram" || fail "cannot create the guest RAM file $ram"
loomd_pid=""
cleanup()
{
	[ -n "$loomd_pid" ] && kill -CONT "$loomd_pid" 2>/dev/null
	[ -n "$loomd_pid" ] && kill "$loomd_pid" 2>/dev/null && wait "$loomd_pid" 2>/dev/null
	rm -f "$ram"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$build/device/loomd" --ivshmem "$sock" --guest-ram "$ram" --dram-size $VM_DRAM \
	> "$out/loomd.log" 2>&1 &
loomd_pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ] && kill -0 $loomd_pid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
[ -S "$sock" ] || fail "loomd did not start" "$out/loomd.log"

# ---- the guest --------------------------------------------------------------
kimg=$VM_KIMAGE
append="console=ttyS0 panic=-1 quiet loom_test.dram_size=$VM_DRAM_BYTES"
# The debug kernel: guest-init.sh's kmemleak scans and lockdep state, every
# KASAN report (not only the first), a log that keeps them all.
[ "$kind" = debug ] && append="$append loom_vm.kernel=debug kasan_multi_shot log_buf_len=4M"
t_qemu=$(date +%s.%N)
timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 \
	-accel tcg -m $VM_MEM -smp 2 -nographic -no-reboot -nic none \
	-object memory-backend-file,id=mem,size=$VM_MEM,mem-path="$ram",share=on \
	-machine memory-backend=mem \
	-chardev socket,path="$sock",id=ivs \
	-device ivshmem-doorbell,chardev=ivs,vectors=$VM_VECTORS \
	-object memory-backend-memfd,id=foreign,size=4M,share=on \
	-device ivshmem-plain,memdev=foreign \
	-kernel "$kimg" -initrd "$out/initramfs.cpio.gz" \
	-append "$append ${LOOM_VM_APPEND:-}" \
	< /dev/null > "$out/console.log" 2> "$out/qemu.log" &
qemu_pid=$!
# A guest loomd refuses is told so only by a closed socket, on which QEMU
# waits for ever: stop it at once rather than at the time limit. A guest
# test that prints "LOOM-VM: kill-loomd" (tests/uapi/loom_gone.c) gets
# loomd killed under it: the device disappears as when loomd crashes;
# "LOOM-VM: stop-loomd" and "LOOM-VM: cont-loomd" stop and resume it
# (SIGSTOP, SIGCONT): a device that stalls and comes back. Each once.
loomd_killed=""
loomd_stopped=""
loomd_resumed=""
while kill -0 $qemu_pid 2>/dev/null; do
	if [ -z "$loomd_stopped" ] && grep -q "LOOM-VM: stop-loomd" "$out/console.log"; then
		kill -STOP "$loomd_pid" 2>/dev/null
		loomd_stopped=1
	fi
	if [ -n "$loomd_stopped" ] && [ -z "$loomd_resumed" ] &&
	   grep -q "LOOM-VM: cont-loomd" "$out/console.log"; then
		kill -CONT "$loomd_pid" 2>/dev/null
		loomd_resumed=1
	fi
	if grep -q "guest refused" "$out/loomd.log"; then
		kill $qemu_pid
		wait $qemu_pid 2>/dev/null
		fail "loomd refused the guest" "$out/loomd.log"
	fi
	if [ -z "$loomd_killed" ] && grep -q "LOOM-VM: kill-loomd" "$out/console.log"; then
		kill -KILL "$loomd_pid" 2>/dev/null
		loomd_killed=1
	fi
	sleep 0.2
done
wait $qemu_pid
qemu_rc=$?
qemu_time=$(elapsed "$t_qemu")

"$VM_TOP/vm/report.sh" "$out/console.log" "$qemu_rc" "$VM_TIMEOUT" "$out/summary.txt" "$kind"
rc=$?
echo "$label: $(cat "$out/summary.txt"); QEMU ${qemu_time} s, total $(elapsed "$t_start") s (logs: $out)" > "$result"
if [ $qemu_rc -ne 0 ] && [ -s "$out/qemu.log" ]; then
	sed 's/^/# qemu: /' "$out/qemu.log"
fi
exit $rc
