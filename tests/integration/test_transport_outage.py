"""LONG TESTS (about 100 s each): the http destination is down for a minute while a writer keeps
appending numbered lines to three files, and the daemon is restarted (SIGTERM, then started
again) half-way through. Once the destination is back everything arrives: none lost, none twice,
in order per file.

Two runs: a generous spool while the destination answers 503, and a small spool with
`spool_policy: block` while connections are refused, where the spool fills, reading pauses (the
lines wait in the files) and the daemon's memory must stay bounded. Each run takes the mandated
minute of outage plus up to the 30 s retry backoff cap before the daemon tries again; they live in
a file of their own to stay well inside ctest's 600 s per file."""

import os
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402
from test_http_transport import Sink, bracket_lines, free_port, make_server  # noqa: E402

OUTAGE = 60.0  # seconds the destination is down, from the first start
RESTART_AT = 30.0  # SIGTERM and start again, this long after the first start
WRITE_AFTER_RECOVERY = 5.0  # the writer goes on this long after the destination is back
FILES = ("alpha.log", "beta.log", "gamma.log")
LINES_PER_TICK = 5  # per file, every TICK: 150 lines (records) per second in all
TICK = 0.1
# The memory bound. Reading pauses at 64 unacknowledged batches (the dispatcher's
# max_queued_batches); with max_records 100 and records of about 1.2 KiB that is under 8 MiB of
# batches, plus the one being retried and its request body, on top of the daemon's own ~10 MiB.
# 64 MiB leaves room for allocator slack while a leak of the backlog (about 12 MiB of records in
# the minute) or a reader that does not pause would still be caught by the growth check below.
RSS_LIMIT = 64 << 20
# Allowed RSS growth over the last 20 s of the outage (allocator noise, not data).
RSS_GROWTH = 4 << 20
SPOOL_LABELS = (("transport", "0"), ("type", "http"))


class Writer(threading.Thread):
    """Appends numbered lines to each file at a steady rate until stop()."""

    def __init__(self, paths):
        super().__init__(daemon=True)
        self.paths = list(paths)
        self.lock = threading.Lock()
        self.counts = {p: 0 for p in self.paths}
        self.done = threading.Event()

    def run(self):
        next_at = time.monotonic()
        while not self.done.is_set():
            for p in self.paths:
                with self.lock:
                    start = self.counts[p]
                with open(p, "a", encoding="utf-8") as f:
                    f.write(bracket_lines(start, start + LINES_PER_TICK))
                with self.lock:
                    self.counts[p] = start + LINES_PER_TICK
            next_at += TICK
            self.done.wait(max(0.0, next_at - time.monotonic()))

    def stop(self):
        self.done.set()
        if self.is_alive():
            self.join(10)

    def written(self):
        with self.lock:
            return dict(self.counts)


class RssSampler(threading.Thread):
    """Samples VmRSS of the process `pid` (settable) every quarter second."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pid = None
        self.samples = []  # (monotonic time, pid, bytes)
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.25):
            pid = self.pid
            if pid is None:
                continue
            try:
                with open(f"/proc/{pid}/status", encoding="ascii") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.samples.append((time.monotonic(), pid,
                                                 int(line.split()[1]) * 1024))
            except (FileNotFoundError, ProcessLookupError):
                pass

    def stop(self):
        self.done.set()
        if self.is_alive():
            self.join(5)

    def between(self, pid, start, end):
        return [rss for t, p, rss in self.samples if p == pid and start <= t < end]


class TransportOutageTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.logs = self.tmp.mkdir("logs")
        self.state = self.tmp.join("state")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()
        self.tmp.cleanup()

    def serve(self, sink, port=0):
        server = make_server(sink, port)
        self.servers.append(server)
        return server.server_address[1]

    def config(self, url, spool_options):
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"),
                              self.tmp.join("unused.jsonl"))
        cfg["inputs"][0]["format"] = "bracket"
        cfg["transports"] = [{"type": "http", "url": url, "timeout_ms": 2000,
                              "spool_after_ms": 1000, **spool_options}]
        cfg["batch"] = {"max_records": 100, "max_bytes": 1048576, "max_wait_ms": 200}
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        return cfg

    def sleep_until(self, at):
        # The scenario's timeline (the outage is a minute by definition), not synchronisation.
        time.sleep(max(0.0, at - time.monotonic()))

    def run_outage(self, refuse, spool_options, small_spool):
        """The minute of outage with a restart; returns what the checks below need."""
        sink = Sink()
        if refuse:
            port = free_port()  # nothing listens until the destination comes back
        else:
            sink.down = True  # answers 503 until it comes back
            port = self.serve(sink)
        cfg = self.config(f"http://127.0.0.1:{port}/errors", spool_options)
        paths = [os.path.join(self.logs, name) for name in FILES]
        writer = Writer(paths)
        sampler = RssSampler()
        self.addCleanup(writer.stop)
        self.addCleanup(sampler.stop)

        started = time.monotonic()
        writer.start()
        sampler.start()
        with h.DaemonProcess(cfg, self.tmp.join("first.yaml")) as d:
            sampler.pid = d.proc.pid
            mport = h.metrics_port(d)
            self.sleep_until(started + RESTART_AT)
            samples = h.scrape_metrics(mport)
            spooled_before_restart = h.transport_records(samples, 0, "http", "spooled")
            self.assertGreater(spooled_before_restart, 0, f"nothing spooled\n{d.describe()}")
            self.assertEqual(h.transport_records(samples, 0, "http", "sent"), 0)
            self.assertGreater(h.transport_records(samples, 0, "http", "retried"), 0)
            self.assertEqual(samples[("homeostasisd_transport_failing", SPOOL_LABELS)], 1)
            if small_spool:
                self.assertIn("reading is paused", self.health(mport),
                              f"a full spool with block did not pause reading\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            first_pid = d.proc.pid
        restarted = time.monotonic()

        with h.DaemonProcess(cfg, self.tmp.join("second.yaml")) as d:
            sampler.pid = d.proc.pid
            mport = h.metrics_port(d)
            self.assertIn("left from an earlier run", d.stderr_text())
            self.sleep_until(started + OUTAGE - 20)
            read_at_40 = h.scrape_metrics(mport)[("homeostasisd_lines_read_total",
                                                  (("input", "0"),))]
            written_at_40 = sum(writer.written().values())
            self.sleep_until(started + OUTAGE - 0.5)
            samples = h.scrape_metrics(mport)
            read_at_60 = samples[("homeostasisd_lines_read_total", (("input", "0"),))]
            spool_bytes_at_60 = samples[("homeostasisd_transport_spool_bytes", SPOOL_LABELS)]
            written_at_60 = sum(writer.written().values())
            self.assertEqual(sink.count(), 0, "records arrived while the destination was down")
            if small_spool:
                # The files kept growing; the daemon read none of it: the lines wait on disk.
                self.assertGreater(written_at_60, written_at_40 + 2000)
                self.assertEqual(read_at_60, read_at_40, "reading did not pause under block")
                self.assertLessEqual(spool_bytes_at_60, spool_options["spool_max_bytes"])
            else:
                self.assertGreater(read_at_60, read_at_40, "reading paused with room in the spool")

            self.sleep_until(started + OUTAGE)
            if refuse:
                self.serve(sink, port)
            else:
                sink.down = False
            recovered = time.monotonic()
            self.sleep_until(recovered + WRITE_AFTER_RECOVERY)
            writer.stop()
            written = writer.written()
            total = sum(written.values())
            # Up to the backoff cap (30 s, +20% jitter) before the next try, then the backlog.
            h.wait_for(lambda: sink.count() >= total, 90,
                       lambda: f"{sink.count()} of {total} arrived "
                               f"{time.monotonic() - recovered:.0f} s after the recovery\n"
                               f"{d.describe()}")
            arrived_after = time.monotonic() - recovered

            def settled():
                s = h.scrape_metrics(mport)
                return s if (s[("homeostasisd_transport_spool_bytes", SPOOL_LABELS)] == 0 and
                             s[("homeostasisd_transport_queued_batches", ())] == 0 and
                             s[("homeostasisd_checkpoint_lag_bytes", (("input", "0"),))] == 0
                             ) else None
            samples = h.wait_for(settled, 10, lambda: f"the spool was not emptied\n"
                                                      f"{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            second_pid = d.proc.pid

        sources = sink.sources()
        for path in paths:
            name = os.path.basename(path)
            got = sources.get(name, [])
            self.assertEqual(len(got), written[path],
                             f"{name}: {len(got)} of {written[path]} records arrived")
            self.assertEqual(got, list(range(written[path])),
                             f"{name}: records lost, duplicated or reordered")
        self.assertEqual(sink.count(), total)
        self.assertEqual(h.transport_records(samples, 0, "http", "dropped"), 0)
        self.assertEqual(h.transport_records(samples, 0, "http", "failed"), 0)
        self.assertEqual(samples[("homeostasisd_transport_failing", SPOOL_LABELS)], 0)
        sampler.stop()
        first = sampler.between(first_pid, started, restarted)
        early = sampler.between(second_pid, restarted + 3, started + OUTAGE - 20)
        late = sampler.between(second_pid, started + OUTAGE - 20, started + OUTAGE)
        self.assertTrue(first and early and late, "too few memory samples")
        peak = max(first + early + late)
        sys.stderr.write(f"\n  {total} records; {spooled_before_restart} spooled before the "
                         f"restart; everything arrived {arrived_after:.1f} s after the "
                         f"recovery; RSS peak {peak / 2**20:.1f} MiB, last 20 s of the outage "
                         f"{min(late) / 2**20:.1f}..{max(late) / 2**20:.1f} MiB, "
                         f"before {max(early) / 2**20:.1f} MiB\n")
        self.assertLess(peak, RSS_LIMIT, f"RSS peaked at {peak / 2**20:.1f} MiB")
        self.assertLessEqual(max(late), max(early) + RSS_GROWTH,
                             f"RSS grew over the last 20 s of the outage: early "
                             f"{max(early) / 2**20:.1f} MiB, late {max(late) / 2**20:.1f} MiB")

    def health(self, port):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
                return resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.read().decode()

    def test_long_minute_down_answering_503_with_a_restart_generous_spool(self):
        self.run_outage(refuse=False, spool_options={}, small_spool=False)

    def test_long_minute_refused_with_a_restart_small_spool_blocks_memory_bounded(self):
        self.run_outage(refuse=True, small_spool=True,
                        spool_options={"spool_max_bytes": 262144, "spool_policy": "block"})


if __name__ == "__main__":
    h.main()
