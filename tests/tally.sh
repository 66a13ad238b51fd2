#!/bin/sh
# Count subtests from meson's test log (TAP lines of each suite) and print
# the closing line "N passed, N failed, N skipped". A suite that crashed,
# timed out or printed no TAP counts as one failure. Exit status: 1 if any
# failed. Each failing suite is shown first with its failing subtests,
# their diagnostics and the tail of its stderr, so a log that keeps only
# the end (CI) still says why.
log="${1:-build/meson-logs/testlog.json}"
[ -f "$log" ] || { echo "0 passed, 1 failed"; exit 1; }
python3 - "$log" <<'PY'
import json, re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    t = json.loads(line)
    out = t.get("stdout") or ""
    p = f = s = 0
    plan = None
    for l in out.splitlines():
        m = re.match(r"^1\.\.(\d+)", l)
        if m:
            plan = int(m.group(1))
        elif re.match(r"^(not )?ok\b", l):
            if re.search(r"#\s*SKIP", l, re.I):
                s += 1
            elif l.startswith("ok"):
                p += 1
            else:
                f += 1
    # Trust the TAP lines, but a suite that crashed, hung or stopped short
    # of its plan is one more failure.
    # A suite whose own verdict is a failure (a leak report at exit, a
    # non-zero status) with no failing subtest is one failure too.
    bad_exit = t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and f == 0
    if f or bad_exit:
        # Say why, where a log reader (CI) sees only this: each failing
        # subtest with the diagnostics under it, then the tail of stderr.
        lines = out.splitlines()
        shown = []
        for i, l in enumerate(lines):
            if l.startswith("not ok"):
                shown.append(l)
                for d in lines[i + 1:i + 8]:
                    if not d.startswith("#"):
                        break
                    shown.append(d)
        err = (t.get("stderr") or "").splitlines()[-10:]
        print(f"--- {t.get('name')}: {t.get('result')}")
        for l in shown[:40] + err:
            print(f"    {l}")
    if plan is None or p + f + s < plan or bad_exit:
        f += 1
        print(f"{t.get('name')}: {t.get('result')} (incomplete TAP output)", file=sys.stderr)
    passed += p; failed += f; skipped += s
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
