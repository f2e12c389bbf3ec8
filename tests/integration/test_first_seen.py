#!/usr/bin/python3
"""metadata.first_seen and first_seen_at through the daemon: 50 distinct errors and 2,000
occurrences of one more (its numbers and ids varying) give exactly one first-seen record per
error; after a clean restart and after a SIGKILL (once everything was acknowledged) none of
them is first seen again, a new one is; a damaged seen file costs only its damaged lines."""

import os
import signal
import unittest

import homeo_testlib as h

line = h.python_error_line
distinct = h.distinct_error

STORM = 2000


class FirstSeenTest(h.PythonLogToFileTest):

    def test_one_first_seen_per_error_across_restarts_and_a_kill(self):
        text = []
        for i in range(STORM):
            text.append(line(i, f"TimeoutError: upstream 10.0.{i % 250}.{i % 7} took {i} ms "
                                f"(request {i:08x})"))
            if i % 40 == 0 and i // 40 < 50:
                text.append(line(i, distinct(i // 40)))
        h.append_text(self.log, "".join(text))
        total = STORM + 50
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            records = self.records(total, d)
            self.settled(d)
            self.assertEqual(self.metric(d, "homeostasisd_records_first_seen_total"), 51)
            self.assertEqual(self.metric(d, "homeostasisd_seen_fingerprints"), 51)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(len(records), total)
        firsts = {}
        first_at = {}
        for r in records:
            fp = r["metadata"]["fingerprint"]
            self.assertIn("first_seen_at", r["metadata"])
            first_at.setdefault(fp, r["metadata"]["first_seen_at"])
            self.assertEqual(r["metadata"]["first_seen_at"], first_at[fp],
                             "first_seen_at changed between occurrences")
            if r["metadata"]["first_seen"]:
                self.assertNotIn(fp, firsts, f"first seen twice: {r['message']}")
                firsts[fp] = r
        self.assertEqual(len(firsts), 51)
        storm_fp = {r["metadata"]["fingerprint"] for r in records
                    if r["message"].startswith("TimeoutError")}
        self.assertEqual(len(storm_fp), 1, "the storm's occurrences got different fingerprints")
        # The first occurrence in the file is the first seen, with its log time.
        self.assertEqual(records[0]["metadata"]["first_seen"], True)
        self.assertEqual(records[0]["metadata"]["first_seen_at"], "2023-05-20T15:00:00Z")

        # A clean restart: the same errors again are not first seen, a new one is.
        h.append_text(self.log, line(1, "TimeoutError: upstream 10.0.0.1 took 5 ms "
                                        "(request 0000ffff)") +
                      line(2, distinct(7)) + line(3, "BrandNewError: never before"))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            again = self.records(total + 3, d)[total:]
            self.settled(d)
            self.assertEqual([r["metadata"]["first_seen"] for r in again], [False, False, True])
            self.assertEqual(again[0]["metadata"]["first_seen_at"], "2023-05-20T15:00:00Z")
            # Killed once everything is acknowledged: what was delivered stays seen.
            h.append_text(self.log, line(4, "AnotherNewError: once"))
            self.records(total + 4, d)
            self.settled(d)
            d.stop(signo=signal.SIGKILL)
        h.append_text(self.log, line(5, "AnotherNewError: once") + line(6, distinct(49)))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            after_kill = self.records(total + 6, d)[total + 3:]
            self.assertEqual([r["message"] for r in after_kill],
                             ["AnotherNewError: once", "AnotherNewError: once",
                              distinct(49)])
            self.assertEqual([r["metadata"]["first_seen"] for r in after_kill],
                             [True, False, False])
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

    def test_a_damaged_seen_file_costs_only_its_damaged_lines(self):
        h.append_text(self.log, line(0, "KeepError: one") + line(1, "LoseError: two"))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            self.records(2, d)
            self.settled(d)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        seen = os.path.join(self.cfg["state_dir"], "seen")
        with open(seen, encoding="utf-8") as f:
            lines = f.read().split("\n")
        lose_fp = h.read_ndjson(self.out)[1]["metadata"]["fingerprint"]
        damaged = [ln if not ln.startswith(lose_fp) else ln[:len(lose_fp) + 3] + "\x00junk"
                   for ln in lines]
        with open(seen, "w", encoding="utf-8") as f:
            f.write("\n".join(damaged))
        h.append_text(self.log, line(2, "KeepError: one") + line(3, "LoseError: two"))
        with h.DaemonProcess(self.cfg, self.config_path) as d:
            records = self.records(4, d)[2:]
            self.settled(d)
            self.assertEqual([r["metadata"]["first_seen"] for r in records], [False, True])
            self.assertEqual(self.metric(d, "homeostasisd_seen_damaged_lines_total"), 1)
            self.assertIn("damaged lines skipped", d.stderr_text())
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())


if __name__ == "__main__":
    h.main()
