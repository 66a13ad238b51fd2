#!/bin/sh
# Build the guest's initramfs: busybox-static as /init's shell and tools,
# vm/guest-init.sh as /init, the kernel modules loom.ko needs (decompressed:
# the image ships them as .ko.xz, which busybox's insmod does not read) in
# load order, loom.ko, the dma-buf test importer (tests/kmod/), the static uAPI test binaries of
# tests/uapi/, and the runtime's suites and tools with their shared libraries.
# Usage: vm/build-initramfs.sh BUILD_DIR  ->  BUILD_DIR/vm/initramfs.cpio.gz
set -eu
. "$(dirname "$0")/common.sh"

build=$(cd "$1" && pwd)
kver=$(vm_extracted_version)-amd64
mods=$VM_KROOT/lib/modules/$kver
ko=$build/vm/kmd/loom.ko
root=$build/vm/initramfs.d
out=$build/vm/initramfs.cpio.gz

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
# vgem (a foreign dma-buf exporter for tests/uapi/prime_loom) rides along.
for dep in $(modinfo -F depends "$ko" | tr ',' ' ') vgem; do
	p=$(path_of "$(echo "$dep" | tr - _)")
	[ -n "$p" ] || { vm_log "module $dep (needed by loom.ko) not found in $kver"; exit 1; }
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
cp "$build/vm/importer/loom_importer.ko" "$root/lib/modules/loom_importer.ko"

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
for t in tests/test_runtime tests/test_kernel tests/test_errors tools/loom-smi tools/loom-bench; do
	[ -x "$build/$t" ] && rt_copy "$build/$t"
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out"
