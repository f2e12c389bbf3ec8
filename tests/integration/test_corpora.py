"""Measures `parse --min-level` against the level labels of the loghub corpora.

The corpora live beside the repository (../shared/corpora) and are not part of the project;
when they are absent every test here is skipped with a message saying so. When present, for
each loghub system that labels levels, `parse --min-level ERROR` and `--min-level WARNING`
must emit exactly as many records as the `Level` column of <S>_2k.log_structured.csv says.

Run: /usr/bin/python3 tests/integration/test_corpora.py  (HOMEO_BIN names the binary).
"""

import csv
import os
import unittest

import homeo_testlib as h

CORPORA_DIR = os.path.normpath(
    os.environ.get("HOMEO_CORPORA_DIR") or os.path.join(h.REPO_DIR, "..", "shared", "corpora"))
LOGHUB_DIR = os.path.join(CORPORA_DIR, "loghub")

SYSTEMS = ["Android", "Apache", "BGL", "HDFS", "Hadoop", "OpenStack", "Spark", "Zookeeper"]

RANK = {"DEBUG": 0, "INFO": 1, "WARNING": 2, "ERROR": 3, "CRITICAL": 4}

# The labels' dialects mapped to the record's levels (INTERFACE.md: FATAL -> CRITICAL,
# SEVERE -> ERROR; Apache's `notice` is INFO; Android's single letters).
LABELS = {
    "V": "DEBUG", "D": "DEBUG", "I": "INFO", "W": "WARNING", "E": "ERROR", "F": "CRITICAL",
    "A": "CRITICAL",
    "TRACE": "DEBUG", "DEBUG": "DEBUG", "INFO": "INFO", "NOTICE": "INFO", "WARN": "WARNING",
    "WARNING": "WARNING", "ERROR": "ERROR", "SEVERE": "ERROR", "FATAL": "CRITICAL",
    "CRITICAL": "CRITICAL",
}


def expected_counts(system):
    """(ERROR-or-above, WARNING-or-above) from the structured CSV's Level column."""
    path = os.path.join(LOGHUB_DIR, system, f"{system}_2k.log_structured.csv")
    errors = warnings = 0
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            label = LABELS.get(row["Level"].strip().upper())
            if label is None:
                raise AssertionError(f"{path}: unknown level label {row['Level']!r}")
            if RANK[label] >= RANK["ERROR"]:
                errors += 1
            if RANK[label] >= RANK["WARNING"]:
                warnings += 1
    return errors, warnings


@unittest.skipUnless(os.path.isdir(LOGHUB_DIR),
                     f"corpora not present at {LOGHUB_DIR} (set HOMEO_CORPORA_DIR); "
                     "nothing to measure")
class LoghubLevelCounts(unittest.TestCase):
    def setUp(self):
        h.require_binary()

    def check(self, system):
        log = os.path.join(LOGHUB_DIR, system, f"{system}_2k.log")
        want_err, want_warn = expected_counts(system)
        for level, want in (("ERROR", want_err), ("WARNING", want_warn)):
            res = h.run_parse("--min-level", level, log, timeout=120)
            self.assertEqual(res.code, h.EXIT_OK, res.describe())
            got = len(res.records)
            self.assertEqual(got, want, f"{system} --min-level {level}: {got} records, "
                                        f"labels say {want}\n{res.stderr[-2000:]}")


def _make(system):
    return lambda self: self.check(system)


for _s in SYSTEMS:
    setattr(LoghubLevelCounts, f"test_{_s.lower()}", _make(_s))

if __name__ == "__main__":
    h.main()
