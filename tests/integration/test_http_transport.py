"""The http transport against a real HTTP server on loopback (written here, threaded): retryable
answers (503, 429 with Retry-After, a stall past the timeout), a permanent 400 that lands in the
dead-letter file without stalling another transport, keep-alive, gzip, headers and the bearer
token, the per-transport routing filters, the disk spool across a restart while the destination
is down and in front of a slow destination, a full spool dropping its oldest batches, and TLS
against a server whose certificate a CA made by the test signed. The transport counters of
/metrics are checked along the way."""

import gzip
import http.server
import json
import os
import re
import ssl
import subprocess
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
    transport's timeout, then the connection is closed). While `down` is set every request is
    answered 503; `delay` (seconds) holds back every answer (a slow destination)."""

    def __init__(self, script=None, stall_seconds=1.5, delay=0.0):
        self.script = dict(script or {})
        self.stall_seconds = stall_seconds
        self.delay = delay
        self.down = False
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0
        self.accepted = []  # the n of every accepted record, in arrival order
        self.by_source = {}  # file name of metadata.source.path -> its numbers, in arrival order
        self.other_records = []  # accepted records without a number
        self.answers = []  # (request number, answer, monotonic time of arrival)
        self.headers = []  # headers of each request
        self.errors = []  # problems the handler found (asserted on by the tests)

    def numbers(self):
        with self.lock:
            return list(self.accepted)

    def count(self):
        with self.lock:
            return len(self.accepted)

    def sources(self):
        with self.lock:
            return {name: list(ns) for name, ns in self.by_source.items()}


def make_server(sink, port=0, tls=None):
    """A threaded HTTP server on 127.0.0.1 (`port` 0: a free one); `tls` (an SSLContext for
    the server side) makes it HTTPS. The caller shuts it down."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_server_handler(sink))
    server.daemon_threads = True
    if tls is not None:
        # The handshake runs in accept(); a failed one is an OSError, which the server drops.
        server.socket = tls.wrap_socket(server.socket, server_side=True)
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
            if sink.delay:
                time.sleep(sink.delay)
            if sink.down:
                self.answer(503, b"down for maintenance")
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
            numbers, others, sources = [], [], []
            for record in records:
                m = NUMBER.search(record.get("message", ""))
                if m:
                    numbers.append(int(m.group(1)))
                    path = record.get("metadata", {}).get("source", {}).get("path", "")
                    sources.append((os.path.basename(path), int(m.group(1))))
                else:
                    others.append(record)
            with sink.lock:
                sink.accepted.extend(numbers)
                sink.other_records.extend(others)
                for name, n in sources:
                    sink.by_source.setdefault(name, []).append(n)
            self.answer(200, b"ok")

    return Handler


def free_port():
    """A port nothing listens on now (a server may be started on it later)."""
    probe = make_server(Sink())
    port = probe.server_address[1]
    probe.shutdown()
    probe.server_close()
    return port


def openssl(*args, cwd):
    try:
        r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True,
                           timeout=60)
    except FileNotFoundError:
        raise AssertionError("the openssl command is missing (Debian package openssl, installed "
                             "by scripts/install-deps.sh)") from None
    if r.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed:\n{r.stderr}")


def make_certificates(directory):
    """Two CAs (ca.pem, other-ca.pem) and a certificate for 127.0.0.1 signed by the first
    (server.pem, server.key), made with the openssl command in `directory`."""
    os.makedirs(directory, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for name in ("ca", "other-ca"):
        openssl("req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.pem",
                "-days", "2", "-subj", f"/CN=homeostasisd test {name}", cwd=directory)
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
            cwd=directory)
    with open(os.path.join(directory, "server.ext"), "w", encoding="utf-8") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem",
            cwd=directory)
    return {name: os.path.join(directory, name)
            for name in ("ca.pem", "other-ca.pem", "server.pem", "server.key")}


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

    def serve(self, sink, port=0, tls=None):
        server = make_server(sink, port, tls)
        self.servers.append(server)
        scheme = "https" if tls else "http"
        return f"{scheme}://127.0.0.1:{server.server_address[1]}/errors"

    def config(self, transports, metrics=False, **overrides):
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out,
                              **overrides)
        cfg["inputs"][0]["format"] = "bracket"
        cfg["transports"] = transports
        cfg["batch"] = {"max_records": 500, "max_bytes": 4194304, "max_wait_ms": 100}
        if metrics:
            cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        return cfg

    def spool_emptied(self, port):
        """The samples of /metrics once transport 0's spool is empty, else None."""
        s = h.scrape_metrics(port)
        empty = s.get(("homeostasisd_transport_spool_bytes",
                       (("transport", "0"), ("type", "http")))) == 0
        return s if empty else None

    def all_read_and_acknowledged(self, port, lines):
        """The samples of /metrics once `lines` lines are read and every batch is acknowledged
        (delivered or spooled) and checkpointed, else None."""
        s = h.scrape_metrics(port)
        done = (s.get(("homeostasisd_lines_read_total", (("input", "0"),))) == lines and
                s.get(("homeostasisd_transport_queued_batches", ())) == 0 and
                s.get(("homeostasisd_checkpoint_lag_bytes", (("input", "0"),))) == 0)
        return s if done else None

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
        # At least once: a batch the server accepted after the client's timeout had passed (a
        # slow, e.g. sanitized, build) is sent again. Nothing may be lost or reordered, and
        # repeats are whole batches at most a couple of times.
        seen, first = set(), []
        for n in numbers:
            if n not in seen:
                seen.add(n)
                first.append(n)
        self.assertEqual(first, list(range(total)), "records lost or reordered")
        self.assertLessEqual(len(numbers) - total, 1000,
                             f"{len(numbers) - total} records delivered twice")
        # Every scripted failure was met and answered by a retry, 429 after its Retry-After.
        answers = {n: (a, t) for n, a, t in sink.answers}
        for n in script:
            self.assertIn(n + 1, answers, f"no request after the scripted {script[n]}")
        for n, action in script.items():
            if action == 429:
                gap = answers[n + 1][1] - answers[n][1]
                self.assertGreaterEqual(gap, 0.95, f"retry {gap:.2f}s after a Retry-After: 1")
        # Keep-alive: one connection, plus one after each stall (the timeout closes it), and a
        # couple more where a slow (sanitized) build let an ordinary answer time out.
        self.assertLessEqual(sink.connections, 4 + list(script.values()).count("stall"),
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
                           {"type": "file", "path": self.out}], metrics=True)
        h.append_text(self.log, bracket_lines(0, total))
        dead_letter = os.path.join(self.state, "dead-letter.jsonl")
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)
            def everything_done():
                file_numbers = [int(NUMBER.search(r["message"]).group(1))
                                for r in h.read_ndjson(self.out)]
                dead = h.read_ndjson(dead_letter)
                return (len(file_numbers) == total and
                        len(dead) + len(sink.numbers()) + len(sink.other_records) >= total)
            h.wait_for(everything_done, 30, lambda: (
                f"file has {len(h.read_ndjson(self.out))}, server {len(sink.numbers())}, "
                f"dead-letter {len(h.read_ndjson(dead_letter))} of {total}\n{d.describe()}"))
            samples = h.wait_for(lambda: self.all_read_and_acknowledged(port, total), 10,
                                 "not everything was acknowledged")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        for outcome, want in (("sent", total - 500), ("failed", 500), ("dead_lettered", 500),
                              ("retried", 0), ("spooled", 0), ("dropped", 0)):
            self.assertEqual(h.transport_records(samples, 0, "http", outcome), want, outcome)
        self.assertEqual(h.transport_records(samples, 1, "file", "sent"), total)
        self.assertEqual(h.transport_records(samples, 1, "file", "failed"), 0)

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

    def test_slow_destination_batches_go_to_the_spool_and_arrive_in_order(self):
        total = 2000
        sink = Sink(delay=0.2)  # every answer takes 200 ms: 40 batches take 8 s or more
        url = self.serve(sink)
        cfg = self.config([{"type": "http", "url": url}], metrics=True)
        cfg["batch"] = {"max_records": 50, "max_bytes": 4194304, "max_wait_ms": 100}
        h.append_text(self.log, bracket_lines(0, total))
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)
            # Reading is not held back by the destination: everything is read, spooled and
            # checkpointed while most of it has not arrived yet.
            samples = h.wait_for(lambda: self.all_read_and_acknowledged(port, total), 10,
                                 lambda: f"not all read and acknowledged in time "
                                         f"({sink.count()} arrived)\n{d.describe()}")
            self.assertLess(sink.count(), total // 2, "the destination was not slow")
            spooled = h.transport_records(samples, 0, "http", "spooled")
            self.assertGreaterEqual(spooled, total - 2 * 50, "the queue did not go to the spool")
            self.assertIn("is not keeping up", d.stderr_text())
            h.wait_for(lambda: sink.count() >= total, 60,
                       lambda: f"{sink.count()} of {total} arrived\n{d.describe()}")
            samples = h.wait_for(lambda: self.spool_emptied(port), 10,
                                 "the spool was not emptied")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(sink.numbers(), list(range(total)))
        self.assertEqual(h.transport_records(samples, 0, "http", "sent"), total)
        self.assertEqual(h.transport_records(samples, 0, "http", "dropped"), 0)

    def test_full_spool_with_drop_oldest_drops_the_oldest_batches_counted(self):
        total = 3000
        port = free_port()
        cfg = self.config([{"type": "http", "url": f"http://127.0.0.1:{port}/errors",
                            "timeout_ms": 1000, "spool_after_ms": 200,
                            "spool_max_bytes": 262144, "spool_policy": "drop_oldest"}],
                          metrics=True)
        cfg["batch"] = {"max_records": 50, "max_bytes": 4194304, "max_wait_ms": 100}
        h.append_text(self.log, bracket_lines(0, total))
        with h.DaemonProcess(cfg, self.config_path) as d:
            mport = h.metrics_port(d)
            samples = h.wait_for(lambda: self.all_read_and_acknowledged(mport, total), 20,
                                 lambda: f"not all read and acknowledged\n{d.describe()}")
            dropped = h.transport_records(samples, 0, "http", "dropped")
            self.assertGreater(dropped, 0, "nothing was dropped from a 256 KiB spool")
            self.assertEqual(h.transport_records(samples, 0, "http", "spooled"), total)
            self.assertLessEqual(samples[("homeostasisd_transport_spool_bytes",
                                          (("transport", "0"), ("type", "http")))], 262144)
            self.assertEqual(samples[("homeostasisd_transport_failing",
                                      (("transport", "0"), ("type", "http")))], 1)
            self.assertGreater(h.transport_records(samples, 0, "http", "retried"), 0)
            self.assertIn("dropping its oldest batches", d.stderr_text())
            sink = Sink()
            self.serve(sink, port)
            h.wait_for(lambda: sink.count() + dropped >= total, 60,
                       lambda: f"{sink.count()} arrived, {dropped} dropped of {total}\n"
                               f"{d.describe()}")
            samples = h.wait_for(lambda: self.spool_emptied(mport), 10,
                                 "the spool was not emptied")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        numbers = sink.numbers()
        self.assertEqual(len(numbers) + dropped, total, "records lost uncounted or duplicated")
        self.assertEqual(numbers, sorted(numbers), "records reordered")
        self.assertEqual(numbers[-1], total - 1, "the newest records were not kept")
        self.assertEqual(h.transport_records(samples, 0, "http", "sent"), len(numbers))
        self.assertEqual(samples[("homeostasisd_transport_failing",
                                  (("transport", "0"), ("type", "http")))], 0)

    def tls_server(self, sink):
        """An HTTPS server with a certificate for 127.0.0.1; returns (url, certificate files)."""
        certs = make_certificates(self.tmp.join("tls"))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certs["server.pem"], certs["server.key"])
        return self.serve(sink, tls=context), certs

    def test_tls_with_ca_file_records_arrive_and_the_token_is_never_logged(self):
        total = 3000
        sink = Sink()
        url, certs = self.tls_server(sink)
        self.assertTrue(url.startswith("https://127.0.0.1:"))
        token_file = self.tmp.write("token", TOKEN + "\n")
        cfg = self.config([{"type": "http", "url": url, "ca_file": certs["ca.pem"],
                            "bearer_token_file": token_file}], metrics=True)
        h.append_text(self.log, bracket_lines(0, total))
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)
            h.wait_for(lambda: sink.count() >= total, 20,
                       lambda: f"{sink.count()} of {total} arrived over TLS\n{d.describe()}")
            samples = h.wait_for(lambda: self.all_read_and_acknowledged(port, total), 10,
                                 "not everything was acknowledged")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        self.assertEqual(sink.numbers(), list(range(total)))
        self.assertEqual(h.transport_records(samples, 0, "http", "sent"), total)
        self.assertEqual(h.transport_records(samples, 0, "http", "retried"), 0)
        self.assertEqual(sink.connections, 1, "TLS keep-alive: one connection")
        self.assertTrue(sink.headers)
        for hdrs in sink.headers:
            self.assertEqual(hdrs.get("Authorization"), "Bearer " + TOKEN)
        self.assertNotIn(TOKEN, stderr, "the bearer token was logged")

    def test_tls_with_a_wrong_ca_or_none_fails_and_nothing_is_acknowledged(self):
        sink = Sink()
        url, certs = self.tls_server(sink)
        token_file = self.tmp.write("token", TOKEN + "\n")
        # Without a spool a failing batch stays unacknowledged (spooled ones would count).
        cfg = self.config([
            {"type": "http", "url": url, "ca_file": certs["other-ca.pem"], "spool": False,
             "bearer_token_file": token_file},
            {"type": "http", "url": url, "spool": False},  # the system's trust store
        ], metrics=True)
        h.append_text(self.log, bracket_lines(0, 300))
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)

            def both_retried():
                s = h.scrape_metrics(port)
                return s if all((h.transport_records(s, i, "http", "retried") or 0) >= 300
                                for i in (0, 1)) else None
            samples = h.wait_for(both_retried, 20,
                                 lambda: f"the TLS failures were not retried\n{d.describe()}")
            for i in (0, 1):
                self.assertEqual(h.transport_records(samples, i, "http", "sent"), 0)
                self.assertEqual(h.transport_records(samples, i, "http", "failed"), 0)
                self.assertEqual(h.transport_records(samples, i, "http", "spooled"), 0)
                self.assertEqual(samples[("homeostasisd_transport_failing",
                                          (("transport", str(i)), ("type", "http")))], 1)
            self.assertGreaterEqual(samples[("homeostasisd_transport_queued_batches", ())], 1)
            self.assertGreater(samples[("homeostasisd_checkpoint_lag_bytes", (("input", "0"),))],
                               0, "a batch no transport delivered was checkpointed")
            stderr = d.stderr_text()
            self.assertIn("TLS handshake", stderr)
            self.assertIn("certificate verify failed", stderr)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        self.assertEqual(sink.requests, 0, "a request went to a server that was not trusted")
        self.assertNotIn(TOKEN, stderr, "the bearer token was logged")
        self.assertIn("not acknowledged", stderr)

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
