#!/bin/sh
# The kernel driver's static checks, as an upstream DRM reviewer runs them:
#   checkpatch --strict  on kmd/ and tests/kmod/ (the kernel source's own
#                        scripts/checkpatch.pl); the false positives are
#                        named, with their reasons, in kmd/checkpatch.allow;
#   sparse               (make C=2) over loom.ko, built against the Debian
#                        headers vm/fetch-kernel.sh extracted.
# Prints TAP (one line per check) and exits 0 when both are clean, 1 if
# either found something, 77 when neither can run (no kernel source, no
# sparse), saying why.
# Usage: scripts/check-kmd.sh [BUILD_DIR]   (meson runs it as kmd-check)
# The kernel source: $LOOM_KSRC (a tree), else checkpatch.pl and its data
# files taken once from Debian's linux-source-6.12 tarball (/usr/src) into
# build-vm/checkpatch/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
out=$build/kmd-check
mkdir -p "$out"
n=0
failed=0
skipped=0

ok() { n=$((n + 1)); echo "ok $n - $1${2:+ # SKIP $2}"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$2"; }

# ---- checkpatch ---------------------------------------------------------------
cp_dir=""
if [ -n "${LOOM_KSRC:-}" ] && [ -f "$LOOM_KSRC/scripts/checkpatch.pl" ]; then
	cp_dir=$LOOM_KSRC/scripts
else
	tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -n 1)
	cache=$top/build-vm/checkpatch
	if [ -f "$cache/checkpatch.pl" ]; then
		cp_dir=$cache
	elif [ -n "$tarball" ]; then
		mkdir -p "$cache"
		if tar -xJf "$tarball" -C "$cache" --strip-components=2 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' 2>"$out/tar.log"; then
			cp_dir=$cache
		fi
	fi
fi
if [ -z "$cp_dir" ] || ! command -v perl >/dev/null 2>&1; then
	ok checkpatch "no kernel source (linux-source-6.12 in /usr/src, or LOOM_KSRC) or no perl"
	skipped=$((skipped + 1))
else
	perl "$cp_dir/checkpatch.pl" --strict --no-tree --terse --show-types --no-summary \
		-f "$top"/kmd/*.c "$top"/kmd/*.h "$top"/tests/kmod/*.c "$top"/tests/kmod/*.h \
		2>&1 | sed "s|^$top/||" > "$out/checkpatch.txt"
	# Drop the allowed "FILE TYPE" pairs.
	awk 'NR == FNR { if ($0 !~ /^#/ && NF == 2) allow[$1 " " $2] = 1; next }
	     { split($1, f, ":"); split($2, t, ":");
	       if (!((f[1] " " t[2]) in allow)) print }' \
		"$top/kmd/checkpatch.allow" "$out/checkpatch.txt" > "$out/checkpatch.left"
	if [ -s "$out/checkpatch.left" ]; then
		not_ok "checkpatch --strict" "$out/checkpatch.left"
	else
		ok "checkpatch --strict"
	fi
fi

# ---- sparse -------------------------------------------------------------------
. "$top/vm/common.sh"
kver=$(vm_extracted_version)
kdir=$VM_KROOT/usr/src/linux-headers-$kver-amd64
if ! command -v sparse >/dev/null 2>&1; then
	ok sparse "sparse is not installed (scripts/install-deps.sh vm)"
	skipped=$((skipped + 1))
elif [ -z "$kver" ] || [ ! -d "$kdir" ]; then
	ok sparse "no Debian 6.12 kernel headers (vm/fetch-kernel.sh)"
	skipped=$((skipped + 1))
else
	dst=$out/kmd
	rm -rf "$dst"
	mkdir -p "$dst"
	cp "$top"/kmd/Kbuild "$top"/kmd/*.c "$top"/kmd/*.h "$dst"/
	btf=""
	command -v pahole >/dev/null 2>&1 || btf="CONFIG_DEBUG_INFO_BTF_MODULES="
	make -s -C "$kdir" M="$dst" LOOM_SRC="$top" C=2 CHECK=sparse \
		$btf modules > "$out/sparse.log" 2>&1
	status=$?
	grep -E "^$dst/.*: (warning|error):" "$out/sparse.log" | sed "s|^$dst/|kmd/|" > "$out/sparse.left"
	if [ $status -ne 0 ]; then
		not_ok "sparse (the build failed)" "$out/sparse.log"
	elif [ -s "$out/sparse.left" ]; then
		not_ok sparse "$out/sparse.left"
	else
		ok sparse
	fi
fi

echo "1..$n"
[ $failed -ne 0 ] && exit 1
[ $skipped -eq $n ] && exit 77
exit 0
