#!/bin/sh
# Fetch and extract the Debian kernel the guest tests boot and the module
# builds against: the plain (not -cloud-) unsigned linux-image, the arch and
# common linux-headers and the linux-kbuild of the version pinned in
# vm/kernel-version, from bookworm-backports. Nothing is installed: the
# packages are unpacked with dpkg -x into build-vm/kernel/. The headers'
# Makefile, which includes the common headers by their /usr/src path, is
# pointed at the extracted tree, and depmod writes the image's modules.dep.
#
# Adds a bookworm-backports deb822 source (same URI and keyring as the
# system's Debian source) when none is configured. If the pinned version is
# no longer published, takes the newest 6.12 there is and says so.
# Usage: vm/fetch-kernel.sh   (quiet and quick when already extracted)
# Exit status: 0 extracted, 1 could not (the reason on stderr and in
# build-vm/kernel.unavailable, which vm/run.sh turns into a SKIP).
set -eu
. "$(dirname "$0")/common.sh"

pinned=$(vm_pinned_version)
mkdir -p "$VM_CACHE"
fail_file=$VM_CACHE/kernel.unavailable

fail()
{
	vm_log "$*"
	echo "$*" > "$fail_file"
	exit 1
}

if [ -f "$VM_KROOT/.pinned" ] && [ "$(cat "$VM_KROOT/.pinned")" = "$pinned" ] &&
   [ -n "$(vm_extracted_version)" ]; then
	rm -f "$fail_file"
	exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo

# ---- bookworm-backports source ----------------------------------------------
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	src=/etc/apt/sources.list.d/debian.sources
	uri=$(awk '/^URIs:/ {print $2; exit}' "$src" 2>/dev/null || true)
	key=$(awk '/^Signed-By:/ {print $2; exit}' "$src" 2>/dev/null || true)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	[ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	vm_log "adding the bookworm-backports source ($uri)"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
		"$uri" "$key" | $SUDO tee /etc/apt/sources.list.d/loom-bookworm-backports.sources >/dev/null ||
		fail "cannot add the bookworm-backports apt source"
fi
$SUDO apt-get update -qq >/dev/null 2>&1 || vm_log "apt-get update failed; trying the lists there are"

# ---- resolve the version ----------------------------------------------------
available()
{
	apt-cache show --no-all-versions "linux-image-$1-amd64-unsigned" >/dev/null 2>&1
}

ver=$pinned
if ! available "$ver"; then
	ver=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned .*/\1/p' | sort -V | tail -n 1)
	[ -n "$ver" ] || fail "no linux-image-6.12 (amd64, unsigned) in the apt lists: bookworm-backports unreachable?"
	vm_log "pinned kernel $pinned is not published any more; using the newest 6.12: $ver (update vm/kernel-version)"
fi

# ---- download and extract ---------------------------------------------------
pkgs="linux-image-$ver-amd64-unsigned linux-headers-$ver-amd64 linux-headers-$ver-common linux-kbuild-$ver"
debs=$VM_CACHE/debs
mkdir -p "$debs"
for p in $pkgs; do
	ls "$debs/${p}_"*.deb >/dev/null 2>&1 && continue
	vm_log "downloading $p"
	(cd "$debs" && apt-get download -qq "$p" >/dev/null 2>&1) || fail "apt-get download $p failed"
done

tmp=$VM_KROOT.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
for p in $pkgs; do
	dpkg -x "$(ls "$debs/${p}_"*.deb | tail -n 1)" "$tmp" || fail "dpkg -x $p failed"
done

hdr=$tmp/usr/src/linux-headers-$ver-amd64
common=/usr/src/linux-headers-$ver-common
[ -f "$hdr/Makefile" ] || fail "the headers package has no $hdr/Makefile"
# The arch headers include the common ones by absolute path: point that at
# the extracted copy (the final location, after the rename below).
sed -i "s|$common|$VM_KROOT$common|g" "$hdr/Makefile"
grep -q "$VM_KROOT$common" "$hdr/Makefile" || fail "cannot redirect the headers' Makefile to the common headers"
[ -f "$tmp/boot/vmlinuz-$ver-amd64" ] || fail "the image package has no boot/vmlinuz-$ver-amd64"
depmod -b "$tmp" "$ver-amd64" || fail "depmod failed"

rm -rf "$VM_KROOT"
mv "$tmp" "$VM_KROOT"
echo "$pinned" > "$VM_KROOT/.pinned"
echo "$ver" > "$VM_KVER_FILE"
rm -f "$fail_file"
vm_log "kernel $ver extracted in $VM_KROOT ($(du -sh "$debs" | cut -f1) of packages)"
