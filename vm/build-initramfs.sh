#!/bin/sh
# Build the guest's initramfs: busybox-static as /init's shell and tools,
# vm/guest-init.sh as /init, the kernel modules loom.ko needs (decompressed:
# the image ships them as .ko.xz, which busybox's insmod does not read) in
# load order, loom.ko, the dma-buf test importer (tests/kmod/), the static uAPI test binaries of
# tests/uapi/, the runtime's suites and tools with their shared libraries, and
# the training job's data (a subset of Fashion-MNIST, vm/dataset-subset.py).
# The debug kernel has DRM, its helpers and vgem built in: no module but
# loom.ko and the importer goes in (/etc/modules is empty).
# Usage: vm/build-initramfs.sh BUILD_DIR [debian|debug]  ->
# BUILD_DIR/vm/initramfs.cpio.gz (Debian's kernel, the default) or
# BUILD_DIR/vm-debug/initramfs.cpio.gz (the debug kernel's modules)
set -eu
. "$(dirname "$0")/common.sh"

build=$(cd "$1" && pwd)
vm_kernel_select "${2:-debian}" || { vm_log "$VM_KWHY"; exit 1; }
mods=$VM_KMODS
ko=$build/$VM_OUT/kmd/loom.ko
root=$build/$VM_OUT/initramfs.d
out=$build/$VM_OUT/initramfs.cpio.gz

rm -rf "$root"
mkdir -p "$root/bin" "$root/etc" "$root/lib/modules" "$root/tests"
cp /bin/busybox "$root/bin/busybox"
cp "$VM_TOP/vm/guest-init.sh" "$root/init"
chmod 755 "$root/init"

# Dependencies of loom.ko, each after its own (modules.dep lists a module's
# dependencies, all of them, in the order modprobe unloads them).
norm() { basename "$1" | sed 's/\.ko\(\.xz\)\{0,1\}$//; s/-/_/g'; }
path_of() {
	awk -v want="$1" -F: '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.xz)?$/, "", n);
		gsub(/-/, "_", n); if (n == want) { print $1; exit } }' "$mods/modules.dep"
}
: > "$root/etc/modules"
deps=$(modinfo -F depends "$ko" | tr ',' ' ')
if [ -z "$mods" ]; then
	# A kernel without modules of its own: everything loom.ko uses is built in.
	[ -z "$deps" ] || { vm_log "loom.ko needs the modules $deps, which the $VM_KIND kernel does not build in"; exit 1; }
	deps=""
else
	# vgem (a foreign dma-buf exporter for tests/uapi/prime_loom) rides along.
	deps="$deps vgem"
fi
for dep in $deps; do
	p=$(path_of "$(echo "$dep" | tr - _)")
	[ -n "$p" ] || { vm_log "module $dep (needed by loom.ko) not found in $mods"; exit 1; }
	chain=$(grep "^$p:" "$mods/modules.dep" | cut -d: -f2)
	list=""
	for c in $chain; do list="$c $list"; done
	for c in $list $p; do
		n=$(norm "$c")
		grep -qx "$n" "$root/etc/modules" && continue
		xz -dc "$mods/$c" > "$root/lib/modules/$n.ko"
		echo "$n" >> "$root/etc/modules"
	done
done
cp "$ko" "$root/lib/modules/loom.ko"
cp "$build/$VM_OUT/importer/loom_importer.ko" "$root/lib/modules/loom_importer.ko"

found=0
for t in "$build"/tests/uapi/loom_* "$build"/tests/uapi/prime_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	cp "$t" "$root/tests/"
	found=1
done
[ $found = 1 ] || { vm_log "no test binaries in $build/tests/uapi"; exit 1; }

# The runtime's suites and tools, dynamically linked, run through libloom's
# kernel backend (/rt): each with the shared libraries ldd finds, at the
# same paths (libloom, which they find through $ORIGIN/../lib, in /lib).
rt_copy()
{
	mkdir -p "$root/rt"
	cp "$1" "$root/rt/"
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		case $lib in
		"$build"/*) dst=/lib/${lib##*/} ;;
		*) dst=$lib ;;
		esac
		[ -e "$root$dst" ] && continue
		mkdir -p "$root${dst%/*}"
		cp -L "$lib" "$root$dst"
	done
}
mkdir -p "$root/rt"	# guest-init.sh reports a missing suite as a failure
for t in tests/test_runtime tests/test_runtime_capture tests/test_kernel tests/test_errors \
	 tests/test_errors_stream tests/test_kernels tests/test_graph tests/test_graph_mixed \
	 tests/test_graph_io tools/loom-smi tools/loom-bench tools/loom-run; do
	[ -x "$build/$t" ] && rt_copy "$build/$t"
done

# The training job: the first VM_TRAIN_SAMPLES training and VM_TEST_SAMPLES
# test images of Fashion-MNIST as plain IDX files, where loom-run looks by
# default (not the whole set: 55 MB of pixels), its options in
# /etc/loom-run.args, and the JSON of the same run on the host (an
# in-process device), which the guest's must match. Without the data set,
# the reason is written instead: the guest's run SKIPs.
VM_TRAIN_SAMPLES=4096
VM_TEST_SAMPLES=1000
VM_TRAIN_ARGS="--epochs 10"
data=${LOOM_DATA_DIR:-/usr/share/datasets/fashion-mnist}
gdata=$root/usr/share/datasets/fashion-mnist
mkdir -p "$root/usr/share/datasets"
echo "$VM_TRAIN_ARGS" > "$root/etc/loom-run.args"
if [ -e "$data/train-images-idx3-ubyte.gz" ] || [ -e "$data/train-images-idx3-ubyte" ]; then
	python3 "$VM_TOP/vm/dataset-subset.py" "$data" "$gdata" $VM_TRAIN_SAMPLES $VM_TEST_SAMPLES
	if [ -x "$build/tools/loom-run" ]; then
		# shellcheck disable=SC2086 # the options are words
		"$build/tools/loom-run" --device inproc --data "$gdata" $VM_TRAIN_ARGS --json -q \
			> "$root/etc/loom-run.host.json" ||
			{ vm_log "loom-run failed on the host"; rm -f "$root/etc/loom-run.host.json"; }
	fi
else
	echo "Fashion-MNIST not found in $data (Debian package dataset-fashion-mnist; scripts/install-deps.sh test)" \
		> "$root/usr/share/datasets/fashion-mnist.unavailable"
fi

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out"
