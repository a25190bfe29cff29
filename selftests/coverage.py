#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Line coverage of kmod/ from the debug kernel's gcov counters.

The debug kernel has CONFIG_GCOV_KERNEL and mgre.ko is built there with
GCOV_PROFILE (kmod/Kbuild), so the compiler leaves a .gcno next to each
object; selftests/vm_runner.sh copies the counters (.gcda) out of the
guest's debugfs, per test (GCOV_EACH=1) or for the whole pass.

  coverage.py report [--floor PCT] GCNO_DIR GCDA_DIR...
      (several directories: their counts summed, e.g. one per test)
      per-file table and a last line "kmod/: reached N of M lines (P%)";
      exit 1 if P < PCT.
  coverage.py select GCNO_DIR GCOV_ROOT [KTAP]
      GCOV_ROOT/NAME/ holds the counters of test NAME alone: for each
      test the lines it reaches and those no other test reaches, then a
      greedy cover (most new lines per second of the test's duration on
      the debug kernel, from the KTAP log) until the union of all tests
      is reached: the tests the debug pass needs, and what the others
      would add (nothing).
  coverage.py missed GCNO_DIR GCDA_DIR [GCDA_DIR_ALL]
      the lines not reached (or reached in GCDA_DIR_ALL but not GCDA_DIR)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def lines_of_all(gcno_dir, gcda_dirs):
    """lines_of summed over several counter directories (per test)."""
    res = {}
    for d in gcda_dirs:
        for k, c in lines_of(gcno_dir, d).items():
            res[k] = res.get(k, 0) + c
    return res


def lines_of(gcno_dir, gcda_dir):
    """{('kmod/x.c', line): count} for every executable line of kmod/."""
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for f in os.listdir(gcno_dir):
            if f.endswith('.gcno'):
                shutil.copy(os.path.join(gcno_dir, f), tmp)
        have = set()
        if gcda_dir and os.path.isdir(gcda_dir):
            for f in os.listdir(gcda_dir):
                if f.endswith('.gcda'):
                    shutil.copy(os.path.join(gcda_dir, f), tmp)
                    have.add(f[:-5])
        for f in sorted(os.listdir(tmp)):
            if not f.endswith('.gcno'):
                continue
            base = f[:-5]
            if base.endswith('.mod'):
                continue
            if base not in have:
                # no counters: every line of the object unreached; gcov
                # still reads the .gcno (it warns on stderr)
                pass
            out = subprocess.run(
                ['gcov', '--json-format', '--stdout', '-o', tmp, base + '.c'],
                cwd=tmp, capture_output=True, text=True)
            if out.returncode != 0 or not out.stdout.strip():
                sys.exit('coverage: gcov failed for %s: %s' % (base, out.stderr.strip()))
            for doc in out.stdout.splitlines():
                doc = doc.strip()
                if not doc:
                    continue
                for fi in json.loads(doc).get('files', []):
                    m = re.search(r'^(?:.*/)?(kmod/(?:uapi/)?[^/]+)$', fi['file'])
                    if not m:
                        continue
                    name = m.group(1)
                    for ln in fi.get('lines', []):
                        key = (name, ln['line_number'])
                        res[key] = res.get(key, 0) + ln['count']
    return res


def report(argv):
    floor = 0.0
    if argv and argv[0] == '--floor':
        floor = float(argv[1])
        argv = argv[2:]
    gcno, dirs = argv[0], argv[1:]
    dirs = [d for d in dirs if os.path.isdir(d) and any(f.endswith('.gcda') for f in os.listdir(d))]
    if not dirs:
        print('coverage: no .gcda files in %s (was mgre.ko built with gcov?)' % ' '.join(argv[1:]))
        return 1
    cov = lines_of_all(gcno, dirs)
    files = {}
    for (name, _), cnt in cov.items():
        t = files.setdefault(name, [0, 0])
        t[1] += 1
        t[0] += cnt > 0
    print('%-28s %8s %8s %7s' % ('file', 'reached', 'lines', '%'))
    for name in sorted(files):
        r, n = files[name]
        print('%-28s %8d %8d %6.1f%%' % (name, r, n, 100.0 * r / n if n else 0))
    r = sum(v[0] for v in files.values())
    n = sum(v[1] for v in files.values())
    pct = 100.0 * r / n if n else 0.0
    verdict = '' if pct >= floor else ', below the floor of %.1f%%' % floor
    print('kmod/: reached %d of %d lines (%.1f%%)%s' % (r, n, pct, verdict))
    return 0 if pct >= floor else 1


def durations(ktap):
    d = {}
    if ktap and os.path.exists(ktap):
        for line in open(ktap, errors='replace'):
            m = re.match(r'# (\S+): ([0-9.]+) s \(exit', line)
            if m:
                d[m.group(1)] = float(m.group(2))
    return d


def select(argv):
    gcno, root = argv[0], argv[1]
    dur = durations(argv[2] if len(argv) > 2 else None)
    per = {}
    for t in sorted(os.listdir(root)):
        p = os.path.join(root, t)
        if os.path.isdir(p) and t != 'all':
            per[t] = {k for k, c in lines_of(gcno, p).items() if c > 0}
    union = set().union(*per.values()) if per else set()
    total = len(lines_of(gcno, None))
    print('%d tests; together they reach %d of %d lines of kmod/ (%.1f%%)'
          % (len(per), len(union), total, 100.0 * len(union) / max(total, 1)))
    print('%-28s %8s %8s %8s' % ('test', 'lines', 'only it', 'seconds'))
    for t in sorted(per):
        others = set().union(*(per[o] for o in per if o != t))
        print('%-28s %8d %8d %8.0f' % (t, len(per[t]), len(per[t] - others), dur.get(t, 0)))
    left = set(union)
    chosen = []
    while left:
        best = max(per, key=lambda t: (len(per[t] & left) / max(dur.get(t, 60), 1.0),
                                       len(per[t] & left)))
        gain = per[best] & left
        if not gain:
            break
        chosen.append((best, len(gain)))
        left -= gain
    print('greedy cover (new lines per second):')
    for t, g in chosen:
        print('  run %-26s +%d lines, %.0f s' % (t, g, dur.get(t, 0)))
    print('  total %.0f s of %.0f s' % (sum(dur.get(t, 0) for t, _ in chosen),
                                         sum(dur.get(t, 0) for t in per)))
    for t in sorted(set(per) - {c for c, _ in chosen}):
        print('  leave %-24s adds no line the chosen tests do not reach' % t)
    return 0


def missed(argv):
    gcno, gcda = argv[0], argv[1]
    cov = lines_of(gcno, gcda)
    ref = lines_of(gcno, argv[2]) if len(argv) > 2 else None
    for (name, ln), c in sorted(cov.items()):
        if c == 0 and (ref is None or ref.get((name, ln), 0) > 0):
            print('%s:%d' % (name, ln))
    return 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ('report', 'select', 'missed'):
        print(__doc__)
        return 2
    return {'report': report, 'select': select, 'missed': missed}[sys.argv[1]](sys.argv[2:])


if __name__ == '__main__':
    sys.exit(main())
