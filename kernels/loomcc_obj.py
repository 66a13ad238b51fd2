#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Build step of the kernel library (kernels/meson.build): compile one
# kernel-language source with loomcc into a kernel object. When loomcc says
# the kernel uses something its code generation does not support yet (exit
# status 2), write instead a small text file starting with
# "LOOMCC-UNSUPPORTED: " and loomcc's message, so that the build goes on and
# the library reports that operation as unavailable (-EOPNOTSUPP). Any other
# failure fails the build.
#
# Usage: loomcc_obj.py LOOMCC SOURCE OUTPUT [loomcc options...]
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.stderr.write("usage: loomcc_obj.py LOOMCC SOURCE OUTPUT [options]\n")
        return 1
    loomcc, src, out = sys.argv[1:4]
    r = subprocess.run([loomcc, *sys.argv[4:], "-o", out, src],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode == 2:
        msg = (r.stderr.strip().splitlines() or ["not supported"])[-1]
        with open(out, "w") as f:
            f.write("LOOMCC-UNSUPPORTED: " + msg + "\n")
        return 0
    sys.stderr.write(r.stderr)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
