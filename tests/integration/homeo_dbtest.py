"""Shared by the database transport tests: numbered log lines, the README's queries, and the
checks both tests make on the rows they read back."""

import datetime
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402

NUMBER = re.compile(r"f=(\w+) n=(\d+)")

# Exception types per service, picked by n % len: uneven counts (with a tie for third place in
# alpha, which rank() keeps), so the "top error types" query has something to rank.
TYPES = {
    "alpha": ["KeyError"] * 4 + ["ValueError"] * 2 + ["TypeError", "OSError"],
    "beta": ["RuntimeError"] * 3 + ["KeyError"] * 2 + ["IOError", "ZeroDivisionError"] * 1,
}


def numbered_lines(name, service, start, stop):
    """Bracket-format lines n=start..stop-1 of file `name`. Every tenth run of eight lines is
    three hours old (the hour-window query leaves it out, and alpha's tie stays); the rest five
    minutes old."""
    now = datetime.datetime.now(datetime.timezone.utc)
    recent = (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    old = (now - datetime.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    types = TYPES[service]
    return "".join(
        f"[ERROR][{old if (i // 8) % 10 == 0 else recent}] app - {types[i % len(types)]}: "
        f"f={name} n={i}\n" for i in range(start, stop))


def readme_query(title):
    """The ```sql block of README.md whose first line is `-- <title>`."""
    with open(os.path.join(h.REPO_DIR, "README.md"), encoding="utf-8") as f:
        text = f.read()
    for block in re.findall(r"```sql\n(.*?)```", text, re.S):
        if block.startswith(f"-- {title}\n"):
            return block
    raise AssertionError(f"README.md has no ```sql block starting with '-- {title}'")


def expected_top_types(rows, now_epoch):
    """What the README query must answer for `rows` [(ts_epoch, service, exception_type)]: per
    service the types of the last hour ranked by count (ties share a rank), rank <= 3."""
    counts = {}
    for ts, service, etype in rows:
        if ts is not None and ts >= now_epoch - 3600 and etype is not None:
            counts[(service, etype)] = counts.get((service, etype), 0) + 1
    out = []
    for service in sorted({s for s, _ in counts}):
        mine = [(t, c) for (s, t), c in counts.items() if s == service]
        for t, c in mine:
            place = 1 + sum(1 for _, other in mine if other > c)
            if place <= 3:
                out.append((service, t, c))
    out.sort(key=lambda r: (r[0], -r[2], r[1]))
    return out


def check_rows(testcase, rows, files, per_file, file_records):
    """Checks rows [(id, ts_epoch, service, level, exception_type, fingerprint, record dict)]
    read back in id order: each file's lines are all there, in line order (a repeat of a
    batch is allowed: those are counted and returned), every extracted column matches its
    record, and every record equals the file transport's copy (by error_id)."""
    firsts = {}
    seen = {}
    duplicates = 0
    for row_id, ts, service, level, etype, fingerprint, record in rows:
        m = NUMBER.search(record.get("message", ""))
        testcase.assertIsNotNone(m, f"row {row_id}: no number in {record.get('message')!r}")
        name, n = m.group(1), int(m.group(2))
        error_id = record["error_details"]["error_id"]
        if (name, n) in seen:
            duplicates += 1
            testcase.assertEqual(seen[(name, n)], error_id,
                                 f"row {row_id}: line {name}:{n} again, as another record")
            continue
        seen[(name, n)] = error_id
        firsts.setdefault(name, []).append(n)
        want_ts = datetime.datetime.fromisoformat(
            record["timestamp"].replace("Z", "+00:00")).timestamp()
        testcase.assertIsNotNone(ts, f"row {row_id}: ts is NULL")
        testcase.assertAlmostEqual(ts, want_ts, delta=0.001, msg=f"row {row_id}: ts")
        testcase.assertEqual(service, record["service"], f"row {row_id}: service")
        testcase.assertEqual(level, record["level"], f"row {row_id}: level")
        testcase.assertEqual(etype, record.get("exception_type"), f"row {row_id}: exception_type")
        testcase.assertEqual(fingerprint, record["metadata"]["fingerprint"],
                             f"row {row_id}: fingerprint")
        testcase.assertEqual(record, file_records.get(error_id),
                             f"row {row_id}: the record differs from the file transport's")
    for name in files:
        got = firsts.get(name, [])
        missing = sorted(set(range(per_file)) - set(got))
        testcase.assertEqual(missing, [], f"{name}: {len(missing)} lines missing")
        testcase.assertEqual(got, list(range(per_file)), f"{name}: rows out of line order")
    return duplicates
