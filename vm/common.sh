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
