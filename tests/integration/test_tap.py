#!/usr/bin/python3
"""`homeostasisd tap` against a running daemon: a record appended to a followed file appears
in tap's output within 2 s, the same record the transport got; the service, level and
fingerprint filters; tap reconnecting across a SIGHUP reload; no daemon, bad options."""

import json
import os
import queue
import signal
import subprocess
import threading
import time
import unittest

import homeo_testlib as h

ARRIVAL_LIMIT_S = 2.0
GIVE_UP_S = 10.0


def error_line(text, level="ERROR", module="app.live"):
    return f"2023-05-20 15:00:00,000 - {module} - {level} - {text}\n"


class Tap:
    """`homeostasisd tap` in the background; its stdout and stderr lines in queues."""

    def __init__(self, config_path, *args):
        self.proc = subprocess.Popen([h.binary_path(), "tap", "--config", config_path, *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=h.child_env(), text=True)
        self.out = queue.Queue()
        self.err_lines = []
        self._err_cv = threading.Condition()
        threading.Thread(target=self._pump_out, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump_out(self):
        for line in self.proc.stdout:
            self.out.put(line.rstrip("\n"))
        self.out.put(None)

    def _pump_err(self):
        for line in self.proc.stderr:
            with self._err_cv:
                self.err_lines.append(line)
                self._err_cv.notify_all()

    def stderr_text(self):
        with self._err_cv:
            return "".join(self.err_lines)

    def wait_stderr(self, word, timeout=GIVE_UP_S):
        deadline = time.monotonic() + timeout
        with self._err_cv:
            while word not in "".join(self.err_lines):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and word not in "".join(
                        self.err_lines):
                    raise AssertionError(f"tap never said {word!r}; stderr:\n"
                                         f"{''.join(self.err_lines)}")
                self._err_cv.wait(min(left, 0.1))

    def record(self, timeout=GIVE_UP_S):
        try:
            line = self.out.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"tap printed no record within {timeout} s; stderr:\n"
                                 f"{self.stderr_text()}") from None
        if line is None:
            raise AssertionError(f"tap ended (status {self.proc.wait()}) without a record; "
                                 f"stderr:\n{self.stderr_text()}")
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class TapTest(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir(prefix="homeo-tap-it-")
        self.addCleanup(self.tmp.cleanup)
        self.out = self.tmp.join("out", "errors.jsonl")
        os.makedirs(os.path.dirname(self.out))
        self.config_path = self.tmp.join("config.yaml")

    def config(self, services=("it-service",)):
        cfg = h.daemon_config(self.tmp.path, "unused", self.out)
        cfg["inputs"] = [{"paths": [os.path.join(self.tmp.mkdir("logs", s), "*.log")],
                          "format": "python", "service": s, "read_from": "beginning"}
                         for s in services]
        cfg["min_level"] = "WARNING"
        return cfg

    def log(self, service):
        return self.tmp.join("logs", service, "app.log")

    def tap(self, *args):
        t = Tap(self.config_path, *args)
        self.addCleanup(t.close)
        return t

    def test_a_record_appended_appears_in_tap_within_2_s(self):
        cfg = self.config()
        with h.DaemonProcess(cfg, self.config_path) as d:
            t = self.tap("--count", "1")
            t.wait_stderr("following")
            written = time.monotonic()
            h.append_text(self.log("it-service"), error_line("KeyError: 'user_id' n=1"))
            record = t.record()
            elapsed = time.monotonic() - written
            self.assertLess(elapsed, ARRIVAL_LIMIT_S, f"took {elapsed:.2f} s")
            self.assertEqual(t.proc.wait(timeout=GIVE_UP_S), h.EXIT_OK, t.stderr_text())
            self.assertEqual(record["message"], "KeyError: 'user_id' n=1")
            self.assertEqual(record["service"], "it-service")
            # The same record the transport got: tapping copies, it does not take.
            h.wait_for(lambda: os.path.exists(self.out) and h.read_ndjson(self.out), GIVE_UP_S,
                       lambda: f"the transport got nothing\n{d.describe()}")
            shipped = h.read_ndjson(self.out)
            self.assertEqual([r["error_id"] for r in shipped], [record["error_id"]])
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

    def test_filters_by_service_level_and_fingerprint(self):
        cfg = self.config(services=("api", "worker"))
        with h.DaemonProcess(cfg, self.config_path) as d:
            t = self.tap("--service", "worker", "--level", "CRITICAL", "--count", "1")
            t.wait_stderr("following")
            h.append_text(self.log("worker"), error_line("ValueError: not this, an ERROR"))
            h.append_text(self.log("api"), error_line("ValueError: not this, api",
                                                      level="CRITICAL"))
            h.append_text(self.log("worker"), error_line("ValueError: this one",
                                                         level="CRITICAL"))
            record = t.record()
            self.assertEqual(record["message"], "ValueError: this one")
            self.assertEqual(record["level"], "CRITICAL")
            self.assertEqual(t.proc.wait(timeout=GIVE_UP_S), h.EXIT_OK, t.stderr_text())

            # By fingerprint: the same error again (another number) is taken, another is not.
            fp = record["metadata"]["fingerprint"]
            t2 = self.tap("--fingerprint", fp, "--count", "1")
            t2.wait_stderr("following")
            h.append_text(self.log("api"), error_line("KeyError: 'other'", level="CRITICAL"))
            h.append_text(self.log("worker"), error_line("ValueError: this one",
                                                         level="CRITICAL"))
            again = t2.record()
            self.assertEqual(again["metadata"]["fingerprint"], fp)
            self.assertEqual(again["message"], "ValueError: this one")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

    def test_tap_reconnects_across_a_reload(self):
        cfg = self.config()
        with h.DaemonProcess(cfg, self.config_path) as d:
            t = self.tap("--count", "2")
            t.wait_stderr("following")
            h.append_text(self.log("it-service"), error_line("ValueError: before n=1"))
            self.assertEqual(t.record()["message"], "ValueError: before n=1")
            d.send_signal(signal.SIGHUP)
            t.wait_stderr("reconnecting")
            h.wait_for(lambda: "reloaded" in d.stderr_text(), GIVE_UP_S,
                       lambda: f"no reload\n{d.describe()}")
            # Records of the moments between the generations are not tapped (tap is a view,
            # not a delivery): the next record is written once tap is attached again.
            t.wait_stderr("reconnected")
            h.append_text(self.log("it-service"), error_line("ValueError: after n=2"))
            self.assertEqual(t.record()["message"], "ValueError: after n=2")
            self.assertEqual(t.proc.wait(timeout=GIVE_UP_S), h.EXIT_OK, t.stderr_text())
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

    def test_without_a_daemon_and_with_bad_options(self):
        h.write_config(self.config_path, self.config())
        r = h.run_cmd("tap", "--config", self.config_path)
        self.assertEqual(r.code, h.EXIT_FAILURE, r.describe())
        self.assertIn("no daemon answers on", r.stderr)
        self.assertIn("tap.sock", r.stderr)
        for args in (["--count", "x"], ["--count", "0"], ["--level", "LOUD"], ["--speed", "1"]):
            r = h.run_cmd("tap", "--config", self.config_path, *args)
            self.assertEqual(r.code, h.EXIT_USAGE, f"{args}: {r.describe()}")
        r = h.run_cmd("tap")
        self.assertEqual(r.code, h.EXIT_USAGE, r.describe())


if __name__ == "__main__":
    h.main()
