"""The metrics listener's limits (README, "Self-metrics"): at most 64 connections, the oldest
one short of a complete request closed to make room for a new one; 5 s from accept to a
complete request; 8 KiB of request line and headers (414 or 431 beyond); 405 for methods other
than GET and HEAD, 404 for unknown paths. /health stays answered while the listener is abused,
and the daemon keeps delivering.

Run: /usr/bin/python3 tests/integration/test_metrics_listener.py  (HOMEO_BIN names the binary).
"""

import os
import resource
import select
import socket
import threading
import time
import unittest
import uuid

import homeo_testlib as h

MAX_CONNECTIONS = 64
DEADLINE_S = 5.0
IDLE_CONNECTIONS = 500
HEALTH_LIMIT_S = 0.1
GIVE_UP_S = 10.0


def error_line(text):
    return f"2023-05-20 15:00:00,000 - app.live - ERROR - {text}\n"


def raise_nofile(needed):
    """Lets this process hold `needed` descriptors (soft limit up to the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise AssertionError(f"RLIMIT_NOFILE hard limit {hard} is below the {needed} "
                                 "descriptors this test needs")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def read_until_closed(sock, timeout):
    """Everything the peer sends until it closes; fails if it does not close within timeout."""
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"the listener did not close within {timeout}s; got {data!r}")
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            continue
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def request(port, raw, timeout=GIVE_UP_S):
    """Sends raw bytes; returns (status code, whole answer, seconds from connect to close)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        answer = read_until_closed(s, timeout)
    took = time.monotonic() - started
    if not answer.startswith(b"HTTP/1."):
        raise AssertionError(f"not an HTTP answer to {raw[:80]!r}...: {answer[:200]!r}")
    return int(answer.split(b" ", 2)[1]), answer, took


def get(port, path, method="GET"):
    return request(port, f"{method} {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())


def rejected(samples, reason):
    return samples.get(("homeostasisd_metrics_requests_rejected_total", (("reason", reason),)))


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def nofile_soft_limit(pid):
    with open(f"/proc/{pid}/limits", encoding="utf-8") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError(f"no 'Max open files' in /proc/{pid}/limits")


class Trickler(threading.Thread):
    """A client sending a request one byte a second, reconnecting whenever it is cut off."""

    REQUEST = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n"

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stopping = threading.Event()
        self.connections = 0
        self.bytes_sent = 0

    def run(self):
        while not self.stopping.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    self.connections += 1
                    for i in range(len(self.REQUEST)):
                        s.sendall(self.REQUEST[i:i + 1])
                        self.bytes_sent += 1
                        if self.stopping.wait(1.0):  # the pace of the abuse, not a wait
                            return
            except OSError:
                pass  # cut off: connect again

    def stop(self):
        self.stopping.set()
        self.join(timeout=GIVE_UP_S)


class MetricsListenerTest(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.log = os.path.join(self.logs, "app.log")
        h.append_text(self.log, error_line("first"))
        self.out = self.tmp.join("out", "errors.jsonl")
        os.makedirs(os.path.dirname(self.out))
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out)
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        self.daemon = h.DaemonProcess(cfg, self.tmp.join("config.yaml"))
        self.daemon.__enter__()
        self.addCleanup(self.daemon.__exit__, None, None, None)
        self.port = h.metrics_port(self.daemon)

    def wait_marker(self, marker):
        def found():
            return [r for r in h.read_ndjson(self.out) if marker in r.get("message", "")]
        return h.wait_for(found, GIVE_UP_S,
                          lambda: f"no record with {marker!r} in {self.out}\n"
                                  f"{self.daemon.describe()}")

    def test_health_answered_under_idle_connections_and_a_slow_client(self):
        raise_nofile(IDLE_CONNECTIONS + 200)
        trickler = Trickler(self.port)
        trickler.start()
        self.addCleanup(trickler.stop)
        h.wait_for(lambda: trickler.bytes_sent >= 2, GIVE_UP_S,
                   "the slow client sent nothing")
        idle = []
        self.addCleanup(lambda: [s.close() for s in idle])
        for _ in range(IDLE_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", self.port), timeout=GIVE_UP_S))
        # Every idle connection accepted (those beyond the limit closing older ones); each
        # scrape and each of the slow client's connections is accepted too.
        scrapes = [0]

        def accepted_all():
            scrapes[0] += 1
            accepted = h.scrape_metrics(self.port).get(
                ("homeostasisd_metrics_connections_accepted_total", ()), 0)
            return accepted >= IDLE_CONNECTIONS + scrapes[0] + trickler.connections

        h.wait_for(accepted_all, GIVE_UP_S,
                   lambda: f"the listener did not accept {IDLE_CONNECTIONS} connections\n"
                           f"{self.daemon.describe()}")

        marker = uuid.uuid4().hex
        h.append_text(self.log, error_line(f"during abuse {marker}"))
        times = []
        for _ in range(10):
            status, answer, took = get(self.port, "/health")
            self.assertEqual(status, 200, answer)
            times.append(took)
        self.assertLess(max(times), HEALTH_LIMIT_S,
                        f"/health took {[round(t * 1000, 1) for t in times]} ms under abuse")
        self.wait_marker(marker)

        samples = h.scrape_metrics(self.port)
        self.assertLessEqual(samples[("homeostasisd_metrics_connections_open", ())],
                             MAX_CONNECTIONS)
        self.assertGreaterEqual(samples[("homeostasisd_metrics_connections_evicted_total", ())],
                                IDLE_CONNECTIONS - MAX_CONNECTIONS)
        # The listener holds at most MAX_CONNECTIONS descriptors however many clients connect,
        # so the daemon's own descriptor limit is never approached.
        pid = self.daemon.proc.pid
        self.assertLess(fd_count(pid), 4 * MAX_CONNECTIONS,
                        f"the daemon holds {fd_count(pid)} descriptors")
        self.assertLess(fd_count(pid), nofile_soft_limit(pid))
        self.assertTrue(self.daemon.alive(), self.daemon.describe())
        note = (f"/health max {max(times) * 1000:.1f} ms over {len(times)} requests; "
                f"slow client connected {trickler.connections} times")
        print(note)

    def test_oversize_request_line_and_headers(self):
        status, answer, _ = request(
            self.port, b"GET /health?" + b"q" * 10000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(status, 414, answer)
        status, answer, _ = request(
            self.port, b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"b" * 10000 + b"\r\n\r\n")
        self.assertEqual(status, 431, answer)
        status, answer, _ = request(
            self.port, b"GET /health HTTP/1.1\r\nHost: t\r\n" +
            b"".join(b"X-H%d: %s\r\n" % (i, b"h" * 50) for i in range(200)) + b"\r\n")
        self.assertEqual(status, 431, answer)
        status, answer, _ = get(self.port, "/health", method="POST")
        self.assertEqual(status, 405, answer)
        self.assertIn(b"\r\nAllow: GET, HEAD\r\n", answer)
        status, answer, _ = get(self.port, "/nothing-here")
        self.assertEqual(status, 404, answer)
        status, answer, _ = request(self.port, b"GET\x01 / HTTP/1.1\r\n\r\n")
        self.assertEqual(status, 400, answer)
        status, answer, _ = get(self.port, "/health", method="HEAD")
        self.assertEqual(status, 200, answer)
        status, answer, _ = get(self.port, "/health")
        self.assertEqual(status, 200, answer)
        samples = h.scrape_metrics(self.port)
        self.assertEqual(rejected(samples, "uri_too_long"), 1)
        self.assertEqual(rejected(samples, "header_too_large"), 2)
        self.assertEqual(rejected(samples, "method"), 1)
        self.assertEqual(rejected(samples, "not_found"), 1)
        self.assertEqual(rejected(samples, "bad_request"), 1)
        self.assertEqual(rejected(samples, "timeout"), 0)

    def test_unfinished_request_closed_by_the_deadline(self):
        # A byte every half second: a per-read timeout would never cut this client.
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=GIVE_UP_S) as s:
            s.sendall(b"GET /health HTTP/1.1\r\n")
            closed_after = None
            while closed_after is None:
                elapsed = time.monotonic() - started
                if elapsed > DEADLINE_S + GIVE_UP_S:
                    self.fail(f"an unfinished request was not closed within {elapsed:.1f}s")
                readable, _, _ = select.select([s], [], [], 0.5)
                if readable:
                    try:
                        data = s.recv(4096)
                    except ConnectionResetError:
                        data = b""
                    self.assertEqual(data, b"", "an unfinished request got an answer")
                    closed_after = time.monotonic() - started
                    break
                try:
                    s.sendall(b"X")
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - started
        self.assertGreaterEqual(closed_after, DEADLINE_S - 0.5)
        self.assertLess(closed_after, DEADLINE_S + 2.0)
        samples = h.scrape_metrics(self.port)
        self.assertEqual(rejected(samples, "timeout"), 1)
        status, answer, _ = get(self.port, "/health")
        self.assertEqual(status, 200, answer)


if __name__ == "__main__":
    h.main()
