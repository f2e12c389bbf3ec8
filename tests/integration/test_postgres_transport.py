"""The postgres transport against a real PostgreSQL server the test starts on loopback (Debian's
postgresql package, run as the postgres user): 50,000 records from two files while the server
is stopped twice (fast, then immediate: crash-like) and started again, read back exactly and in
line order; the README's query; a batch the server rejects going to the dead-letter file; the
password kept out of every log."""

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_dbtest as db  # noqa: E402
import homeo_testlib as h  # noqa: E402

PASSWORD = "pg-s3cret-never-logged"
SEP = "\x1f"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway cluster in a temp dir: TCP on 127.0.0.1 with password (scram) auth, its
    Unix socket in the temp dir with trust auth for the test's own psql."""

    def __init__(self):
        found = glob.glob("/usr/lib/postgresql/*/bin/postgres")
        if not found:
            raise AssertionError("PostgreSQL server not found (/usr/lib/postgresql/<version>/bin/"
                                 "postgres): install the Debian package postgresql "
                                 "(scripts/install-deps.sh does)")
        newest = max(found, key=lambda p: int(re.search(r"/postgresql/(\d+)/", p).group(1)))
        self.bin = os.path.dirname(newest)
        self.root = tempfile.mkdtemp(prefix="homeo-pg-")
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "server.log")
        self.port = free_port()
        self.running = False
        self.as_root = os.geteuid() == 0
        if self.as_root:  # postgres refuses to run as root
            try:
                user = pwd.getpwnam("postgres")
            except KeyError as e:
                raise AssertionError("no 'postgres' user: install the Debian package "
                                     "postgresql") from e
            os.chown(self.root, user.pw_uid, user.pw_gid)
        os.chmod(self.root, 0o700)

    def _run(self, *args, check=True, timeout=60):
        argv = (["runuser", "-u", "postgres", "--"] if self.as_root else []) + list(args)
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd="/")
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stdout}\n"
                                 f"{p.stderr}\n--- server log ---\n{self.log_text()[-3000:]}")
        return p

    def log_text(self):
        return h.read_text(self.log)

    def init(self):
        self._run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres",
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                  "--locale=C", "--no-sync")

    def start(self):
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                f"-c unix_socket_permissions=0777")
        self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-w",
                  "-t", "60", "-o", opts, "start")
        self.running = True

    def stop(self, mode="fast"):
        self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop")
        self.running = False

    def cleanup(self):
        if self.running:
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate",
                      "-w", "stop", check=False)
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def psql(self, sql, database="homeo"):
        """Runs sql through psql on the Unix socket (as postgres, trust); returns the rows,
        each a list of column texts."""
        p = subprocess.run(
            [os.path.join(self.bin, "psql"), "-h", self.root, "-p", str(self.port), "-U",
             "postgres", "-d", database, "-X", "-q", "-A", "-t", "-F", SEP, "-v",
             "ON_ERROR_STOP=1", "-f", "-"],
            input=sql, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError(f"psql failed ({p.returncode}): {p.stderr}\nSQL: {sql[:2000]}")
        return [line.split(SEP) for line in p.stdout.splitlines() if line]

    def count(self, table="error_records"):
        try:
            return int(self.psql(f"SELECT count(*) FROM {table}")[0][0])
        except AssertionError:
            return 0  # not created yet, or the server is down


class PostgresTransportTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.server = PostgresServer()
        self.addCleanup(self.server.cleanup)
        self.server.init()
        self.server.start()
        self.server.psql(f"CREATE ROLE homeo LOGIN PASSWORD '{PASSWORD}';\n"
                         "CREATE DATABASE homeo OWNER homeo;", database="postgres")
        self.logs = self.tmp.mkdir("logs")
        self.out = self.tmp.join("out", "errors.jsonl")
        self.state = self.tmp.join("state")
        self.config_path = self.tmp.join("config.yaml")
        self.env = {"HOMEO_PG_PASSWORD": PASSWORD}

    def dsn(self):
        return f"postgresql://homeo:${{HOMEO_PG_PASSWORD}}@127.0.0.1:{self.server.port}/homeo"

    def config(self, transports, files=("a", "b")):
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out)
        services = {"a": "alpha", "b": "beta"}
        cfg["inputs"] = [{"paths": [os.path.join(self.logs, f"{name}.log")], "format": "bracket",
                          "read_from": "beginning", "service": services[name]}
                         for name in files]
        cfg["transports"] = transports
        cfg["batch"] = {"max_records": 500, "max_bytes": 4194304, "max_wait_ms": 100}
        return cfg

    def read_rows(self):
        rows = []
        for cols in self.server.psql(
                "SELECT id, extract(epoch FROM ts), service, level, exception_type, "
                "fingerprint, record::text FROM error_records ORDER BY id"):
            def opt(v):
                return v if v != "" else None
            rows.append((int(cols[0]), float(cols[1]) if cols[1] else None, opt(cols[2]),
                         opt(cols[3]), opt(cols[4]), opt(cols[5]),
                         h.parse_ndjson(cols[6], "record column")[0]))
        return rows

    def test_50k_records_through_a_server_restart_none_lost_in_line_order(self):
        per_file = 25_000
        total = 2 * per_file
        chunk = 1_000
        cfg = self.config([{"type": "postgres", "dsn": self.dsn(), "connect_timeout_ms": 2000,
                            "timeout_ms": 10000},
                           {"type": "file", "path": self.out}])
        services = {"a": "alpha", "b": "beta"}
        stop_writing = threading.Event()

        def writer():
            # Paced, so that the server stop below comes while batches are being inserted.
            for start in range(0, per_file, chunk):
                for name in ("a", "b"):
                    h.append_text(os.path.join(self.logs, f"{name}.log"),
                                  db.numbered_lines(name, services[name], start, start + chunk))
                if stop_writing.wait(0.08):
                    return

        thread = threading.Thread(target=writer, daemon=True)
        self.addCleanup(thread.join)
        self.addCleanup(stop_writing.set)
        stops = []
        with h.DaemonProcess(cfg, self.config_path, env=self.env) as d:
            thread.start()
            # A clean fast stop, then a crash-like immediate one (no checkpoint, recovery on
            # start), each while batches are being inserted.
            for rows_before, mode in ((15_000, "fast"), (35_000, "immediate")):
                h.wait_for(lambda: self.server.count() >= rows_before, 60,
                           lambda: f"{self.server.count()} rows\n{d.describe()}", interval=0.05)
                retries = d.stderr_text().count("retrying")
                stops.append((mode, self.server.count()))
                self.server.stop(mode)
                h.wait_for(lambda: d.stderr_text().count("retrying") > retries, 30,
                           lambda: f"the daemon did not notice the {mode} stop\n{d.describe()}")
                self.server.start()
            thread.join(timeout=120)
            self.assertFalse(thread.is_alive(), "the writer did not finish")
            h.wait_for(lambda: len(h.read_ndjson(self.out)) >= total and
                       self.server.count() >= total, 120,
                       lambda: f"{self.server.count()} rows, {len(h.read_ndjson(self.out))} "
                               f"in the file, of {total}\n{d.describe()}", interval=0.2)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()

        file_records = {r["error_details"]["error_id"]: r for r in h.read_ndjson(self.out)}
        self.assertEqual(len(file_records), total)
        rows = self.read_rows()
        duplicates = db.check_rows(self, rows, ("a", "b"), per_file, file_records)
        sys.stderr.write(f"\npostgres: {len(rows)} rows for {total} records, {duplicates} "
                         f"duplicates; server stops (mode, rows): {stops}\n")
        # Only a batch whose commit answer a stop cut off can come twice (one in flight each).
        self.assertLessEqual(duplicates, 500 * len(stops),
                             "more duplicates than one batch in flight per stop")
        self.assertIn(f"host=127.0.0.1 port={self.server.port}", stderr)
        self.assertNotIn(PASSWORD, stderr, "the password was logged")
        self.assertIn("password=***", stderr)

        # The README's query, on these rows.
        now = float(self.server.psql("SELECT extract(epoch FROM now())")[0][0])
        got = [(s, t, int(c)) for s, t, c in
               self.server.psql(db.readme_query(
                   "Top error types per service over the last hour (PostgreSQL)"))]
        # Repeated rows count in the table as they do here.
        want = db.expected_top_types([(r[1], r[2], r[4]) for r in rows], now)
        self.assertEqual(got, want)
        self.assertIn(("alpha", "KeyError"), [(s, t) for s, t, _ in got])
        if duplicates == 0:
            self.assertEqual(len([1 for s, _, _ in got if s == "alpha"]), 4, "the tie for third")

    def test_rejected_batch_goes_to_dead_letter_with_the_server_message(self):
        # The table from the README's DDL (create_table off), plus a check a record breaks.
        with open(os.path.join(h.REPO_DIR, "README.md"), encoding="utf-8") as f:
            ddl = re.search(r"```sql\n(CREATE TABLE IF NOT EXISTS error_records \(\n"
                            r"  id bigserial.*?)```", f.read(), re.S).group(1)
        self.server.psql("SET ROLE homeo;\n" + ddl + "ALTER TABLE error_records ADD CONSTRAINT "
                         "no_poison CHECK (record->>'message' NOT LIKE '%poison%');")
        total = 1200
        lines = db.numbered_lines("a", "alpha", 0, total).splitlines(keepends=True)
        lines[700] = lines[700].replace("f=a n=700", "poison f=a n=700")
        h.append_text(os.path.join(self.logs, "a.log"), "".join(lines))
        cfg = self.config([{"type": "postgres", "dsn": self.dsn(), "create_table": False}],
                          files=("a",))
        dead_letter = os.path.join(self.state, "dead-letter.jsonl")
        with h.DaemonProcess(cfg, self.config_path, env=self.env) as d:
            h.wait_for(lambda: self.server.count() + len(h.read_ndjson(dead_letter)) >= total,
                       30, lambda: f"{self.server.count()} rows, "
                                   f"{len(h.read_ndjson(dead_letter))} dead\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            self.assertNotIn(PASSWORD, d.stderr_text())

        dead = h.read_ndjson(dead_letter)
        dead_numbers = [int(db.NUMBER.search(x["record"]["message"]).group(2)) for x in dead]
        self.assertIn(700, dead_numbers)
        for line in dead:
            self.assertEqual(line["transport"], "postgres")
            self.assertIn("no_poison", line["reason"])
            self.assertIn("SQLSTATE 23514", line["reason"])
            self.assertLess(len(line["reason"]), 600, "the reason quotes the failing row")
            self.assertNotIn(PASSWORD, line["reason"])
        stored = [int(db.NUMBER.search(r[6]["message"]).group(2)) for r in self.read_rows()]
        self.assertEqual(sorted(stored + dead_numbers), list(range(total)),
                         "every record is in the table or the dead-letter file, once")
        self.assertEqual(stored, sorted(stored))

    def test_check_does_not_connect_and_bad_options_hide_the_password(self):
        self.server.stop()
        cfg = self.config([{"type": "postgres", "dsn": self.dsn()}], files=("a",))
        h.write_config(self.config_path, cfg)
        started = time.monotonic()
        r = h.run_cmd("check", "--config", self.config_path, env=self.env)
        self.assertEqual(r.code, h.EXIT_OK, r.describe())
        self.assertIn("transport: postgres", r.stdout)
        self.assertLess(time.monotonic() - started, 10)

        cfg = self.config([{"type": "postgres", "dsn": self.dsn() + "?colour=blue",
                            "table": "Errors", "timeout_ms": 0, "bogus": 1}], files=("a",))
        h.write_config(self.config_path, cfg)
        r = h.run_cmd("check", "--config", self.config_path, env=self.env)
        self.assertEqual(r.code, h.EXIT_CONFIG, r.describe())
        for needle in ("dsn is not a libpq connection string", "table must be", "timeout_ms",
                       "unknown key 'bogus'"):
            self.assertIn(needle, r.stderr, r.describe())
        self.assertNotIn(PASSWORD, r.stderr + r.stdout)


if __name__ == "__main__":
    h.main()
