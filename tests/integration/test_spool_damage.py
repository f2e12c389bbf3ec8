"""Damaged spool batches: the http destination is down while 120 numbered lines are read, so
they go to the spool; with the daemon stopped, four of the spooled files are damaged (cut short,
emptied, overwritten with junk, replaced by a foreign file). Started again with the destination
up, the daemon moves those four to the spool's quarantine/ folder, logs and counts them, and
delivers every other record exactly once, in order."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402
from test_http_transport import Sink, bracket_lines, make_server  # noqa: E402

LINES = 120
LABELS = (("transport", "0"), ("type", "http"))


class SpoolDamageTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.logs = self.tmp.mkdir("logs")
        self.sink = Sink()
        self.server = make_server(self.sink)

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.tmp.cleanup()

    def spool_files(self, spool):
        return sorted(os.path.join(spool, n) for n in os.listdir(spool)
                      if os.path.isfile(os.path.join(spool, n)))

    def test_damaged_batches_are_quarantined_and_the_rest_delivered_in_order(self):
        port = self.server.server_address[1]
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"),
                              self.tmp.join("unused.jsonl"))
        cfg["inputs"][0]["format"] = "bracket"
        cfg["transports"] = [{"type": "http", "url": f"http://127.0.0.1:{port}/errors",
                              "timeout_ms": 2000, "spool_after_ms": 200}]
        cfg["batch"] = {"max_records": 10, "max_bytes": 1048576, "max_wait_ms": 100}
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        spool = os.path.join(self.tmp.path, "state", "spool", "0-http")

        self.sink.down = True
        with h.DaemonProcess(cfg, self.tmp.join("first.yaml")) as d:
            mport = h.metrics_port(d)
            h.append_text(os.path.join(self.logs, "app.log"), bracket_lines(0, LINES))
            h.wait_for(lambda: h.transport_records(h.scrape_metrics(mport), 0, "http",
                                                   "spooled") == LINES, 30,
                       lambda: f"not everything was spooled\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(self.sink.count(), 0)

        files = self.spool_files(spool)
        self.assertGreaterEqual(len(files), 6, files)
        contents = [h.read_text(f) for f in files]
        self.assertTrue(all(c.startswith("#homeostasisd-spool v1 len=") for c in contents))
        damaged = files[1:5]
        lost = set()
        for text in contents[1:5]:
            lost.update(int(n) for n in re.findall(r"KeyError: n=(\d+)", text))
        with open(damaged[0], "r+b") as f:
            f.truncate(os.path.getsize(damaged[0]) // 2)
        open(damaged[1], "wb").close()
        junk = contents[3].split("\n", 1)
        with open(damaged[2], "w", encoding="utf-8") as f:
            f.write(junk[0] + "\n" + "#" * len(junk[1]))
        with open(damaged[3], "w", encoding="utf-8") as f:
            f.write("Subject: not a spool batch\n\nhello\n")

        self.sink.down = False
        with h.DaemonProcess(cfg, self.tmp.join("second.yaml")) as d:
            mport = h.metrics_port(d)
            want = [n for n in range(LINES) if n not in lost]
            h.wait_for(lambda: self.sink.count() >= len(want), 30,
                       lambda: f"{self.sink.count()} of {len(want)} arrived\n{d.describe()}")

            def settled():
                s = h.scrape_metrics(mport)
                return s if s[("homeostasisd_transport_spool_bytes", LABELS)] == 0 else None
            samples = h.wait_for(settled, 10, lambda: f"the spool was not emptied\n"
                                                      f"{d.describe()}")
            # Stopped (drained) before the count: nothing more can arrive after it.
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(self.sink.numbers(), want, "records lost, doubled or reordered")
        self.assertEqual(samples[("homeostasisd_spool_quarantined_total", LABELS)], 4)
        self.assertEqual(h.transport_records(samples, 0, "http", "quarantined"), len(lost))
        self.assertEqual(h.transport_records(samples, 0, "http", "dropped"), 0)
        log = d.stderr_text()
        for path, why in zip(damaged, ("cut short", "empty file", "checksum mismatch",
                                       "no spool header")):
            self.assertRegex(log, rf" error .*spooled batch quarantined: "
                                  rf"{re.escape(path)}: {why}", d.describe())

        quarantine = os.path.join(spool, "quarantine")
        self.assertEqual(sorted(os.listdir(quarantine)),
                         sorted(os.path.basename(p) for p in damaged))
        self.assertEqual(self.spool_files(spool), [])
        sys.stderr.write(f"\n  {len(files)} batches spooled, 4 damaged ({len(lost)} records) "
                         f"quarantined, {len(want)} delivered\n")


if __name__ == "__main__":
    h.main()
