"""The daemon as a service: sd_notify states in order, the watchdog, SIGHUP reloads, and the
/metrics and /health endpoints (parsed with the Prometheus client's text parser)."""

import os
import re
import signal
import time
import unittest
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

import homeo_testlib as lib


def bracket_line(i, tag="a"):
    return f"[ERROR][2023-05-20 14:30:22] app.svc - KeyError: {tag}={i}\n"


class ServiceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = lib.TempDir()
        self.logs_a = self.tmp.mkdir("logs_a")
        self.logs_b = self.tmp.mkdir("logs_b")
        self.out = self.tmp.join("out.jsonl")
        self.cfg_path = self.tmp.join("config.yaml")

    def tearDown(self):
        self.tmp.cleanup()

    def config(self, inputs=("a",), metrics=False):
        cfg = lib.daemon_config(self.tmp.path, os.path.join(self.logs_a, "*.log"), self.out)
        cfg["inputs"] = [{"paths": [os.path.join(self.tmp.path, f"logs_{n}", "*.log")],
                          "read_from": "beginning", "format": "bracket"} for n in inputs]
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"} if metrics else {
            "enabled": False}
        return cfg

    def messages(self):
        return [r["error_details"]["message"] for r in lib.read_ndjson(self.out)]

    def wait_messages(self, expected, d):
        lib.wait_for(lambda: sorted(self.messages()) == sorted(expected), 5.0,
                     lambda: f"expected {sorted(expected)}, got {sorted(self.messages())}\n"
                             + d.describe())

    def test_notify_states_in_order_and_watchdog(self):
        d = lib.DaemonProcess(self.config(), self.cfg_path, env={"WATCHDOG_USEC": "200000"})
        with d:
            d.wait_notify("WATCHDOG=1", 3.0)
            d.send_signal(signal.SIGHUP)
            d.wait_notify("RELOADING=1", 5.0)
            lib.wait_for(lambda: sum("READY=1" in m.split("\n") for m in d.drain_notify()) >= 2,
                         5.0, "no READY=1 after the reload")
            d.send_signal(signal.SIGTERM)
            d.wait_notify("STOPPING=1", 5.0)
            self.assertEqual(d.stop(), 0)
        words = []
        for m in d.notify_messages:
            for w in m.split("\n"):
                if w.split("=")[0] in ("READY", "RELOADING", "STOPPING", "WATCHDOG"):
                    words.append(w)
        first = {w: words.index(w) for w in ("READY=1", "RELOADING=1", "STOPPING=1")}
        self.assertLess(first["READY=1"], first["RELOADING=1"])
        self.assertLess(first["RELOADING=1"], first["STOPPING=1"])
        self.assertIn("WATCHDOG=1", words)
        self.assertTrue(any(m.startswith("STATUS=") or "\nSTATUS=" in m
                            for m in d.notify_messages))

    def test_broken_reload_keeps_the_running_pipeline(self):
        lib.append_text(os.path.join(self.logs_a, "x.log"), bracket_line(1))
        with lib.DaemonProcess(self.config(), self.cfg_path) as d:
            self.wait_messages(["a=1"], d)
            with open(self.cfg_path, "a") as f:
                f.write("bogus_key: 1\n")
            d.send_signal(signal.SIGHUP)
            lib.wait_for(lambda: "keeping the running one" in d.stderr_text(), 5.0,
                         lambda: "the broken reload was not reported\n" + d.describe())
            self.assertRegex(d.stderr_text(), r"config\.yaml:\d+:\d+: unknown key 'bogus_key'")
            lib.append_text(os.path.join(self.logs_a, "x.log"), bracket_line(2))
            self.wait_messages(["a=1", "a=2"], d)
            self.assertEqual(d.stop(), 0)

    def test_reload_adds_an_input_without_rereading_or_skipping(self):
        a_log = os.path.join(self.logs_a, "x.log")
        lib.append_text(a_log, "".join(bracket_line(i) for i in range(50)))
        lib.append_text(os.path.join(self.logs_b, "y.log"), bracket_line(1, "b"))
        with lib.DaemonProcess(self.config(("a",)), self.cfg_path) as d:
            self.wait_messages([f"a={i}" for i in range(50)], d)
            lib.write_config(self.cfg_path, self.config(("a", "b")))
            # Lines keep coming while the reload happens.
            d.send_signal(signal.SIGHUP)
            lib.append_text(a_log, "".join(bracket_line(i) for i in range(50, 80)))
            expected = [f"a={i}" for i in range(80)] + ["b=1"]
            self.wait_messages(expected, d)
            self.assertEqual(d.stop(), 0)
        msgs = self.messages()
        self.assertEqual(len(msgs), len(set(msgs)), "a line was read twice across the reload")

    def test_metrics_and_health(self):
        log = os.path.join(self.logs_a, "x.log")
        lines = "".join(bracket_line(i) for i in range(7))
        lines += "[INFO][2023-05-20 14:30:22] app.svc - fine\n" * 3
        lib.append_text(log, lines)
        with lib.DaemonProcess(self.config(metrics=True), self.cfg_path) as d:
            self.wait_messages([f"a={i}" for i in range(7)], d)
            m = lib.wait_for(lambda: re.search(r"metrics on \S+ \(port (\d+)\)", d.stderr_text()),
                             5.0, "the metrics port was not logged")
            base = f"http://127.0.0.1:{m.group(1)}"

            def scrape():
                with urllib.request.urlopen(base + "/metrics", timeout=5) as resp:
                    self.assertEqual(resp.status, 200)
                    return {(s.name, tuple(sorted(s.labels.items()))): s.value
                            for fam in text_string_to_metric_families(resp.read().decode())
                            for s in fam.samples}

            def acked():
                s = scrape()
                return s if s.get(("homeostasisd_transport_records_total",
                                   (("outcome", "sent"), ("transport", "0"), ("type", "file")))
                                  ) == 7 else None

            samples = lib.wait_for(acked, 5.0, "transport counter never reached 7")
            self.assertEqual(samples[("homeostasisd_lines_read_total", (("input", "0"),))], 10)
            self.assertEqual(samples[("homeostasisd_bytes_read_total", (("input", "0"),))],
                             len(lines.encode()))
            self.assertEqual(samples[("homeostasisd_records_total",
                                      (("format", "bracket"), ("level", "ERROR")))], 7)
            # The last INFO line completes its event after multiline_timeout_ms.
            lib.wait_for(lambda: scrape()[("homeostasisd_events_below_level_total", ())] == 3,
                         5.0, "the three INFO lines were not counted below level")
            self.assertEqual(samples[("homeostasisd_files_watched", ())], 1)
            self.assertEqual(samples[("homeostasisd_batch_latency_seconds_count", ())],
                             samples[("homeostasisd_batch_latency_seconds_bucket",
                                      (("le", "+Inf"),))])
            lib.wait_for(lambda: scrape()[("homeostasisd_checkpoint_lag_bytes",
                                           (("input", "0"),))] == 0, 5.0,
                         "checkpoint lag did not reach 0")
            with urllib.request.urlopen(base + "/health", timeout=5) as resp:
                self.assertEqual(resp.status, 200)
            with self.assertRaises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(base + "/nope", timeout=5)
            self.assertEqual(e.exception.code, 404)
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    lib.main()
