#!/bin/sh
# Build loom.ko against one of the guest kernels, in a copy of kmd/ inside
# the build directory (Kbuild writes its objects next to the sources, and
# the source tree stays clean): Debian's (the headers vm/fetch-kernel.sh
# extracted) or the debug kernel (the tree vm/build-debug-kernel.sh built;
# there both modules are built with KCOV_INSTRUMENT=y, the kernel's
# /sys/kernel/debug/kcov then covering them).
# Usage: vm/build-module.sh BUILD_DIR [debian|debug]  ->  BUILD_DIR/OUT/kmd/loom.ko
# and BUILD_DIR/OUT/importer/loom_importer.ko (the dma-buf test importer of
# tests/kmod/, which the guest tests use in place of an RDMA NIC); OUT is
# vm for Debian's kernel (the default), vm-debug for the debug kernel.
set -eu
. "$(dirname "$0")/common.sh"

build=$(cd "$1" && pwd)
vm_kernel_select "${2:-debian}" || { vm_log "$VM_KWHY"; exit 1; }
kdir=$VM_KDIR
extra=""
if [ "$VM_KIND" = debug ]; then
	extra="KCOV_INSTRUMENT=y"
else
	# pahole (dwarves) writes the modules' BTF for Debian's kernel.
	command -v pahole >/dev/null 2>&1 || extra="CONFIG_DEBUG_INFO_BTF_MODULES="
fi
dst=$build/$VM_OUT/kmd
mkdir -p "$dst"
# cp -p keeps the sources' times, so make rebuilds only what changed.
cp -p "$VM_TOP"/kmd/Kbuild "$VM_TOP"/kmd/Makefile "$VM_TOP"/kmd/*.c "$VM_TOP"/kmd/*.h "$dst"/
make -s -C "$dst" KDIR="$kdir" LOOM_SRC="$VM_TOP" $extra >&2
[ -f "$dst/loom.ko" ]

imp=$build/$VM_OUT/importer
mkdir -p "$imp"
cp -p "$VM_TOP"/tests/kmod/Kbuild "$VM_TOP"/tests/kmod/*.c "$VM_TOP"/tests/kmod/*.h "$imp"/
make -s -C "$kdir" M="$imp" $extra modules >&2
[ -f "$imp/loom_importer.ko" ]
