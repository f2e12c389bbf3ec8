"""The daemon (`homeostasisd run`) with a file transport in a temp dir: backlog, following,
new files, SIGTERM, restarts with checkpoints, SIGHUP reloads, start-up failures.

Run: /usr/bin/python3 tests/integration/test_daemon.py  (HOMEO_BIN names the binary).
"""

import os
import re
import signal
import subprocess
import time
import unittest
import uuid

import homeo_testlib as h

# A line appended to a followed file must arrive within this (INTERFACE.md: within a second).
ARRIVAL_LIMIT_S = 1.0
# How long to wait before declaring that something never arrived (for a clear message).
GIVE_UP_S = 10.0


def error_line(text, when="2023-05-20 15:00:00,000", module="app.live"):
    return f"{when} - {module} - ERROR - {text}\n"


class DaemonTestCase(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.out = self.tmp.join("out", "errors.jsonl")
        os.makedirs(os.path.dirname(self.out))
        self.config_path = self.tmp.join("config.yaml")

    def config(self, **overrides):
        return h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out,
                               **overrides)

    def daemon(self, config=None, **kwargs):
        return h.DaemonProcess(config if config is not None else self.config(),
                               self.config_path, **kwargs)

    def records(self):
        return h.read_ndjson(self.out)

    def wait_count(self, n, daemon, timeout=GIVE_UP_S):
        return h.wait_for(lambda: len(self.records()) >= n and self.records(), timeout,
                          lambda: f"expected {n} records in {self.out}, have "
                                  f"{len(self.records())}\n{daemon.describe()}")

    def wait_marker(self, marker, daemon, timeout=GIVE_UP_S):
        def found():
            return [r for r in self.records() if marker in r.get("message", "")]
        return h.wait_for(found, timeout,
                          lambda: f"no record with {marker!r} in {self.out} "
                                  f"({len(self.records())} records)\n{daemon.describe()}")

    def append_and_time(self, path, marker, daemon):
        """Appends an ERROR line holding marker; returns (records with it, seconds taken)."""
        h.append_text(path, error_line(f"appended {marker}"))
        start = time.monotonic()
        found = self.wait_marker(marker, daemon)
        return found, time.monotonic() - start

    def assert_no_duplicates(self, records):
        ids = [r["error_details"]["error_id"] for r in records]
        self.assertEqual(len(ids), len(set(ids)), "a record was delivered twice (error_id)")
        where = [(r["metadata"]["source"]["path"], r["metadata"]["source"]["offset"])
                 for r in records]
        self.assertEqual(len(where), len(set(where)), f"a source offset repeats: {where}")

    def assert_valid(self, records, what="daemon"):
        h.validator().assert_valid(self, records, what)


class FollowTest(DaemonTestCase):

    def test_backlog_append_new_file_and_sigterm(self):
        with open(h.data_file("python_logging.log"), encoding="utf-8") as f:
            backlog = f.read()
        app_log = self.tmp.write("logs/app.log", backlog)
        expected = h.load_expectations("python_logging.log")

        with self.daemon() as d:
            # The backlog of a file found at first start, read from the beginning.
            records = self.wait_count(expected["count"], d)
            self.assert_valid(records, "backlog")
            parsed = h.run_parse("--min-level", "ERROR", h.data_file("python_logging.log"))
            self.assertEqual([r["message"] for r in records],
                             [r["message"] for r in parsed.records],
                             "the daemon and `parse` make the same records")
            for r in records:
                self.assertEqual(r["service"], "it-service")
                self.assertEqual(r.get("tags"), ["it"])
                self.assertEqual(os.path.realpath(r["metadata"]["source"]["path"]),
                                 os.path.realpath(app_log))
            self.assertEqual(records[0]["error_details"]["detailed_frames"][-1]["line"], 17)

            # A line appended to a followed file.
            marker = uuid.uuid4().hex
            found, took = self.append_and_time(app_log, marker, d)
            self.assertEqual(len(found), 1)
            self.assertLessEqual(took, ARRIVAL_LIMIT_S,
                                 f"an appended line took {took:.3f}s to arrive")
            self.assertEqual(found[0]["metadata"]["source"]["offset"], len(backlog.encode()))

            # A file created in the watched directory after start; one that does not match
            # the glob, created just before it, is not read.
            h.append_text(os.path.join(self.logs, "ignored.txt"), error_line("not watched"))
            marker = uuid.uuid4().hex
            new_log = os.path.join(self.logs, "new.log")
            h.append_text(new_log, error_line(f"new file {marker}"))
            start = time.monotonic()
            found = self.wait_marker(marker, d)
            took = time.monotonic() - start
            self.assertLessEqual(took, ARRIVAL_LIMIT_S,
                                 f"a new file's line took {took:.3f}s to arrive")
            self.assertEqual(os.path.realpath(found[0]["metadata"]["source"]["path"]),
                             os.path.realpath(new_log))
            self.assertEqual(found[0]["metadata"]["source"]["offset"], 0)

            started = time.monotonic()
            code = d.stop(timeout=10)
            stopped_in = time.monotonic() - started
        self.assertEqual(code, 0, f"SIGTERM exit status\n{d.describe()}")
        self.assertLess(stopped_in, 5.0, "SIGTERM took longer than the drain timeout")
        records = self.records()
        self.assert_valid(records, "after stop")
        self.assert_no_duplicates(records)
        self.assertEqual(len(records), expected["count"] + 2)
        self.assertFalse([r for r in records if "not watched" in r["message"]])

    def test_multiline_event_is_one_record(self):
        app_log = self.tmp.write("logs/app.log", "")
        with self.daemon() as d:
            marker = uuid.uuid4().hex
            # Written in two steps, as a logging handler might: the traceback follows later.
            h.append_text(app_log, error_line(f"failed {marker}"))
            h.append_text(app_log, "Traceback (most recent call last):\n"
                                   '  File "/srv/app/jobs.py", line 12, in run\n'
                                   "    job()\n"
                                   "ValueError: bad job\n")
            found = self.wait_marker("bad job", d)
            self.assertEqual(len(found), 1)
            self.assertEqual(found[0]["exception_type"], "ValueError")
            self.assertEqual(found[0]["error_details"]["detailed_frames"][-1]["line"], 12)
            # Nothing else turns up: the traceback was not split into records of its own.
            marker2 = uuid.uuid4().hex
            h.append_text(app_log, error_line(f"after {marker2}"))
            self.wait_marker(marker2, d)
            self.assertEqual(len(self.records()), 2, [r["message"] for r in self.records()])
            self.assertEqual(d.stop(), 0)

    def test_read_from_end(self):
        app_log = self.tmp.write("logs/app.log", error_line("old news, before first start"))
        cfg = self.config()
        cfg["inputs"][0]["read_from"] = "end"
        with self.daemon(cfg) as d:
            marker = uuid.uuid4().hex
            h.append_text(app_log, error_line(f"fresh {marker}"))
            self.wait_marker(marker, d)
            self.assertEqual(d.stop(), 0)
        self.assertFalse([r for r in self.records() if "old news" in r["message"]],
                         "read_from: end sent a line written before the first start")
        # Known files continue from their checkpoint, not from the end, after a restart.
        marker = uuid.uuid4().hex
        h.append_text(app_log, error_line(f"while stopped {marker}"))
        with self.daemon(cfg) as d:
            self.wait_marker(marker, d)
            self.assertEqual(d.stop(), 0)
        self.assertEqual(len(self.records()), 2)


class RestartTest(DaemonTestCase):

    def test_restart_does_not_resend(self):
        with open(h.data_file("python_logging.log"), encoding="utf-8") as f:
            app_log = self.tmp.write("logs/app.log", f.read())
        other_log = self.tmp.write("logs/other.log", error_line("other file's error"))
        first_count = h.load_expectations("python_logging.log")["count"] + 1

        with self.daemon() as d:
            self.wait_count(first_count, d)
            self.assertEqual(d.stop(), 0)
        before = self.records()
        self.assertEqual(len(before), first_count)

        stopped_marker = uuid.uuid4().hex
        h.append_text(app_log, error_line(f"while stopped {stopped_marker}"))

        with self.daemon() as d:
            # What was written while stopped arrives ...
            self.wait_marker(stopped_marker, d)
            # ... and once both files have shown they are followed, nothing old came again.
            markers = [uuid.uuid4().hex, uuid.uuid4().hex]
            h.append_text(app_log, error_line(f"after restart {markers[0]}"))
            h.append_text(other_log, error_line(f"after restart {markers[1]}"))
            for m in markers:
                self.wait_marker(m, d)
            self.assertEqual(d.stop(), 0)
        after = self.records()
        self.assert_valid(after, "after restart")
        self.assert_no_duplicates(after)
        self.assertEqual(len(after), first_count + 3, [r["message"] for r in after])
        self.assertEqual(after[:first_count], before, "records before the restart were changed")

    def test_sigterm_with_a_batch_open_loses_nothing(self):
        with open(h.data_file("python_logging.log"), encoding="utf-8") as f:
            self.tmp.write("logs/app.log", f.read())
        count = h.load_expectations("python_logging.log")["count"]
        slow = self.config(batch={"max_records": 1000, "max_bytes": 1048576,
                                  "max_wait_ms": 60000})
        with self.daemon(slow) as d:
            started = time.monotonic()
            code = d.stop(timeout=10)
            self.assertLess(time.monotonic() - started, 5.0,
                            "SIGTERM waited for the batch instead of flushing it")
            self.assertEqual(code, 0, d.describe())
        # Whatever was read before SIGTERM was flushed; the rest was not checkpointed, so a
        # restart sends it. Either way every record arrives exactly once.
        with self.daemon() as d:
            self.wait_count(count, d)
            marker = uuid.uuid4().hex
            h.append_text(self.tmp.join("logs", "app.log"), error_line(f"end {marker}"))
            self.wait_marker(marker, d)
            self.assertEqual(d.stop(), 0)
        records = self.records()
        self.assert_no_duplicates(records)
        self.assertEqual(len(records), count + 1, [r["message"] for r in records])


class ReloadTest(DaemonTestCase):

    def test_sighup_reloads_and_keeps_old_config_when_invalid(self):
        app_log = self.tmp.write("logs/app.log", "")
        with self.daemon() as d:
            cfg = self.config()
            cfg["inputs"][0]["tags"] = ["reloaded"]
            h.write_config(self.config_path, cfg)
            d.send_signal(signal.SIGHUP)

            # Until the reload is applied records carry the old tags; keep writing until one
            # carries the new ones.
            deadline = time.monotonic() + GIVE_UP_S
            reloaded = []
            while not reloaded:
                self.assertTrue(d.alive(), f"the daemon died on SIGHUP\n{d.describe()}")
                self.assertLess(time.monotonic(), deadline,
                                f"no record with the reloaded tags\n{d.describe()}")
                marker = uuid.uuid4().hex
                h.append_text(app_log, error_line(f"probe {marker}"))
                found = self.wait_marker(marker, d)
                reloaded = [r for r in found if r.get("tags") == ["reloaded"]]

            # An invalid new config is reported (FILE:LINE:COL) and the old one kept.
            with open(self.config_path, "a", encoding="utf-8") as f:
                f.write("no_such_key: 1\n")
            bad_line = len(h.read_text(self.config_path).splitlines())
            d.send_signal(signal.SIGHUP)
            pattern = re.compile(rf"{re.escape(self.config_path)}:{bad_line}:\d+:")
            h.wait_for(lambda: pattern.search(d.stderr_text()), GIVE_UP_S,
                       lambda: f"the invalid config was not reported\n{d.describe()}")
            self.assertTrue(d.alive(), f"an invalid reload stopped the daemon\n{d.describe()}")
            marker = uuid.uuid4().hex
            h.append_text(app_log, error_line(f"still running {marker}"))
            found = self.wait_marker(marker, d)
            self.assertEqual(found[0].get("tags"), ["reloaded"])
            self.assertEqual(d.stop(), 0)
        self.assert_no_duplicates(self.records())


class StartupFailureTest(DaemonTestCase):

    def run_to_exit(self, config, timeout=10):
        d = self.daemon(config, wait_ready=False)
        d.start()
        try:
            d.proc.wait(timeout=timeout)
        except Exception:
            d.stop()
            self.fail(f"the daemon kept running with a bad set-up\n{d.describe()}")
        code = d.stop()
        return code, d

    def test_invalid_config_exits_78(self):
        text = h.to_yaml(self.config()) + "\nunknown_key: true\n"
        line = text.splitlines().index("unknown_key: true") + 1
        code, d = self.run_to_exit(text)
        self.assertEqual(code, h.EXIT_CONFIG, d.describe())
        self.assertRegex(d.stderr_text(), rf"{re.escape(self.config_path)}:{line}:1: ")

    def test_state_dir_that_cannot_be_created_exits_73(self):
        blocker = self.tmp.write("not-a-dir", "a file where a directory should be\n")
        code, d = self.run_to_exit(self.config(state_dir=os.path.join(blocker, "state")))
        self.assertEqual(code, h.EXIT_CANTCREAT, d.describe())
        self.assertIn(blocker, d.stderr_text())


class ExampleTest(unittest.TestCase):
    """`make run`: examples/run-example.sh runs the daemon on the bundled example config."""

    def test_run_example_script(self):
        with h.TempDir() as tmp:
            out, err = tmp.join("stdout"), tmp.join("stderr")
            env = h.child_env({"HOMEO_EXAMPLE_STATE": tmp.join("state")})
            script = os.path.join(h.REPO_DIR, "examples", "run-example.sh")
            with open(out, "wb") as fo, open(err, "wb") as fe:
                proc = subprocess.Popen(["bash", script, h.require_binary()],
                                        stdin=subprocess.DEVNULL, stdout=fo, stderr=fe, env=env)
            try:
                def describe():
                    return (f"--- stderr ---\n{h.read_text(err)[-3000:]}\n"
                            f"--- stdout ---\n{h.read_text(out)[-3000:]}")
                # Every error of the example logs (2 in app.log, 2 in events.jsonl, 2 in
                # worker.log), from their beginning, on stdout.
                records = h.wait_for(lambda: len(h.read_ndjson(out)) >= 6 and h.read_ndjson(out),
                                     GIVE_UP_S, lambda: f"the example printed too few records\n"
                                                        f"{describe()}")
                self.assertIsNone(proc.poll(), "the example daemon stopped by itself")
                h.validator().assert_valid(self, records, "example")
                self.assertEqual(len(records), 6)
                self.assertIn("append a line to examples/logs/app.log", h.read_text(err))
                proc.send_signal(signal.SIGINT)
                try:
                    code = proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.fail(f"the example did not stop on SIGINT\n{describe()}")
                self.assertEqual(code, 0, describe())
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()


if __name__ == "__main__":
    h.main()
