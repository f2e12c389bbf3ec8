#!/usr/bin/python3
"""Occurrence throttling through the daemon: 20,000 occurrences of one error (numbers and ids
varying) and 50 other errors give at most 5 full records of the storm per window plus one
summary, all 50 others in full, and counts adding up to exactly 20,050; a window closing on
its own sends its summary and lets the checkpoint go on; a reload keeps the window's count;
a SIGKILL with a window open loses no occurrence (they are read again)."""

import os
import signal
import unittest

import homeo_testlib as h

line = h.python_error_line
distinct = h.distinct_error

GIVE_UP_S = 30.0
STORM = 20_000


def storm(i):
    return f"TimeoutError: upstream 10.1.{i % 250}.{i % 9} took {i} ms (request {i:08x})"


def occurrences(r):
    """How many events a record stands for: itself, or its summary's count."""
    occ = r["metadata"].get("occurrences")
    return occ["count"] if occ else 1


class ThrottleTest(h.PythonLogToFileTest):

    def setUp(self):
        super().setUp()
        del self.cfg["throttle"]  # the defaults: 5 per 60 s

    def test_a_storm_of_20000_and_50_others_add_up_to_20050(self):
        text = []
        for i in range(STORM):
            text.append(line(i, storm(i)))
            if i % 400 == 0:
                text.append(line(i, distinct(i // 400)))
        h.append_text(self.log, "".join(text))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            self.records(55, d)  # 5 of the storm, the 50 others; the rest is being counted
            h.wait_for(lambda: self.metric(d, "homeostasisd_lines_read_total",
                                           (("input", "0"),)) == STORM + 50, GIVE_UP_S,
                       lambda: f"the file was not read to its end\n{d.describe()}")
            # The last event completes once the multi-line timeout has passed.
            h.wait_for(lambda: self.metric(d, "homeostasisd_records_throttled_total") ==
                       STORM - 5, GIVE_UP_S, lambda: f"not all counted\n{d.describe()}")
            # A clean stop sends the open window's summary.
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        records = h.read_ndjson(self.out)
        storm_records = [r for r in records if r["message"].startswith("TimeoutError")]
        others = [r for r in records if not r["message"].startswith("TimeoutError")]
        self.assertEqual(len(others), 50)
        self.assertEqual(len({r["message"] for r in others}), 50)
        full = [r for r in storm_records if "occurrences" not in r["metadata"]]
        summaries = [r for r in storm_records if "occurrences" in r["metadata"]]
        self.assertEqual(len(full), 5)
        self.assertEqual(len(summaries), 1)
        occ = summaries[0]["metadata"]["occurrences"]
        self.assertEqual(occ["count"], STORM - 5)
        self.assertEqual(summaries[0]["message"], storm(STORM - 1))  # the last occurrence
        self.assertEqual(occ["last_at"][:19], "2023-05-20T15:33:19")
        self.assertEqual(sum(occurrences(r) for r in records), STORM + 50)
        h.validator().assert_valid(self, records, "throttled records")
        # First seen once each: the storm's first record and each of the 50.
        self.assertEqual(sum(r["metadata"]["first_seen"] for r in records), 51)
        self.assertTrue(full[0]["metadata"]["first_seen"])

        # Restarted: nothing is read again (the summary was acknowledged before the stop
        # ended), and the storm is no longer first seen.
        h.append_text(self.log, line(1, storm(7)) + line(2, distinct(3)))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            after = self.records(len(records) + 2, d)[len(records):]
            self.assertEqual([r["message"] for r in after], [storm(7), distinct(3)])
            self.assertEqual([r["metadata"]["first_seen"] for r in after], [False, False])
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

    def test_a_window_that_closes_sends_its_summary_and_frees_the_checkpoint(self):
        self.cfg["throttle"] = {"window_ms": 1000, "limit": 2}
        h.append_text(self.log, "".join(line(i, storm(i)) for i in range(100)))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            records = self.records(3, d)
            self.assertEqual(len(records), 3)
            self.assertEqual(records[2]["metadata"]["occurrences"]["count"], 98)
            self.settled(d)  # the checkpoint passed the counted events
            self.assertEqual(self.metric(d, "homeostasisd_throttle_summaries_total"), 1)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(sum(occurrences(r) for r in h.read_ndjson(self.out)), 100)

    def test_a_reload_keeps_the_windows_count(self):
        self.cfg["throttle"] = {"window_ms": 600000, "limit": 5}
        h.append_text(self.log, "".join(line(i, storm(i)) for i in range(10)))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            self.records(5, d)
            h.wait_for(lambda: self.metric(d, "homeostasisd_records_throttled_total") == 5,
                       GIVE_UP_S, lambda: f"not counted\n{d.describe()}")
            d.send_signal(signal.SIGHUP)
            # The reload's drain sends what was counted so far.
            recs = self.records(6, d)
            self.assertEqual(recs[5]["metadata"]["occurrences"]["count"], 5)
            h.wait_for(lambda: "reloaded" in d.stderr_text(), GIVE_UP_S,
                       lambda: f"no reload\n{d.describe()}")
            h.append_text(self.log, "".join(line(i, storm(i)) for i in range(10, 13)))
            h.wait_for(lambda: self.metric(d, "homeostasisd_lines_read_total",
                                           (("input", "0"),)) == 3, GIVE_UP_S,
                       lambda: f"the new lines were not read\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        records = h.read_ndjson(self.out)
        # Still the first window: its 5 are spent, the 3 new ones are counted, not sent.
        self.assertEqual(len([r for r in records if "occurrences" not in r["metadata"]]), 5)
        self.assertEqual(sum(occurrences(r) for r in records), 13)

    def test_a_kill_with_a_window_open_loses_no_occurrence(self):
        h.append_text(self.log, "".join(line(i, storm(i)) for i in range(1000)))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            self.records(5, d)
            h.wait_for(lambda: self.metric(d, "homeostasisd_records_throttled_total") == 995,
                       GIVE_UP_S, lambda: f"not counted\n{d.describe()}")
            d.stop(signo=signal.SIGKILL)
        first_run = len(h.read_ndjson(self.out))
        self.assertEqual(first_run, 5)
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            # The counted events were never checkpointed: they are read again.
            h.wait_for(lambda: (self.metric(d, "homeostasisd_records_throttled_total") or 0) +
                       len(h.read_ndjson(self.out)) - first_run >= 995, GIVE_UP_S,
                       lambda: f"the counted events were not read again\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        second = h.read_ndjson(self.out)[first_run:]
        self.assertGreaterEqual(sum(occurrences(r) for r in second), 995)
        self.assertLessEqual(sum(occurrences(r) for r in second), 1000)


if __name__ == "__main__":
    h.main()
