#!/bin/sh
# Build the debug guest kernel: Debian's own 6.12 source (linux-source-6.12,
# installed by scripts/install-deps.sh vm-debug), configured from
# `make tinyconfig` plus vm/debug-kernel.config (the guest's needs and the
# debugging options: KASAN, lockdep, kmemleak, debug objects, fault
# injection, KCOV, DMA API debugging, PCI P2PDMA), checked option by option,
# and built with make -jN.
#
# Built once per machine and cached outside the source tree, in
# CACHE/VERSION-HASH/ (CACHE: LOOM_DEBUG_KERNEL_CACHE, default
# /var/cache/loom/debug-kernel; VERSION the source package's; HASH that of
# the fragment, the recipe and the compiler): linux/ is the built tree
# (arch/x86/boot/bzImage boots the guest; `make -C linux M=DIR` builds
# modules against it), build.log the whole log, done the stamp written
# last. A build in progress shows a line every 30 s; an interrupted one
# resumes where it stopped. A compile that failed is not retried (the
# reason is in CACHE/VERSION-HASH/failed) unless --force or
# LOOM_DEBUG_KERNEL_REBUILD=1; --force also rebuilds a finished kernel.
#
# Usage: vm/build-debug-kernel.sh [--force]
#   LOOM_DEBUG_KERNEL_JOBS  make's -j (default: the number of CPUs)
# Exit status: 0 the kernel is there, 1 it could not be had (the reason on
# stderr and where vm/run.sh --kernel debug finds it, to SKIP saying so).
set -eu
. "$(dirname "$0")/common.sh"

force=${LOOM_DEBUG_KERNEL_REBUILD:-0}
[ "${1:-}" = --force ] && force=1
jobs=${LOOM_DEBUG_KERNEL_JOBS:-$(nproc)}
root=$(vm_debug_cache_root)
mkdir -p "$root" || { vm_log "cannot create the debug kernel cache $root"; exit 1; }

log() { echo "debug-kernel: $*" >&2; }

# A failure before the cache key is known (no source package).
unavailable()
{
	log "$*"
	echo "$*" > "$root/unavailable"
	exit 1
}

# ---- already built? -----------------------------------------------------------
if [ "$force" != 1 ] && key=$(vm_debug_key) && [ -f "$root/$key/done" ]; then
	log "ready: $root/$key ($(sed -n 2p "$root/$key/done"))"
	exit 0
fi

# ---- the source package and the build tools ---------------------------------
"$VM_TOP/scripts/install-deps.sh" vm-debug >&2 ||
	unavailable "cannot install $VM_DEBUG_SRC_PKG and the kernel build packages (scripts/install-deps.sh vm-debug)"
key=$(vm_debug_key) || unavailable "$VM_DEBUG_SRC_PKG is not installed (scripts/install-deps.sh vm-debug)"
[ -f "$VM_DEBUG_SRC_TAR" ] || unavailable "$VM_DEBUG_SRC_PKG installed but $VM_DEBUG_SRC_TAR is missing"
rm -f "$root/unavailable"
dir=$root/$key
tree=$dir/linux
blog=$dir/build.log

# ---- one build at a time per key --------------------------------------------
mkdir -p "$dir"
exec 9> "$dir/lock"
if ! flock -n 9; then
	log "another build of $key is running; waiting for it"
	flock 9
fi

if [ -f "$dir/done" ] && [ "$force" != 1 ]; then
	log "ready: $dir ($(sed -n 2p "$dir/done"))"
	exit 0
fi
if [ -f "$dir/failed" ] && [ "$force" != 1 ]; then
	log "$(cat "$dir/failed")"
	log "not retried: vm/build-debug-kernel.sh --force (or LOOM_DEBUG_KERNEL_REBUILD=1) to build again"
	exit 1
fi
rm -f "$dir/done" "$dir/failed"

# A failure of the build itself: kept, so that every later run does not
# spend the build time again on the same error.
failed()
{
	log "$*"
	echo "$* (log: $blog)" > "$dir/failed"
	exit 1
}

t0=$(date +%s)
kmake() { make -C "$tree" ARCH=x86_64 "$@"; }

# ---- unpack and configure ---------------------------------------------------
# A tree whose configuration was checked (config.ok) is resumed: make
# rebuilds only what is missing. Anything else starts from the tarball.
if [ "$force" = 1 ] || [ ! -f "$dir/config.ok" ] || [ ! -f "$tree/.config" ]; then
	rm -rf "$tree" "$dir/config.ok"
	log "unpacking $VM_DEBUG_SRC_TAR ($(vm_debug_src_version)) into $dir"
	mkdir -p "$dir/unpack"
	tar -xJf "$VM_DEBUG_SRC_TAR" -C "$dir/unpack" ||
		unavailable "cannot unpack $VM_DEBUG_SRC_TAR"
	mv "$dir/unpack/$VM_DEBUG_SRC_PKG" "$tree"
	rmdir "$dir/unpack"

	# DRM_SCHED and DRM_GPUVM (loom.ko's job scheduler and VA space) have
	# no prompt in Kconfig: only the GPU drivers that use them select
	# them, and none of those fits this guest. Give them one, so that the
	# fragment can build them in like any other option.
	for sym in DRM_SCHED DRM_GPUVM; do
		sed -i "/^config $sym\$/{n;s/^\ttristate\$/\ttristate \"$sym (for loom.ko)\"/}" \
			"$tree/drivers/gpu/drm/Kconfig"
		grep -A1 "^config $sym\$" "$tree/drivers/gpu/drm/Kconfig" | grep -q 'tristate "' ||
			failed "cannot give $sym a prompt in drivers/gpu/drm/Kconfig"
	done

	: > "$blog"
	log "configuring: tinyconfig + vm/debug-kernel.config"
	kmake tinyconfig >> "$blog" 2>&1 || failed "make tinyconfig failed"
	(cd "$tree" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m .config "$VM_DEBUG_FRAGMENT") \
		>> "$blog" 2>&1 || failed "merge_config.sh failed"
	kmake olddefconfig >> "$blog" 2>&1 || failed "make olddefconfig failed"
	cp "$VM_DEBUG_FRAGMENT" "$dir/debug-kernel.config"

	# Every line of the fragment must have survived olddefconfig: a symbol
	# whose dependencies are not met is silently dropped by Kconfig.
	wrong=$(awk '
		function opt(l) {
			if (match(l, /^CONFIG_[A-Za-z0-9_]+=/)) {
				name = substr(l, 1, RLENGTH - 1); val = substr(l, RLENGTH + 1); return 1
			}
			if (match(l, /^# CONFIG_[A-Za-z0-9_]+ is not set$/)) {
				name = substr(l, 3, RLENGTH - 14); val = "n"; return 1
			}
			return 0
		}
		FNR == NR { if (opt($0)) { want[name] = val; order[++n] = name } next }
		{ if (opt($0)) got[name] = val }
		END {
			for (i = 1; i <= n; i++) {
				k = order[i]; g = (k in got) ? got[k] : "n"
				if (g != want[k])
					printf "%s=%s wanted, %s in .config\n", k, want[k], (k in got) ? g : "not set"
			}
		}' "$VM_DEBUG_FRAGMENT" "$tree/.config")
	if [ -n "$wrong" ]; then
		echo "$wrong" >&2
		failed "vm/debug-kernel.config not honoured: $(echo "$wrong" | tr '\n' ';' | sed 's/;$//') (a dependency is missing from the fragment)"
	fi
	touch "$dir/config.ok"
	log "configuration checked: all $(grep -c '^CONFIG_\|^# CONFIG_.* is not set$' "$VM_DEBUG_FRAGMENT") options of the fragment set"
fi

# ---- build ------------------------------------------------------------------
# "make all": bzImage, and Module.symvers for the modules built against the
# tree. Progress: the files compiled so far (CC lines of the log) against
# the count of a complete build of this configuration, measured once and
# kept in the cache root (an estimate until then).
est_file=$root/cc-count
est=$(cat "$est_file" 2>/dev/null || echo 1300)
log "building $key with make -j$jobs (log: $blog); about $est files"
echo "---- make -j$jobs all ($(date))" >> "$blog"
kmake -j"$jobs" all >> "$blog" 2>&1 &
make_pid=$!
trap 'kill $make_pid 2>/dev/null; exit 1' INT TERM
tb=$(date +%s)
last=$tb
while kill -0 $make_pid 2>/dev/null; do
	sleep 1
	now=$(date +%s)
	if [ $((now - last)) -ge 30 ]; then
		last=$now
		cc=$(grep -c '^  CC ' "$blog" || true)
		pct=$((cc * 100 / est))
		[ $pct -gt 99 ] && pct=99
		log "$cc of about $est files compiled (${pct}%), $(( (now - tb) / 60 )) min $(( (now - tb) % 60 )) s"
	fi
done
wait $make_pid || {
	tail -n 30 "$blog" | sed 's/^/  /' >&2
	failed "the kernel build failed: $(grep -m1 -E 'error|Error' "$blog" | cut -c1-200)"
}
trap - INT TERM
[ -f "$tree/arch/x86/boot/bzImage" ] && [ -f "$tree/Module.symvers" ] ||
	failed "the build finished without arch/x86/boot/bzImage or Module.symvers"
grep -c '^  CC ' "$blog" > "$est_file" || true

t1=$(date +%s)
secs=$((t1 - t0))
release=$(kmake -s kernelrelease)
{
	echo "$release"
	echo "built in $((secs / 60)) min $((secs % 60)) s with make -j$jobs on $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "source $VM_DEBUG_SRC_PKG $(vm_debug_src_version)"
} > "$dir/done.tmp"
mv "$dir/done.tmp" "$dir/done"
log "ready: $dir ($release, built in $((secs / 60)) min $((secs % 60)) s; $(du -sh "$dir" | cut -f1) on disk)"
