"""The sqlite transport: 50,000 records from two files with a daemon restart in the middle, read
back with Python's sqlite3 module exactly and in line order (and while the daemon writes, as WAL
allows); the README's query; a database path that cannot be opened until it is fixed."""

import datetime
import os
import sqlite3
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_dbtest as db  # noqa: E402
import homeo_testlib as h  # noqa: E402


def epoch(ts):
    if ts is None:
        return None
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


class SqliteTransportTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.out = self.tmp.join("out", "errors.jsonl")
        self.db_path = self.tmp.join("db", "errors.db")
        self.config_path = self.tmp.join("config.yaml")

    def config(self, db_path):
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out)
        cfg["inputs"] = [{"paths": [os.path.join(self.logs, f"{name}.log")], "format": "bracket",
                          "read_from": "beginning", "service": service}
                         for name, service in (("a", "alpha"), ("b", "beta"))]
        cfg["transports"] = [{"type": "sqlite", "path": db_path},
                             {"type": "file", "path": self.out}]
        cfg["batch"] = {"max_records": 500, "max_bytes": 4194304, "max_wait_ms": 100}
        return cfg

    def query(self, sql):
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def count(self):
        try:
            return self.query("SELECT count(*) FROM error_records")[0][0]
        except sqlite3.Error:
            return 0  # not created yet

    def test_50k_records_across_a_daemon_restart_exactly_in_line_order(self):
        per_file = 25_000
        total = 2 * per_file
        chunk = 1_000
        cfg = self.config(self.db_path)
        services = {"a": "alpha", "b": "beta"}

        def write(start, stop):
            for s in range(start, stop, chunk):
                for name in ("a", "b"):
                    h.append_text(os.path.join(self.logs, f"{name}.log"),
                                  db.numbered_lines(name, services[name], s, s + chunk))

        write(0, 10_000)
        with h.DaemonProcess(cfg, self.config_path) as d:
            # More lines while it works; read (WAL: alongside the writer) until half is in.
            writer = threading.Thread(target=write, args=(10_000, 15_000), daemon=True)
            writer.start()
            h.wait_for(lambda: self.count() >= 12_000, 60,
                       lambda: f"{self.count()} rows\n{d.describe()}", interval=0.05)
            writer.join(timeout=60)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        at_restart = self.count()
        write(15_000, per_file)
        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: self.count() >= total and len(h.read_ndjson(self.out)) >= total,
                       120, lambda: f"{self.count()} rows, {len(h.read_ndjson(self.out))} in "
                                    f"the file, of {total}\n{d.describe()}", interval=0.2)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

        file_records = {r["error_details"]["error_id"]: r for r in h.read_ndjson(self.out)}
        self.assertEqual(len(file_records), total)
        raw = self.query("SELECT id, ts, service, level, exception_type, fingerprint, record "
                         "FROM error_records ORDER BY id")
        rows = [(i, epoch(ts), s, lv, t, fp, h.parse_ndjson(rec, "record column")[0])
                for i, ts, s, lv, t, fp, rec in raw]
        duplicates = db.check_rows(self, rows, ("a", "b"), per_file, file_records)
        sys.stderr.write(f"\nsqlite: {len(rows)} rows for {total} records, restart at "
                         f"{at_restart} rows\n")
        self.assertEqual(duplicates, 0, "a SIGTERM restart repeats nothing")
        self.assertEqual(len(rows), total)
        for _, ts, *_ in raw[:5]:
            self.assertRegex(ts, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(self.query("PRAGMA journal_mode")[0][0], "wal")

        # The README's query, on these rows.
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        got = self.query(db.readme_query("Top error types per service over the last hour "
                                         "(SQLite)"))
        want = db.expected_top_types([(r[1], r[2], r[4]) for r in rows], now)
        self.assertEqual(got, want)
        self.assertEqual(len([1 for s, _, _ in got if s == "alpha"]), 4, "the tie for third")

    def test_a_path_it_cannot_open_is_retried_until_fixed(self):
        blocker = self.tmp.write("blocked", "a file where a directory should be\n")
        db_path = os.path.join(blocker, "errors.db")
        h.append_text(os.path.join(self.logs, "a.log"), db.numbered_lines("a", "alpha", 0, 300))
        with h.DaemonProcess(self.config(db_path), self.config_path) as d:
            h.wait_for(lambda: "retrying" in d.stderr_text(), 20,
                       lambda: f"no retry logged\n{d.describe()}")
            self.assertIn(db_path, d.stderr_text())
            os.remove(blocker)
            self.db_path = db_path
            h.wait_for(lambda: self.count() >= 300, 60,
                       lambda: f"{self.count()} rows\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        numbers = [int(db.NUMBER.search(m).group(2))
                   for (m,) in self.query("SELECT json_extract(record, '$.message') "
                                          "FROM error_records ORDER BY id")]
        self.assertEqual(numbers, list(range(300)))


if __name__ == "__main__":
    h.main()
