#!/bin/sh
# Turn the guest's serial console log into TAP on stdout: the harness's own
# checks and every subtest the guest ran (named BINARY/SUBTEST, renumbered).
#   vm-boot         the guest reached /init
#   vm-modules      every module loaded and /dev/accel/accel0 appeared
#   BIN/...         the guest's subtests; a binary that stopped short of its
#                   plan or printed none is one more failure
#   vm-kernel-log   no WARNING, BUG, Oops, Call Trace or panic anywhere in
#                   the console log (which ends with the guest's dmesg)
#   vm-poweroff     the guest finished and powered off within the time limit
# Usage: vm/report.sh CONSOLE_LOG QEMU_STATUS TIMEOUT_S SUMMARY_FILE
# Writes a one-line summary to SUMMARY_FILE. Exit status 0 if all passed.
exec python3 - "$@" <<'PY'
import re, sys

log_path, qemu_rc, timeout_s, summary_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    lines = open(log_path, errors="replace").read().replace("\r", "").split("\n")
    # Terminal resets and other escape sequences of the firmware and kernel.
    lines = [re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|.)", "", l) for l in lines]
    # A marker may follow the firmware's last words on the same line.
    lines = [l[l.index("LOOM-VM: "):] if "LOOM-VM: " in l else l for l in lines]
except OSError:
    lines = []

results = []          # (ok, name, directive, diagnostics)
def add(ok, name, directive="", diag=()):
    results.append((ok, name, directive, list(diag)))

ctl = [l[len("LOOM-VM: "):] for l in lines if l.startswith("LOOM-VM: ")]
boot = next((c.split()[1] for c in ctl if c.startswith("boot ")), None)
add(boot is not None, "vm-boot", diag=[] if boot else ["the guest never reached /init"])

failed_mods = [c for c in ctl if c.startswith("insmod ")]
has_dev = "device /dev/accel/accel0" in ctl
add(boot is not None and not failed_mods and has_dev, "vm-modules",
    diag=failed_mods + ([] if has_dev else ["no /dev/accel/accel0"]))

# The guest's binaries: TAP between "begin NAME" and "end NAME STATUS".
cur, plan, seen, ran = None, None, 0, 0
for l in lines:
    if l.startswith("LOOM-VM: begin "):
        cur, plan, seen = l.split()[2], None, 0
        ran += 1
        continue
    if cur is None:
        continue
    if l.startswith("LOOM-VM: end "):
        status = l.split()[3] if len(l.split()) > 3 else "?"
        if plan is None or seen < plan:
            add(False, f"{cur}/incomplete",
                diag=[f"{cur} ran {seen} of {plan if plan is not None else '?'} subtests, exit status {status}"])
        cur = None
        continue
    m = re.match(r"^1\.\.(\d+)", l)
    if m:
        plan = int(m.group(1))
        continue
    # cmocka reports a skip as "not ok N # SKIP name"; a test says why in a
    # comment "# SKIP name: reason" just before it.
    m = re.match(r"^(?:not )?ok \d+ # SKIP (\S+)\s*$", l)
    if m:
        seen += 1
        why = ""
        if results and results[-1][1].startswith(cur + "/"):
            d = results[-1][3]
            for x in d:
                if x.startswith(f"SKIP {m.group(1)}: "):
                    why = " " + x[len(f"SKIP {m.group(1)}: "):]
                    d.remove(x)
                    break
        add(True, f"{cur}/{m.group(1)}", "# SKIP" + why)
        continue
    m = re.match(r"^(not )?ok \d+ - (\S+)(.*)$", l)
    if m:
        seen += 1
        directive = m.group(3).strip()
        add(m.group(1) is None, f"{cur}/{m.group(2)}", directive)
    elif l.startswith("# ") and results and results[-1][1].startswith(cur + "/"):
        results[-1][3].append(l[2:])
if cur is not None:
    add(False, f"{cur}/incomplete", diag=[f"{cur} never finished (ran {seen} of {plan} subtests)"])
if boot is not None and ran == 0:
    add(False, "guest-tests", diag=["the guest ran no test binary"])

bad = re.compile(r"WARNING:|BUG:|Oops|Call Trace|Kernel panic|general protection fault|UBSAN:|KASAN:")
hits = [l for l in lines if bad.search(l) and not l.startswith("LOOM-VM: ")]
dumped = "dmesg-end" in ctl
diag = hits[:10]
if not dumped:
    diag.append("the guest's kernel log was not dumped")
add(dumped and not hits, "vm-kernel-log", diag=diag)

done = any(c.startswith("done ") for c in ctl)
why = []
if qemu_rc == 124 or qemu_rc == 137:
    why.append(f"QEMU killed after {timeout_s} s")
elif qemu_rc != 0:
    why.append(f"QEMU exited with status {qemu_rc}")
if not done:
    why.append("the guest did not finish (no 'done' line)")
add(done and qemu_rc == 0, "vm-poweroff", diag=why)

print(f"1..{len(results)}")
npass = nfail = nskip = 0
for i, (ok, name, directive, diag) in enumerate(results, 1):
    d = f" {directive}" if directive else ""
    print(f"{'ok' if ok else 'not ok'} {i} - {name}{d}")
    for x in diag:
        print(f"# {x}")
    if not ok:
        nfail += 1
    elif re.search(r"#\s*SKIP", directive, re.I):
        nskip += 1
    else:
        npass += 1
done_t = next((c.split()[1] for c in ctl if c.startswith("done ")), None)
times = f"guest boot {boot} s, guest run {done_t} s (guest clock)" if boot and done_t else "guest did not finish"
with open(summary_path, "w") as f:
    f.write(f"{npass} ok, {nfail} failing, {nskip} skipped; {times}")
sys.exit(1 if nfail else 0)
PY
