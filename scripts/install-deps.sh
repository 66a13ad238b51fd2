#!/bin/sh
# Install the Debian packages Loom needs to build, test and run, if missing.
# Usage: scripts/install-deps.sh [build|test|demo|bench|vm|vm-debug|fuzz]   (default: build)
# demo: the training job's data set (Fashion-MNIST) and gnuplot for its plot;
# test installs the data set too, so the training test runs. bench: PyTorch,
# loom-bench's reference for the training step (never needed by make test).
# vm: what the QEMU guest tests need on top of test (vm/run.sh); the kernel
# packages themselves are downloaded, not installed, by vm/fetch-kernel.sh.
# vm-debug: Debian's kernel source and what building it takes, for the
# debug guest kernel (vm/build-debug-kernel.sh) on top of vm.
# fuzz: clang's libFuzzer for loomcc's fuzz target (fuzz/run.sh).
# Why each package is here: docs/dependencies.md.
set -e
pkgs="meson ninja-build pkg-config gcc libc6-dev libopenblas-dev zlib1g-dev"
case "${1:-build}" in
  test) pkgs="$pkgs libcmocka-dev libdrm-dev dataset-fashion-mnist" ;;
  demo) pkgs="$pkgs dataset-fashion-mnist gnuplot-nox" ;;
  bench) pkgs="$pkgs python3 python3-torch" ;;
  vm) pkgs="$pkgs libcmocka-dev libdrm-dev make qemu-system-x86 busybox-static cpio kmod dwarves gcc-12 xz-utils sparse" ;;
  vm-debug) pkgs="$pkgs make xz-utils linux-source-6.12 bc bison flex libelf-dev" ;;
  fuzz) pkgs="$pkgs clang-14 libclang-rt-14-dev" ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends $missing
