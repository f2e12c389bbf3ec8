"""The http transport against a real HTTP server on loopback (written here, threaded): retryable
answers (503, 429 with Retry-After, a stall past the timeout), a permanent 400 that lands in the
dead-letter file without stalling another transport, keep-alive, gzip, headers and the bearer
token, the per-transport routing filters, and the disk spool across a restart while the
destination is down."""

import gzip
import http.server
import json
import os
import re
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402

NUMBER = re.compile(r"n=(\d+)")
TOKEN = "s3cr3t-token-never-logged"


def bracket_lines(start, stop, level="ERROR"):
    return "".join(f"[{level}][2023-05-20 14:30:22] app - KeyError: n={i}\n"
                   for i in range(start, stop))


class Sink:
    """What the server saw. `script` maps a request's number (from 1) to an answer other than
    200: 503, 429 (with Retry-After: 1), 400 (permanent) or "stall" (no answer until after the
    transport's timeout, then the connection is closed)."""

    def __init__(self, script=None, stall_seconds=1.5):
        self.script = dict(script or {})
        self.stall_seconds = stall_seconds
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0
        self.accepted = []  # the n of every accepted record, in arrival order
        self.other_records = []  # accepted records without a number
        self.answers = []  # (request number, answer, monotonic time of arrival)
        self.headers = []  # headers of each request
        self.errors = []  # problems the handler found (asserted on by the tests)

    def numbers(self):
        with self.lock:
            return list(self.accepted)


def make_server(sink):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_server_handler(sink))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def make_server_handler(sink):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def setup(self):
            super().setup()
            with sink.lock:
                sink.connections += 1

        def log_message(self, fmt, *args):
            pass

        def answer(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            now = time.monotonic()
            with sink.lock:
                sink.requests += 1
                number = sink.requests
                action = sink.script.get(number, 200)
                sink.answers.append((number, action, now))
                sink.headers.append(dict(self.headers.items()))
            if action == "stall":
                time.sleep(sink.stall_seconds)
                self.close_connection = True
                return
            if action == 503:
                self.answer(503, b"busy")
                return
            if action == 429:
                self.answer(429, b"slow down", [("Retry-After", "1")])
                return
            if action == 400:
                self.answer(400, b"bad record: schema mismatch")
                return
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            text = body.decode("utf-8")
            if text.startswith("["):
                records = json.loads(text)
            else:
                records = [json.loads(line) for line in text.splitlines() if line.strip()]
            numbers, others = [], []
            for record in records:
                m = NUMBER.search(record.get("message", ""))
                if m:
                    numbers.append(int(m.group(1)))
                else:
                    others.append(record)
            with sink.lock:
                sink.accepted.extend(numbers)
                sink.other_records.extend(others)
            self.answer(200, b"ok")

    return Handler


class HttpTransportTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.logs = self.tmp.mkdir("logs")
        self.log = os.path.join(self.logs, "app.log")
        self.out = self.tmp.join("out", "errors.jsonl")
        self.state = self.tmp.join("state")
        self.config_path = self.tmp.join("config.yaml")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()
        self.tmp.cleanup()

    def serve(self, sink):
        server = make_server(sink)
        self.servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/errors"

    def config(self, transports, **overrides):
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out,
                              **overrides)
        cfg["inputs"][0]["format"] = "bracket"
        cfg["transports"] = transports
        cfg["batch"] = {"max_records": 500, "max_bytes": 4194304, "max_wait_ms": 100}
        return cfg

    def test_100k_records_through_503_429_and_a_stall_none_lost_in_order(self):
        total = 100_000
        # The trouble comes at the start and again in the middle of the stream.
        script = {1: 503, 2: 429, 3: "stall", 80: 503, 81: 429, 82: "stall"}
        sink = Sink(script)
        url = self.serve(sink)
        token_file = self.tmp.write("token", TOKEN + "\n")
        cfg = self.config([{"type": "http", "url": url, "timeout_ms": 1000, "gzip": True,
                            "headers": {"X-Homeo-Test": "yes"},
                            "bearer_token_file": token_file}])
        h.append_text(self.log, bracket_lines(0, total // 2))
        started = time.monotonic()
        with h.DaemonProcess(cfg, self.config_path) as d:
            # The rest arrives while the daemon is working through retries.
            for start in range(total // 2, total, 10_000):
                h.append_text(self.log, bracket_lines(start, start + 10_000))
            h.wait_for(lambda: len(sink.numbers()) >= total, 50,
                       lambda: f"{len(sink.numbers())} of {total} records arrived "
                               f"({sink.requests} requests; missing: "
                               f"{sorted(set(range(total)) - set(sink.numbers()))[:20]}; "
                               f"others: {[r.get('message') for r in sink.other_records[:5]]})"
                               f"\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        elapsed = time.monotonic() - started

        numbers = sink.numbers()
        self.assertEqual(len(numbers), total, "records lost or duplicated")
        self.assertEqual(numbers, list(range(total)), "records reordered")
        # Every scripted failure was met and answered by a retry, 429 after its Retry-After.
        answers = {n: (a, t) for n, a, t in sink.answers}
        for n in script:
            self.assertIn(n + 1, answers, f"no request after the scripted {script[n]}")
        for n, action in script.items():
            if action == 429:
                gap = answers[n + 1][1] - answers[n][1]
                self.assertGreaterEqual(gap, 0.95, f"retry {gap:.2f}s after a Retry-After: 1")
        # Keep-alive: one connection, plus one after each stall (the timeout closes it).
        self.assertLessEqual(sink.connections, 2 + list(script.values()).count("stall"),
                             f"{sink.connections} connections for {sink.requests} requests")
        for hdrs in sink.headers:
            self.assertEqual(hdrs.get("Authorization"), "Bearer " + TOKEN)
            self.assertEqual(hdrs.get("X-Homeo-Test"), "yes")
            self.assertEqual(hdrs.get("Content-Type"), "application/x-ndjson")
        self.assertNotIn(TOKEN, stderr, "the bearer token was logged")
        self.assertIn("retrying", stderr)
        self.assertLess(elapsed, 60, "too slow")

    def test_permanent_400_goes_to_dead_letter_and_the_file_transport_keeps_going(self):
        total = 3000
        sink = Sink({1: 400})
        url = self.serve(sink)
        cfg = self.config([{"type": "http", "url": url, "format": "json_array"},
                           {"type": "file", "path": self.out}])
        h.append_text(self.log, bracket_lines(0, total))
        dead_letter = os.path.join(self.state, "dead-letter.jsonl")
        with h.DaemonProcess(cfg, self.config_path) as d:
            def everything_done():
                file_numbers = [int(NUMBER.search(r["message"]).group(1))
                                for r in h.read_ndjson(self.out)]
                dead = h.read_ndjson(dead_letter)
                return (len(file_numbers) == total and
                        len(dead) + len(sink.numbers()) + len(sink.other_records) >= total)
            h.wait_for(everything_done, 30, lambda: (
                f"file has {len(h.read_ndjson(self.out))}, server {len(sink.numbers())}, "
                f"dead-letter {len(h.read_ndjson(dead_letter))} of {total}\n{d.describe()}"))
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

        file_numbers = [int(NUMBER.search(r["message"]).group(1)) for r in h.read_ndjson(self.out)]
        self.assertEqual(file_numbers, list(range(total)))
        dead = h.read_ndjson(dead_letter)
        self.assertEqual(len(dead), 500, "the rejected batch (500 records) is in the dead letter")
        for line in dead:
            self.assertEqual(line["transport"], "http")
            self.assertIn("400", line["reason"])
            self.assertIn("schema mismatch", line["reason"])
            self.assertIsInstance(line["record"], dict)
        dead_numbers = [int(NUMBER.search(x["record"]["message"]).group(1)) for x in dead]
        self.assertEqual(dead_numbers, list(range(500)))
        # The server got the rest, as JSON arrays (the handler parses those).
        self.assertTrue(all(x.get("Content-Type") == "application/json" for x in sink.headers))
        self.assertEqual(sorted(sink.numbers()), list(range(500, total)))

    def test_routing_filters_per_transport(self):
        sink = Sink()
        url = self.serve(sink)
        critical_out = self.tmp.join("out", "critical.jsonl")
        jobs_out = self.tmp.join("out", "jobs.jsonl")
        cfg = self.config([
            {"type": "http", "url": url, "services": ["alpha"]},
            {"type": "file", "path": jobs_out, "tags": ["jobs"]},
            {"type": "file", "path": critical_out, "min_level": "CRITICAL"},
        ])
        cfg["inputs"] = [
            {"paths": [os.path.join(self.logs, "a.log")], "format": "bracket",
             "read_from": "beginning", "service": "alpha", "tags": ["web"]},
            {"paths": [os.path.join(self.logs, "b.log")], "format": "bracket",
             "read_from": "beginning", "service": "beta", "tags": ["jobs", "batch"]},
        ]
        h.append_text(os.path.join(self.logs, "a.log"),
                      bracket_lines(0, 100) + bracket_lines(100, 110, "CRITICAL"))
        h.append_text(os.path.join(self.logs, "b.log"),
                      bracket_lines(1000, 1050) + bracket_lines(1050, 1055, "CRITICAL"))

        def numbers(path):
            return sorted(int(NUMBER.search(r["message"]).group(1)) for r in h.read_ndjson(path))

        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: len(sink.numbers()) == 110 and len(numbers(jobs_out)) == 55 and
                       len(numbers(critical_out)) == 15, 20,
                       lambda: f"http {len(sink.numbers())}/110, jobs {len(numbers(jobs_out))}"
                               f"/55, critical {len(numbers(critical_out))}/15\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(sorted(sink.numbers()), list(range(0, 110)))
        self.assertEqual(numbers(jobs_out), list(range(1000, 1055)))
        self.assertEqual(numbers(critical_out), list(range(100, 110)) + list(range(1050, 1055)))

    def test_destination_down_with_a_restart_everything_arrives_from_the_spool(self):
        # A port nothing listens on until the server starts there later.
        probe = make_server(Sink())
        port = probe.server_address[1]
        probe.shutdown()
        probe.server_close()
        url = f"http://127.0.0.1:{port}/errors"
        cfg = self.config([{"type": "http", "url": url, "timeout_ms": 1000,
                            "spool_after_ms": 300}])
        spool_dir = os.path.join(self.state, "spool", "0-http")

        def spooled_files():
            try:
                return [n for n in os.listdir(spool_dir) if n.endswith(".ndjson")]
            except FileNotFoundError:
                return []

        h.append_text(self.log, bracket_lines(0, 20_000))
        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: len(spooled_files()) >= 40, 20,
                       lambda: f"{len(spooled_files())} batches spooled\n{d.describe()}")
            for start in range(20_000, 30_000, 2_000):
                h.append_text(self.log, bracket_lines(start, start + 2_000))
                time.sleep(0.2)  # logs keep growing while the destination is down
            h.wait_for(lambda: len(spooled_files()) >= 60, 20,
                       lambda: f"{len(spooled_files())} batches spooled\n{d.describe()}")
            # Everything is on disk, so a drain completes although the destination is down.
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            self.assertIn("spooling batches to disk", d.stderr_text())
        before_restart = len(spooled_files())
        h.append_text(self.log, bracket_lines(30_000, 40_000))
        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: len(spooled_files()) >= before_restart + 20, 20,
                       lambda: f"{len(spooled_files())} batches spooled after the restart "
                               f"(had {before_restart})\n{d.describe()}")
            self.assertIn("left from an earlier run", d.stderr_text())
            sink = Sink()
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_server_handler(sink))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
            h.wait_for(lambda: len(sink.numbers()) >= 40_000, 40,
                       lambda: f"{len(sink.numbers())} of 40000 arrived\n{d.describe()}")
            h.wait_for(lambda: not spooled_files(), 10, "the spool was not emptied")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(sink.numbers(), list(range(40_000)))

    def test_bad_options_are_config_errors(self):
        cfg = self.config([{"type": "http", "url": "ftp://example.com/", "timeout_ms": 0,
                            "min_level": "LOUD", "spool_policy": "sometimes", "bogus": 1}])
        h.write_config(self.config_path, cfg)
        r = h.run_cmd("check", "--config", self.config_path)
        self.assertEqual(r.code, h.EXIT_CONFIG, r.describe())
        for needle in ("http:// or https://", "timeout_ms", "min_level", "spool_policy",
                       "unknown key 'bogus'"):
            self.assertIn(needle, r.stderr, r.describe())


if __name__ == "__main__":
    h.main()
