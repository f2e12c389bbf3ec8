"""The journald input against real journal files: entries are written in the journal export
format and turned into journal files by Debian's systemd-journal-remote, in a directory the
input reads (`directory:`), so no running journald is needed. Skipped, saying so, when
systemd-journal-remote is not installed (scripts/install-deps.sh test installs it)."""

import collections
import json
import os
import re
import signal
import subprocess
import unittest

import homeo_testlib as lib

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
BOOT_ID = "5f1c3a9e2b7d4c6a8e0f1a2b3c4d5e6f"
MAX_RECORDS = 50

TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/srv/checkout/api.py", line 42, in get_user',
    "    return users[user_id]",
    "KeyError: 'user_id'",
]


@unittest.skipUnless(os.access(JOURNAL_REMOTE, os.X_OK),
                     f"{JOURNAL_REMOTE} is not installed (Debian's systemd-journal-remote package)")
class JournaldInputTest(unittest.TestCase):
    def setUp(self):
        lib.require_binary()
        self.tmp = lib.TempDir()
        self.journal_dir = self.tmp.mkdir("journal")
        self.out = self.tmp.join("out.jsonl")
        self.clock = 1716200000000000  # __REALTIME_TIMESTAMP of the next entry, in µs
        self.writes = 0

    def tearDown(self):
        self.tmp.cleanup()

    # -- writing journal files

    def entry(self, message, unit="checkout.service", pid=4242, priority=6, comm="python3"):
        self.clock += 1000
        fields = [
            ("__REALTIME_TIMESTAMP", self.clock),
            ("__MONOTONIC_TIMESTAMP", self.clock - 1716100000000000),
            ("_BOOT_ID", BOOT_ID),
            ("_HOSTNAME", "web01"),
            ("_TRANSPORT", "stdout"),
            ("_SYSTEMD_UNIT", unit),
            ("_PID", pid),
            ("_COMM", comm),
            ("SYSLOG_IDENTIFIER", comm),
            ("PRIORITY", priority),
            ("MESSAGE", message),
        ]
        return "".join(f"{k}={v}\n" for k, v in fields) + "\n"

    def write_journal(self, entries, name="system.journal"):
        """Appends the entries (export-format text) to a journal file of the directory."""
        self.writes += 1
        r = subprocess.run([JOURNAL_REMOTE, f"--output={os.path.join(self.journal_dir, name)}",
                            "-"], input="".join(entries).encode(), capture_output=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))

    # -- the daemon

    def config(self, **input_keys):
        journal_input = {"type": "journald", "directory": self.journal_dir,
                         "read_from": "beginning", "service": "checkout-api"}
        journal_input.update(input_keys)
        cfg = lib.daemon_config(self.tmp.path, "/unused", self.out, inputs=[journal_input])
        cfg["batch"] = {"max_records": MAX_RECORDS, "max_bytes": 1048576, "max_wait_ms": 50}
        return cfg

    def daemon(self, cfg):
        return lib.DaemonProcess(cfg, self.tmp.join("config.yaml"))

    def records(self):
        return lib.read_ndjson(self.out) if os.path.exists(self.out) else []

    def wait_records(self, d, predicate, what, timeout=15.0):
        return lib.wait_for(lambda: predicate(self.records()), timeout,
                            lambda: f"{what}; got {len(self.records())} records\n{d.describe()}")

    @staticmethod
    def order_numbers(records):
        return [int(m.group(1)) for r in records
                for m in [re.search(r"order (\d+) refused", r["message"])] if m]

    # -- the tests

    def test_multi_entry_traceback_is_one_record(self):
        entries = [self.entry("checkout worker started")]
        # A traceback written line by line to stdout: one entry per line, INFO as journald
        # stores stdout by default, interleaved with another process's lines.
        for i, line in enumerate(TRACEBACK):
            entries.append(self.entry(line))
            if i == 1:
                entries.append(self.entry("GET /health 200", unit="nginx.service", pid=99,
                                          comm="nginx"))
        entries.append(self.entry("payment gateway refused card", priority=3))
        entries.append(self.entry("cache warmed", priority=6))
        self.write_journal(entries)
        with self.daemon(self.config()) as d:
            self.wait_records(d, lambda rs: len(rs) >= 2, "the two error records did not arrive")
            self.assertEqual(d.stop(), 0)
        records = self.records()
        lib.validator().assert_valid(self, records, "journald records")
        self.assertEqual(len(records), 2, [r["message"] for r in records])
        tb = next(r for r in records if r.get("exception_type") == "KeyError")
        self.assertEqual(tb["traceback"], TRACEBACK)
        self.assertEqual(tb["error_details"]["detailed_frames"][0]["file"], "/srv/checkout/api.py")
        self.assertEqual(tb["service"], "checkout-api")
        self.assertEqual(tb["level"], "ERROR")
        source = tb["metadata"]["source"]
        self.assertEqual(source["type"], "journald")
        self.assertEqual(source["unit"], "checkout.service")
        self.assertEqual(source["directory"], self.journal_dir)
        self.assertEqual(tb["context"]["journal"],
                         {"pid": 4242, "comm": "python3", "unit": "checkout.service",
                          "hostname": "web01", "boot_id": BOOT_ID})
        # The cursor is the traceback's first entry's, as journalctl finds it.
        shown = subprocess.run(["journalctl", "-D", self.journal_dir, f"--cursor={source['cursor']}",
                                "-o", "json", "-n", "all", "--no-pager"],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertEqual(json.loads(shown.stdout.splitlines()[0])["MESSAGE"], TRACEBACK[0])
        # A message without a level of its own takes the entry's PRIORITY (3: err).
        plain = next(r for r in records if r is not tb)
        self.assertEqual(plain["message"], "payment gateway refused card")
        self.assertEqual(plain["level"], "ERROR")
        self.assertEqual(plain["timestamp"], "2024-05-20T10:13:20.007Z")

    def test_unit_filter_keeps_other_units_out(self):
        entries = []
        for i in range(20):
            unit = ("checkout.service", "billing.service", "other.service")[i % 3]
            entries.append(self.entry(f"order {i} refused by {unit}", unit=unit, pid=100 + i % 3,
                                      priority=3))
        self.write_journal(entries)
        with self.daemon(self.config(units=["checkout", "billing.service"])) as d:
            want = [i for i in range(20) if i % 3 != 2]
            self.wait_records(d, lambda rs: sorted(self.order_numbers(rs)) == want,
                              "the two units' records did not arrive")
            self.assertEqual(d.stop(), 0)
        units = collections.Counter(r["metadata"]["source"]["unit"] for r in self.records())
        self.assertEqual(set(units), {"checkout.service", "billing.service"})

    def test_entries_appended_after_start_are_picked_up(self):
        self.write_journal([self.entry("order 1 refused before the start", priority=3)])
        # read_from: end: what was there at the first start is not read.
        cfg = self.config(read_from="end")
        with self.daemon(cfg) as d:
            self.write_journal([self.entry("order 2 refused after the start", priority=3)])
            # A journal file created after the start, in the same directory, is read too.
            self.write_journal([self.entry("order 3 refused in a new file", priority=3)],
                               name="remote-web02.journal")
            self.wait_records(d, lambda rs: sorted(self.order_numbers(rs)) == [2, 3],
                              "entries appended after the start did not arrive")
            self.assertEqual(d.stop(), 0)
        # A restart goes on from the stored cursor: nothing again, the next entry once.
        self.write_journal([self.entry("order 4 refused while stopped", priority=3)])
        with self.daemon(cfg) as d:
            self.wait_records(d, lambda rs: 4 in self.order_numbers(rs),
                              "the entry written while the daemon was stopped did not arrive")
            self.assertEqual(d.stop(), 0)
        self.assertEqual(self.order_numbers(self.records()), [2, 3, 4])

    def test_sigkill_repeats_at_most_one_batch_and_skips_nothing(self):
        total = 20000
        self.write_journal([self.entry(f"order {i} refused", pid=500 + i % 4, priority=3)
                            for i in range(total)])
        cfg = self.config()
        d = self.daemon(cfg)
        with d:
            self.wait_records(d, lambda rs: len(rs) >= 2000, "records did not start arriving")
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait(timeout=10)
        at_kill = self.order_numbers(self.records())
        self.assertLess(len(set(at_kill)), total,
                        "the daemon delivered everything before the kill: the test needs more "
                        "entries")
        # Entries appended while it is down are read after the restart too.
        self.write_journal([self.entry(f"order {i} refused", pid=600, priority=3)
                            for i in range(total, total + 100)])
        with self.daemon(cfg) as d:
            self.wait_records(d, lambda rs: len(set(self.order_numbers(rs))) == total + 100,
                              "not every entry arrived after the restart", timeout=60)
            self.assertEqual(d.stop(), 0)
        got = self.order_numbers(self.records())
        self.assertEqual(set(got), set(range(total + 100)), "entries were skipped")
        repeated = len(got) - len(set(got))
        print(f"\njournald SIGKILL: {len(set(at_kill))} of {total} delivered at the kill, "
              f"{repeated} repeated after the restart (batch {MAX_RECORDS})")
        self.assertLessEqual(repeated, MAX_RECORDS, "more than one batch was repeated")
        # Each record id is the same when its entry is read again.
        ids = collections.defaultdict(set)
        for r in self.records():
            ids[r["metadata"]["source"]["cursor"]].add(r["error_id"])
        self.assertTrue(all(len(v) == 1 for v in ids.values()), "a repeated entry got a new id")

    def test_reload_neither_rereads_nor_skips(self):
        self.write_journal([self.entry(f"order {i} refused", priority=3) for i in range(30)])
        cfg = self.config()
        with self.daemon(cfg) as d:
            self.wait_records(d, lambda rs: len(self.order_numbers(rs)) == 30,
                              "the first entries did not arrive")
            # A reload drains this generation and starts the next from the stored cursor, while
            # entries keep coming.
            cfg["inputs"][0]["tags"] = ["reloaded"]
            lib.write_config(self.tmp.join("config.yaml"), cfg)
            d.send_signal(signal.SIGHUP)
            self.write_journal([self.entry(f"order {i} refused", priority=3)
                                for i in range(30, 60)])
            self.wait_records(d, lambda rs: sorted(set(self.order_numbers(rs))) == list(range(60)),
                              "entries written across the reload did not all arrive")
            lib.wait_for(lambda: "reloaded" in d.stderr_text(), 5.0,
                         lambda: f"the reload was not logged\n{d.describe()}")
            self.assertEqual(d.stop(), 0)
        got = self.order_numbers(self.records())
        self.assertEqual(len(got), len(set(got)), "an entry was read twice across the reload")
        self.assertIn("reloaded", self.records()[-1]["tags"])

    def test_metrics_per_journal_input(self):
        self.write_journal([self.entry("order 1 refused", priority=3),
                            self.entry("all good", priority=6)])
        cfg = self.config()
        cfg["inputs"].insert(0, {"paths": [self.tmp.join("logs", "*.log")]})
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        with self.daemon(cfg) as d:
            self.wait_records(d, lambda rs: len(rs) == 1, "the record did not arrive")
            port = lib.metrics_port(d)
            samples = lambda: lib.scrape_metrics(port)  # noqa: E731
            # The journal input is the second of `inputs:`.
            lib.wait_for(lambda: samples().get(
                ("homeostasisd_journal_entries_read_total", (("input", "1"),))) == 2, 5.0,
                "homeostasisd_journal_entries_read_total{input=\"1\"} is not 2")
            s = samples()
            self.assertEqual(s.get(("homeostasisd_journal_open", (("input", "1"),))), 1)
            self.assertEqual(s.get(("homeostasisd_journal_read_errors_total", (("input", "1"),))),
                             0)
            lib.wait_for(lambda: samples().get(
                ("homeostasisd_checkpoint_lag_entries", (("input", "1"),))) == 0, 5.0,
                "the journal input's checkpoint lag did not come down to 0")
            self.assertEqual(d.stop(), 0)

    def test_check_validates_journald_inputs(self):
        path = self.tmp.join("bad.yaml")
        with open(path, "w") as f:
            f.write("inputs:\n"
                    "  - type: journald\n"
                    "    units: ['web *']\n"
                    "    paths: [/var/log/x.log]\n")
        r = lib.run_cmd("check", "--config", path)
        self.assertEqual(r.code, lib.EXIT_CONFIG, r.describe())
        self.assertIn(f"{path}:3:13: unit name 'web *' must not contain spaces", r.stderr)
        self.assertIn(f"{path}:4:5: unknown key 'paths' in journald input", r.stderr)
        good = lib.write_config(self.tmp.join("good.yaml"), self.config(units=["checkout"]))
        r = lib.run_cmd("check", "--config", good)
        self.assertEqual(r.code, lib.EXIT_OK, r.describe())
        self.assertIn("input 1: journald, format auto, service checkout-api", r.stdout)
        self.assertIn(f"  journal {self.journal_dir}\n  unit checkout.service\n", r.stdout)


if __name__ == "__main__":
    lib.main()
