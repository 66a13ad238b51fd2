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
# On the debug kernel (KIND debug) three more, each report in the kernel
# log counted once, by the check that names it, and shown with the test
# that ran when it came (the guest writes "loom-vm: begin TEST" to the log):
#   vm-kasan        KASAN is on and reported nothing
#   vm-lockdep      lockdep is on and reported nothing: no circular or
#                   recursive locking, inconsistent lock state, suspicious
#                   RCU usage, invalid wait context, sleeping function
#                   called from invalid context, scheduling while atomic
#   vm-kmemleak     the final kmemleak scan lists no object (what the kernel
#                   left unreferenced before the modules loaded is cleared
#                   first: vm/guest-init.sh)
# and vm-kernel-log then counts the other reports (WARN, BUG, Oops...).
# Usage: vm/report.sh CONSOLE_LOG QEMU_STATUS TIMEOUT_S SUMMARY_FILE [KIND]
# Writes a one-line summary to SUMMARY_FILE. Exit status 0 if all passed.
exec python3 - "$@" <<'PY'
import re, sys

log_path, qemu_rc, timeout_s, summary_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
kind = sys.argv[5] if len(sys.argv) > 5 else "debian"
debug = kind == "debug"
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

# The kernel's reports. A report opens at a headline (WARNING:, BUG:, ...)
# and runs to the end of its trace, the next headline or the next test's
# marker; a Call Trace outside any report is one of its own. Each names the
# test that was running (the last "loom-vm: begin TEST" of the kernel log).
bad = re.compile(r"WARNING:|BUG:|Oops|Call Trace|Kernel panic|general protection fault|UBSAN:|KASAN:")
head = re.compile(r"WARNING:|BUG:|Oops|Kernel panic|general protection fault|UBSAN:|KASAN:")
lockdep = re.compile(r"possible circular locking|possible recursive locking|inconsistent lock state|"
                     r"suspicious RCU usage|Invalid wait context|sleeping function called from invalid context|"
                     r"scheduling while atomic|possible irq lock inversion|bad unlock balance|held lock freed|"
                     r"lock held when returning to user space|Nested lock was not taken|"
                     r"BUG: MAX_LOCKDEP|DEBUG_LOCKS_WARN_ON|lock held at task exit")
stamp = re.compile(r"^\[\s*\d+\.\d+\]\s?")
# The kernel log is read from the guest's dump of it (and what follows:
# the power-off), which holds every message; the console before it repeats
# some (all, once lockdep has turned the console verbose). Without a dump,
# the whole console.
klog = lines
if "LOOM-VM: dmesg-begin" in lines:
    klog = lines[lines.index("LOOM-VM: dmesg-begin") + 1:]
reports = []          # {"head", "test", "lines", "context"}
cur_rep, test, in_leak, cut, after = None, "boot", False, None, None
for l in klog:
    if l.startswith("LOOM-VM: "):
        in_leak = l.startswith("LOOM-VM: kmemleak-begin") or (in_leak and not l.startswith("LOOM-VM: kmemleak-end"))
        continue
    if in_leak:
        continue
    t = stamp.sub("", l)
    m = re.match(r"loom-vm: (?:begin (\S+)|(tests done))", t)
    if m:
        test = m.group(1) or "after the tests"
        cur_rep = after = cut = None
        continue
    # What a WARN printed between "cut here" and its WARNING line (the
    # DMA API's message, for one), and its "Mapped at:" trace after it.
    if "[ cut here ]" in t:
        cut = []
        continue
    if after is not None:
        if t.startswith("DMA-API: Mapped at:") or (t.startswith(" ") and after["lines"][-1:] and
                                                  after.get("mapped")):
            after["lines"].append(t)
            after["mapped"] = True
            continue
        after = None
    if head.search(t) and not (cur_rep and cur_rep["kasan"] and "KASAN" not in t):
        cur_rep = {"head": t.strip(), "test": test, "lines": [t], "kasan": "KASAN:" in t,
                   "context": cut or []}
        reports.append(cur_rep)
        cut = None
        continue
    if cut is not None:
        cut.append(t)
        if len(cut) > 20:
            cut = None
        continue
    if cur_rep is not None:
        cur_rep["lines"].append(t)
        if t.startswith("---[ end trace") or len(cur_rep["lines"]) > 400 or \
           (cur_rep["kasan"] and re.match(r"^={20,}$", t.strip())):
            if t.startswith("---[ end trace"):
                after = cur_rep
            cur_rep = None
        continue
    if bad.search(t):
        cur_rep = {"head": t.strip(), "test": test, "lines": [t], "kasan": False, "context": []}
        reports.append(cur_rep)

# Register dumps, code bytes, unreliable frames: not what a reader needs.
noise = re.compile(r"^\s*(R[A-Z0-9]{1,2}: |RIP: 00|FS: |CS: |CR2: |Code: |Modules linked in|Tainted: |"
                   r"CPU: \d+ UID|Hardware name|irq event stamp|hardirqs last|softirqs last|</?TASK>|\? |"
                   r"---\[ end trace|={20,}$|-{20,}$|$)")

# Reports alike (the same headline and message, numbers aside) are shown
# once, with how many there were and during which tests.
def describe(reps, limit=6, nlines=24):
    groups = {}
    for r in reps:
        msg = r["context"][0] if r["context"] else ""
        sig = re.sub(r"0x[0-9a-f]+|[0-9a-f]{8,}|\d+", "N", r["head"] + "|" + msg)
        groups.setdefault(sig, []).append(r)
    d = []
    for g in list(groups.values())[:limit]:
        r = g[0]
        tests = []
        for x in g:
            if x["test"] not in tests:
                tests.append(x["test"])
        times = f" ({len(g)} times)" if len(g) > 1 else ""
        d.append(f"during {', '.join(tests)}{times}: {r['head']}")
        body = [x for x in r["context"] + r["lines"][1:] if not noise.match(x)]
        d += ["  " + x.strip() for x in body[:nlines]]
    if len(groups) > limit:
        d.append(f"... and {len(groups) - limit} other kinds of report (console.log)")
    return d

dumped = "dmesg-end" in ctl
if debug:
    kasan_reps = [r for r in reports if "KASAN:" in r["head"]]
    lock_reps = [r for r in reports if r not in kasan_reps and lockdep.search(r["head"])]
    other = [r for r in reports if r not in kasan_reps and r not in lock_reps]
else:
    other = reports
diag = describe(other)
if not dumped:
    diag.append("the guest's kernel log was not dumped")
add(dumped and not other, "vm-kernel-log", diag=diag)

if debug and boot is None:
    # Nothing ran: the debug checks fail too, but say only that.
    for name in ("vm-kasan", "vm-lockdep", "vm-kmemleak"):
        add(False, name, diag=["not checked: the guest never reached /init"])
elif debug:
    text = "\n".join(lines)
    kasan_on = "KernelAddressSanitizer initialized" in text
    diag = describe(kasan_reps, nlines=40)
    if not kasan_on:
        diag.append("KASAN is not on: no 'KernelAddressSanitizer initialized' in the kernel log")
    add(kasan_on and dumped and not kasan_reps, "vm-kasan", diag=diag)

    dl = next((c.split()[1:] for c in ctl if c.startswith("debug_locks")), None)
    diag = describe(lock_reps, nlines=40)
    ok = dumped and not lock_reps
    if dl is None:
        ok = False
        diag.append("the guest did not report lockdep's state")
    elif not dl:
        ok = False
        diag.append("lockdep is not on: no /proc/lockdep_stats")
    elif dl[0] == "0" and not lock_reps:
        why = "Disabling lock debugging due to kernel taint" in text
        if why:
            diag.append("lockdep turned itself off after another report (kernel taint): "
                        "locking after that point was not checked")
        else:
            ok = False
            diag.append("lockdep turned itself off (debug_locks 0) with no report in the kernel log")
    add(ok, "vm-lockdep", diag=diag)

    # The DMA API debugging's count of errors, beside the reports printed.
    dma = next((c.split() for c in ctl if c.startswith("dma-api-errors")), None)
    if dma and len(dma) > 1 and dma[1] != "0":
        shown = sum(1 for r in other if any("DMA-API:" in x for x in r["context"] + r["lines"][:3]))
        d = [x for x in results if x[1] == "vm-kernel-log"][0][3]
        d.append(f"DMA-API: {dma[1]} error(s) counted, {shown} printed (the guest prints the first 20)")
    # Switched off (an allocation of its own failed: out of entries, or
    # fault injection armed by a test), it checked nothing after that. The
    # guest runs the fuzzer, whose failslab may do it, after every other
    # suite and before only what takes the device away (*_gone): a switch
    # with nothing else after it is said, anything else unchecked fails.
    if dma and len(dma) > 3 and dma[3] not in ("N", "0"):
        i = [k for k, x in enumerate(results) if x[1] == "vm-kernel-log"][0]
        ok, name, directive, d = results[i]
        why = [stamp.sub("", l).strip() for l in klog
               if re.search(r"DMA-API: .*(disabl|out of memory)", l)][:1]
        # The test during which it happened (the last marker before the
        # line), and those that began after it.
        t, after, seen = "boot", [], False
        for l in klog:
            m = re.match(r"loom-vm: begin (\S+)", stamp.sub("", l))
            if m:
                if seen:
                    after.append(m.group(1))
                else:
                    t = m.group(1)
            if why and why[0] in l:
                seen = True
        if not why:
            after = ["(the point is unknown: every test may have)"]
        unchecked = [x for x in after if not re.search(r"_(fuzz|gone)$", x)]
        d.append(f"DMA-API debugging turned itself off during {t} ({why[0] if why else 'no reason printed'}); "
                 f"ran without it: {', '.join(after) if after else 'nothing'}")
        if unchecked:
            results[i] = (False, name, directive, d)

    # kmemleak's findings: "unreferenced object ADDR (size N):", comm and
    # pid, a hex dump, the backtrace of the allocation.
    base = next((c.split()[1] for c in ctl if c.startswith("kmemleak-baseline")), None)
    leaks, obj, in_leak = [], None, False
    for l in lines:
        if l.startswith("LOOM-VM: kmemleak-begin"):
            in_leak = True
            continue
        if l.startswith("LOOM-VM: kmemleak-end"):
            in_leak = False
            continue
        if not in_leak:
            continue
        if l.startswith("unreferenced object"):
            obj = {"head": l.strip(), "comm": "", "bt": None}
            leaks.append(obj)
        elif obj is None:
            continue
        elif l.strip().startswith("comm "):
            obj["comm"] = l.strip()
        elif l.strip().startswith("backtrace"):
            obj["bt"] = []
        elif obj["bt"] is not None and l.strip():
            # "    func+0x1f/0x350 [module]" (older kernels: "[<addr>] func...")
            obj["bt"].append(re.sub(r"^\[<[0-9a-f]+>\]\s*", "", l.strip()))
    ended = any(c.startswith("kmemleak-end") for c in ctl)
    diag = []
    if any(c.startswith("kmemleak-off") for c in ctl):
        diag.append("kmemleak turned itself off during the run: no scan at the end")
        diag += [stamp.sub("", l).strip() for l in klog
                 if re.search(r"kmemleak: ", l) and "initialized" not in l][:5]
    elif base is None or base == "none" or not ended:
        diag.append("kmemleak is not on or was not scanned at the end")
    for o in leaks[:10]:
        o["bt"] = o["bt"] or []
        mods = sorted(set(re.findall(r"\[(loom\w*)\]", " ".join(o["bt"]))))
        diag.append(f"{o['head']} {o['comm']}" + (f" (in {', '.join(mods)})" if mods else ""))
        diag += ["  " + b for b in o["bt"][:10]]
    if len(leaks) > 10:
        diag.append(f"... and {len(leaks) - 10} more (console.log)")
    if base not in (None, "none"):
        diag.append(f"{base} objects left by boot were cleared before the modules loaded")
    add(base not in (None, "none") and ended and not leaks, "vm-kmemleak", diag=diag)

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
