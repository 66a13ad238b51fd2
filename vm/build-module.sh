#!/bin/sh
# Build loom.ko against the kernel vm/fetch-kernel.sh extracted, in a copy
# of kmd/ inside the build directory (Kbuild writes its objects next to the
# sources, and the source tree stays clean).
# Usage: vm/build-module.sh BUILD_DIR   ->  BUILD_DIR/vm/kmd/loom.ko and
# BUILD_DIR/vm/importer/loom_importer.ko (the dma-buf test importer of
# tests/kmod/, which the guest tests use in place of an RDMA NIC).
set -eu
. "$(dirname "$0")/common.sh"

build=$(cd "$1" && pwd)
kver=$(vm_extracted_version) || { vm_log "no extracted kernel: run vm/fetch-kernel.sh"; exit 1; }
kdir=$VM_KROOT/usr/src/linux-headers-$kver-amd64
dst=$build/vm/kmd
mkdir -p "$dst"
# cp -p keeps the sources' times, so make rebuilds only what changed.
cp -p "$VM_TOP"/kmd/Kbuild "$VM_TOP"/kmd/Makefile "$VM_TOP"/kmd/*.c "$VM_TOP"/kmd/*.h "$dst"/
make -s -C "$dst" KDIR="$kdir" LOOM_SRC="$VM_TOP" >&2
[ -f "$dst/loom.ko" ]

imp=$build/vm/importer
mkdir -p "$imp"
cp -p "$VM_TOP"/tests/kmod/Kbuild "$VM_TOP"/tests/kmod/*.c "$VM_TOP"/tests/kmod/*.h "$imp"/
btf=""
command -v pahole >/dev/null 2>&1 || btf="CONFIG_DEBUG_INFO_BTF_MODULES="
make -s -C "$kdir" M="$imp" $btf modules >&2
[ -f "$imp/loom_importer.ko" ]
