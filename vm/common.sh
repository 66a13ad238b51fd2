# Shared settings of the vm/ scripts (sourced, not run). Paths:
#   VM_TOP      the source tree
#   VM_CACHE    build-vm/: downloaded packages and the extracted kernel,
#               shared by every build directory (gitignored)
#   VM_KROOT    the extracted kernel packages (dpkg -x root)
#   VM_KVER_FILE  the version the extracted tree holds (written last)
VM_TOP=$(cd "$(dirname "$0")/.." && pwd)
VM_CACHE=$VM_TOP/build-vm
VM_KROOT=$VM_CACHE/kernel
VM_KVER_FILE=$VM_KROOT/.version

vm_pinned_version()
{
	sed -n '/^[^#]/{p;q}' "$VM_TOP/vm/kernel-version"
}

# The version extracted in VM_KROOT, or nothing.
vm_extracted_version()
{
	[ -f "$VM_KVER_FILE" ] && cat "$VM_KVER_FILE"
}

vm_log()
{
	echo "vm: $*" >&2
}

# ---- the guest kernels --------------------------------------------------------
# Two kernels boot the guest: Debian's (KIND "debian", vm/fetch-kernel.sh)
# and the debug kernel built from Debian's source (KIND "debug",
# vm/build-debug-kernel.sh, cached outside the source tree):
#   VM_DEBUG_FRAGMENT  its configuration fragment
#   VM_DEBUG_SRC_PKG   the Debian package of its source
VM_DEBUG_FRAGMENT=$VM_TOP/vm/debug-kernel.config
VM_DEBUG_SRC_PKG=linux-source-6.12
VM_DEBUG_SRC_TAR=/usr/src/$VM_DEBUG_SRC_PKG.tar.xz

# The cache of debug kernels: LOOM_DEBUG_KERNEL_CACHE, else
# /var/cache/loom/debug-kernel when it can be written, else the user's cache.
vm_debug_cache_root()
{
	if [ -n "${LOOM_DEBUG_KERNEL_CACHE:-}" ]; then
		echo "$LOOM_DEBUG_KERNEL_CACHE"
	elif mkdir -p /var/cache/loom/debug-kernel 2>/dev/null && [ -w /var/cache/loom/debug-kernel ]; then
		echo /var/cache/loom/debug-kernel
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/loom/debug-kernel"
	fi
}

# The installed source package's version, or nothing.
vm_debug_src_version()
{
	dpkg-query -W -f='${Status} ${Version}\n' "$VM_DEBUG_SRC_PKG" 2>/dev/null |
		awk '$3 == "installed" { print $4 }'
}

# The recipe of the base configuration; part of the cache key with the
# fragment and the compiler, so that changing any of them builds anew.
VM_DEBUG_RECIPE="prompts for DRM_SCHED and DRM_GPUVM, tinyconfig + vm/debug-kernel.config, olddefconfig, make all"

# The cache key of the debug kernel the source tree asks for:
# SOURCE_VERSION-HASH (the hash of the fragment, the recipe and the
# compiler's version), or nothing when the source package is not installed.
vm_debug_key()
{
	_vk_v=$(vm_debug_src_version)
	[ -n "$_vk_v" ] || return 1
	_vk_h=$({ cat "$VM_DEBUG_FRAGMENT"; echo "$VM_DEBUG_RECIPE"; gcc --version 2>/dev/null | head -n 1; } |
		sha256sum | cut -c1-12)
	echo "$_vk_v-$_vk_h" | tr '~:' '__'
}

# Select a guest kernel: sets VM_KIND, VM_OUT (the name of the output and
# log directory inside a build directory), VM_KDIR (what `make -C` builds
# modules against), VM_KIMAGE (the image QEMU boots) and VM_KMODS (the
# kernel's own modules, Debian's kernel only). Returns 1 with the reason in
# VM_KWHY when the kernel is not available.
vm_kernel_select()
{
	VM_KIND=$1
	VM_KWHY=""
	VM_KMODS=""
	case $1 in
	debian)
		VM_OUT=vm
		_vk_ver=$(vm_extracted_version)
		if [ -z "$_vk_ver" ]; then
			_vk_why=$(cat "$VM_CACHE/kernel.unavailable" 2>/dev/null)
			VM_KWHY="no Debian 6.12 kernel: ${_vk_why:-vm/fetch-kernel.sh has not run}"
			return 1
		fi
		VM_KDIR=$VM_KROOT/usr/src/linux-headers-$_vk_ver-amd64
		VM_KIMAGE=$VM_KROOT/boot/vmlinuz-$_vk_ver-amd64
		VM_KMODS=$VM_KROOT/lib/modules/$_vk_ver-amd64
		;;
	debug)
		VM_OUT=vm-debug
		_vk_root=$(vm_debug_cache_root)
		if ! _vk_key=$(vm_debug_key); then
			_vk_why=$(cat "$_vk_root/unavailable" 2>/dev/null)
			VM_KWHY="no debug kernel: ${_vk_why:-$VM_DEBUG_SRC_PKG is not installed (scripts/install-deps.sh vm-debug; make deps-vm builds the kernel)}"
			return 1
		fi
		_vk_dir=$_vk_root/$_vk_key
		VM_KDIR=$_vk_dir/linux
		VM_KIMAGE=$VM_KDIR/arch/x86/boot/bzImage
		if [ ! -f "$_vk_dir/done" ]; then
			if [ -f "$_vk_dir/failed" ]; then
				VM_KWHY="no debug kernel: $(cat "$_vk_dir/failed")"
			elif [ -f "$_vk_root/unavailable" ]; then
				VM_KWHY="no debug kernel: $(cat "$_vk_root/unavailable")"
			else
				VM_KWHY="no debug kernel: $_vk_key is not built in $_vk_root (vm/build-debug-kernel.sh; make deps-vm runs it)"
			fi
			return 1
		fi
		[ -f "$VM_KIMAGE" ] && [ -f "$VM_KDIR/Module.symvers" ] || {
			VM_KWHY="no debug kernel: $_vk_dir/done is there but not linux/arch/x86/boot/bzImage or linux/Module.symvers (vm/build-debug-kernel.sh --force)"
			return 1
		}
		;;
	*)
		VM_KWHY="unknown kernel '$1' (debian or debug)"
		return 1
		;;
	esac
}
