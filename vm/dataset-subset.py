#!/usr/bin/env python3
"""Write the first samples of Fashion-MNIST as plain IDX files, for the guest.

The guest's training run (vm/guest-init.sh) reads a small subset of the data
set from the initramfs rather than the whole of it (about 30 MB of pixels):
the first NTRAIN training and NTEST test images and labels, each file with
its header's count rewritten and nothing else changed.

Usage: vm/dataset-subset.py SRC_DIR DST_DIR NTRAIN NTEST
SRC_DIR holds train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or .gz
(Debian's dataset-fashion-mnist ships them compressed). Exit status 0
written, 1 a file is missing, malformed or too short (the message says
which).
"""
import gzip
import os
import struct
import sys

SETS = (("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        ("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


def die(msg):
    sys.exit(f"dataset-subset: {msg}")


def open_idx(src, name):
    for path, opener in ((os.path.join(src, name), open),
                         (os.path.join(src, name + ".gz"), gzip.open)):
        if os.path.exists(path):
            return path, opener(path, "rb")
    die(f"{name}[.gz] not found in {src}")


def subset(src, dst, name, n, ndims):
    """Copy the first n records of an unsigned-byte IDX file with ndims dims."""
    path, f = open_idx(src, name)
    with f:
        head = f.read(4 + 4 * ndims)
        if len(head) != 4 + 4 * ndims:
            die(f"{path}: truncated header")
        zero, dtype, nd = struct.unpack(">HBB", head[:4])
        if zero != 0 or dtype != 0x08 or nd != ndims:
            die(f"{path}: not an unsigned-byte IDX file of {ndims} dimensions")
        dims = list(struct.unpack(f">{ndims}I", head[4:]))
        if dims[0] < n:
            die(f"{path}: {dims[0]} records, {n} asked for")
        rec = 1
        for d in dims[1:]:
            rec *= d
        body = f.read(n * rec)
        if len(body) != n * rec:
            die(f"{path}: truncated data")
    dims[0] = n
    with open(os.path.join(dst, name), "wb") as out:
        out.write(head[:4] + struct.pack(f">{ndims}I", *dims) + body)
    return dims


def main():
    if len(sys.argv) != 5:
        die("usage: dataset-subset.py SRC_DIR DST_DIR NTRAIN NTEST")
    src, dst = sys.argv[1], sys.argv[2]
    try:
        counts = {"train": int(sys.argv[3]), "test": int(sys.argv[4])}
    except ValueError:
        die("NTRAIN and NTEST are sample counts")
    if min(counts.values()) < 1:
        die("NTRAIN and NTEST are sample counts")
    os.makedirs(dst, exist_ok=True)
    for kind, images, labels in SETS:
        n = counts[kind]
        dims = subset(src, dst, images, n, 3)
        subset(src, dst, labels, n, 1)
        print(f"{kind}: {n} images of {dims[1]}x{dims[2]} and their labels in {dst}")


if __name__ == "__main__":
    try:
        main()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        die(str(e))
