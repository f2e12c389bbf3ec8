"""Reload and stop together: a storm of SIGHUPs while lines are written, SIGHUP while a SIGTERM
drain is in progress, SIGTERM while a reload is in progress. Every line carries a unique
number; whatever the signals, every number must arrive exactly once (after a restart where a
run was stopped), and the daemon must stay healthy or exit 0.

Run: /usr/bin/python3 tests/integration/test_signal_storms.py  (HOMEO_BIN names the binary).
"""

import collections
import os
import re
import signal
import sys
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402
from test_http_transport import Sink, make_server  # noqa: E402

NUMBER = re.compile(r"n=(\d+)")
# The log line of a new generation started by a reload.
RELOADED = re.compile(r" info reloaded$", re.M)
# How long to wait before declaring that something never happened (for a clear message).
GIVE_UP_S = 30.0


def error_lines(start, stop):
    return "".join(f"2023-05-20 15:00:00,000 - app.live - ERROR - KeyError: n={i}\n"
                   for i in range(start, stop))


def numbers_of(records):
    found = []
    for r in records:
        m = NUMBER.search(r.get("message", ""))
        if m:
            found.append(int(m.group(1)))
    return found


class SignalStormTestCase(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.log = os.path.join(self.logs, "app.log")
        self.out = self.tmp.join("out", "errors.jsonl")
        os.makedirs(os.path.dirname(self.out))
        self.config_path = self.tmp.join("config.yaml")

    def config(self, **overrides):
        return h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out,
                               **overrides)

    def http_sink(self, delay):
        sink = Sink(delay=delay)
        server = make_server(sink)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return sink, f"http://127.0.0.1:{server.server_address[1]}/errors"

    def assert_exactly_once(self, numbers, expected, what):
        counts = collections.Counter(numbers)
        lost = sorted(set(expected) - set(counts))
        doubled = sorted(n for n, c in counts.items() if c > 1)
        self.assertEqual((len(lost), len(doubled)), (0, 0),
                         f"{what}: {len(lost)} lost (first {lost[:10]}), {len(doubled)} doubled "
                         f"(first {doubled[:10]}) of {len(expected)}")

    def wait_stderr(self, d, pattern, after=0, timeout=GIVE_UP_S):
        """Waits for a daemon log line matching pattern past offset `after` of its stderr;
        returns the offset just past the match."""
        regex = re.compile(pattern, re.M)
        m = h.wait_for(lambda: regex.search(d.stderr_text(), after), timeout,
                       lambda: f"no log line matching {pattern!r}\n{d.describe()}")
        return m.end()

    def wait_exit(self, d, timeout, what):
        try:
            d.proc.wait(timeout=timeout)
        except Exception:
            d.proc.kill()
            d.proc.wait()
            self.fail(f"the daemon did not exit within {timeout}s {what}\n{d.describe()}")
        return d.stop()


class SighupStormTest(SignalStormTestCase):

    LINES = 5000
    SIGHUPS = 50
    STORM_S = 5.0

    def test_fifty_sighups_while_lines_are_written(self):
        cfg = self.config(metrics={"enabled": True, "listen": "127.0.0.1:0"})
        h.append_text(self.log, "")
        with h.DaemonProcess(cfg, self.config_path) as d:
            d.follow_notify()
            # 5,000 lines in 5 s, in 100 chunks of 50, while 50 SIGHUPs go out 100 ms apart.
            chunks = 100
            per_chunk = self.LINES // chunks
            errors = []

            def writer():
                try:
                    with open(self.log, "a", encoding="utf-8") as f:
                        for c in range(chunks):
                            f.write(error_lines(c * per_chunk, (c + 1) * per_chunk))
                            f.flush()
                            time.sleep(self.STORM_S / chunks)
                except Exception as e:  # reported by the test thread
                    errors.append(e)

            started = time.monotonic()
            t = threading.Thread(target=writer)
            t.start()
            for _ in range(self.SIGHUPS):
                self.assertTrue(d.alive(), f"the daemon died in the SIGHUP storm\n{d.describe()}")
                d.send_signal(signal.SIGHUP)
                time.sleep(self.STORM_S / self.SIGHUPS)
            t.join()
            storm_s = time.monotonic() - started
            self.assertEqual(errors, [])
            self.assertTrue(d.alive(), f"the daemon died in the SIGHUP storm\n{d.describe()}")

            h.wait_for(lambda: len(h.read_ndjson(self.out)) >= self.LINES, GIVE_UP_S,
                       lambda: f"{len(h.read_ndjson(self.out))} of {self.LINES} records "
                               f"arrived after the storm\n{d.describe()}")
            reloads = len(RELOADED.findall(d.stderr_text()))
            self.assertGreaterEqual(reloads, 2, f"the storm caused no reloads\n{d.describe()}")

            # Healthy: the endpoint of the last generation answers, and new lines still arrive.
            with urllib.request.urlopen(f"http://127.0.0.1:{h.metrics_port(d)}/health",
                                        timeout=5) as resp:
                self.assertEqual(resp.status, 200)
            h.append_text(self.log, error_lines(self.LINES, self.LINES + 1))
            h.wait_for(lambda: self.LINES in numbers_of(h.read_ndjson(self.out)), GIVE_UP_S,
                       lambda: f"a line written after the storm never arrived\n{d.describe()}")
            self.assertEqual(d.stop(), 0, d.describe())
        self.assert_exactly_once(numbers_of(h.read_ndjson(self.out)),
                                 range(self.LINES + 1), "after the SIGHUP storm")
        sys.stderr.write(f"note: {self.SIGHUPS} SIGHUPs and {self.LINES} lines in "
                         f"{storm_s:.1f}s, {reloads} reloads\n")


class DrainAndReloadTest(SignalStormTestCase):
    """A slow http destination (every answer held back) keeps a drain in progress long enough
    for a second signal to land in it."""

    LINES = 600  # six batches of 100
    DELAY_S = 0.5

    def slow_config(self, url):
        return self.config(transports=[{"type": "http", "url": url, "timeout_ms": 5000}],
                           drain_timeout_ms=20000)

    def begin_slow_delivery(self, d, sink):
        """Has the started daemon read every line and the slow destination get its first
        request, so that a drain begun now has batches left to deliver."""
        d.follow_notify()
        h.append_text(self.log, error_lines(0, self.LINES))
        h.wait_for(lambda: sink.requests >= 1, GIVE_UP_S,
                   lambda: f"the destination got no request\n{d.describe()}")

    def restart_and_check(self, sink, url, what):
        """Restarts with a healthy destination, awaits one more line, and checks that every
        line arrived exactly once over both runs."""
        sink.delay = 0.0
        with h.DaemonProcess(self.slow_config(url), self.config_path) as d:
            h.append_text(self.log, error_lines(self.LINES, self.LINES + 1))
            h.wait_for(lambda: self.LINES in sink.numbers(), GIVE_UP_S,
                       lambda: f"the line written after the restart never arrived "
                               f"({sink.count()} records so far)\n{d.describe()}")
            self.assertEqual(d.stop(), 0, d.describe())
        self.assert_exactly_once(sink.numbers(), range(self.LINES + 1), what)

    def test_sighup_during_a_drain_is_ignored_and_the_drain_finishes(self):
        sink, url = self.http_sink(self.DELAY_S)
        d = h.DaemonProcess(self.slow_config(url), self.config_path)
        with d:
            self.begin_slow_delivery(d, sink)
            d.send_signal(signal.SIGTERM)
            at = self.wait_stderr(d, r"SIGTERM: draining")
            self.assertTrue(d.alive(), f"the drain was over before the SIGHUP\n{d.describe()}")
            self.assertLess(sink.count(), self.LINES, "the drain was over before the SIGHUP")
            d.send_signal(signal.SIGHUP)
            self.assertEqual(self.wait_exit(d, GIVE_UP_S, "after SIGTERM then SIGHUP"), 0,
                             d.describe())
        after = d.stderr_text()[at:]
        self.assertNotIn("reloading", after, f"a SIGHUP during a stop reloaded\n{d.describe()}")
        self.assertIn("SIGHUP while stopping: ignored", after,
                      f"the SIGHUP did not land in the drain\n{d.describe()}")
        # The drain finished: every line was delivered by the first run.
        self.assert_exactly_once(sink.numbers(), range(self.LINES), "after the drain")
        self.restart_and_check(sink, url, "after SIGTERM, SIGHUP and a restart")

    def test_sigterm_during_a_reload_drain_stops(self):
        sink, url = self.http_sink(self.DELAY_S)
        d = h.DaemonProcess(self.slow_config(url), self.config_path)
        with d:
            self.begin_slow_delivery(d, sink)
            d.send_signal(signal.SIGHUP)
            self.wait_stderr(d, r"SIGHUP: reloading")
            self.assertTrue(d.alive(), d.describe())
            self.assertLess(sink.count(), self.LINES, "the reload's drain was over already")
            d.send_signal(signal.SIGTERM)
            self.assertEqual(self.wait_exit(d, GIVE_UP_S, "after SIGHUP then SIGTERM"), 0,
                             d.describe())
        self.assertIsNone(RELOADED.search(d.stderr_text()),
                         f"a SIGTERM during a reload's drain started a new generation\n"
                         f"{d.describe()}")
        self.restart_and_check(sink, url, "after SIGHUP, SIGTERM and a restart")

    def test_sighup_during_a_reload_drain_applies_the_newest_config(self):
        sink, url = self.http_sink(self.DELAY_S)
        d = h.DaemonProcess(self.slow_config(url), self.config_path)
        with d:
            self.begin_slow_delivery(d, sink)
            for tag in ("first", "second"):
                cfg = self.slow_config(url)
                cfg["inputs"][0]["tags"] = [tag]
                h.write_config(self.config_path, cfg)
                d.send_signal(signal.SIGHUP)
                if tag == "first":
                    self.wait_stderr(d, r"SIGHUP: reloading")
                self.assertLess(sink.count(), self.LINES, "the reload's drain was over already")
            self.wait_stderr(d, RELOADED.pattern)
            sink.delay = 0.0
            h.append_text(self.log, "2023-05-20 15:00:00,000 - app.live - ERROR - probe\n")
            probes = h.wait_for(lambda: list(sink.other_records), GIVE_UP_S,
                                lambda: f"the line written after the reload never arrived\n"
                                        f"{d.describe()}")
            self.assertEqual(probes[0].get("tags"), ["second"],
                             f"the config of the SIGHUP during the drain was not applied\n"
                             f"{d.describe()}")
            self.assertEqual(d.stop(), 0, d.describe())
        self.assert_exactly_once(sink.numbers(), range(self.LINES), "after two reloads")

    def test_sigterm_while_the_new_generation_starts(self):
        sink, url = self.http_sink(0.0)
        d = h.DaemonProcess(self.slow_config(url), self.config_path)
        with d:
            d.follow_notify()
            h.append_text(self.log, error_lines(0, self.LINES // 2))
            d.send_signal(signal.SIGHUP)
            self.wait_stderr(d, RELOADED.pattern)
            h.append_text(self.log, error_lines(self.LINES // 2, self.LINES))
            d.send_signal(signal.SIGTERM)
            self.assertEqual(self.wait_exit(d, GIVE_UP_S, "after a reload then SIGTERM"), 0,
                             d.describe())
        self.restart_and_check(sink, url, "after a reload, SIGTERM and a restart")


if __name__ == "__main__":
    h.main()
