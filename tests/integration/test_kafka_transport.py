"""The kafka transport against librdkafka's mock cluster (three brokers) run in a process of its
own by the kafka_mock_cluster test tool (HOMEO_KAFKA_MOCK names it; ctest sets it): 100,000
records from four files, keyed by service (one service per file), with brokers taken down and
brought back during the run. None may be lost, and each file's records must reach their
partition in line order (duplicates are allowed: a retried batch is sent again whole)."""

import json
import os
import re
import select
import subprocess
import sys
import unittest
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402

TOPIC = "homeo-it"
PARTITIONS = 8  # the four services hash to four partitions
FILES = 4
NUMBER = re.compile(r"f=(\d+) n=(\d+)")


def mock_cluster_path():
    path = os.environ.get("HOMEO_KAFKA_MOCK") or os.path.join(
        os.path.dirname(h.binary_path()), "kafka_mock_cluster")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError(f"kafka_mock_cluster not found at {path}; build the "
                             "kafka_mock_cluster target or set HOMEO_KAFKA_MOCK")
    return path


class MockCluster:
    """The kafka_mock_cluster tool: one command per line on stdin, one answer line on stdout."""

    def __init__(self, stderr_path):
        self._err = open(stderr_path, "ab")
        self.proc = subprocess.Popen([mock_cluster_path(), "3"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._err, text=True)
        line = self._read_line(10)
        if not line.startswith("bootstraps "):
            raise AssertionError(f"kafka_mock_cluster said {line!r} instead of its bootstraps")
        self.bootstraps = line.split(" ", 1)[1]

    def _read_line(self, timeout):
        readable, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not readable:
            raise AssertionError(f"kafka_mock_cluster did not answer within {timeout}s")
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"kafka_mock_cluster exited ({self.proc.poll()})")
        return line.strip()

    def command(self, text, timeout=60):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        answer = self._read_line(timeout)
        if not answer.startswith("ok"):
            raise AssertionError(f"kafka_mock_cluster: {text!r} -> {answer!r}")
        return answer[2:].strip()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self._err):
            f.close()


def bracket_lines(file_index, start, stop):
    return "".join(f"[ERROR][2023-05-20 14:30:22] app - KeyError: f={file_index} n={i}\n"
                   for i in range(start, stop))


class KafkaTransportTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.cluster = MockCluster(self.tmp.join("mock.stderr"))
        self.addCleanup(self.cluster.close)
        self.cluster.command(f"topic {TOPIC} {PARTITIONS}")
        self.logs = [self.tmp.mkdir("logs", f"f{i}") for i in range(FILES)]
        self.config_path = self.tmp.join("config.yaml")

    def config(self):
        cfg = h.daemon_config(self.tmp.path, "", self.tmp.join("unused.jsonl"))
        cfg["inputs"] = [{"paths": [os.path.join(self.logs[i], "*.log")], "format": "bracket",
                          "read_from": "beginning", "service": f"svc-{i}"}
                         for i in range(FILES)]
        cfg["batch"] = {"max_records": 500, "max_bytes": 4194304, "max_wait_ms": 100}
        cfg["transports"] = [{"type": "kafka", "brokers": self.cluster.bootstraps,
                              "topic": TOPIC, "key": "service", "compression": "zstd",
                              "timeout_ms": 1000,
                              "librdkafka": {"reconnect.backoff.max.ms": 200}}]
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        return cfg

    def append(self, start, stop):
        for i in range(FILES):
            h.append_text(os.path.join(self.logs[i], "app.log"), bracket_lines(i, start, stop))

    def test_100k_records_through_broker_outages_none_lost_in_order_per_file(self):
        per_file = 25_000
        total = per_file * FILES
        self.append(0, per_file // 2)
        with h.DaemonProcess(self.config(), self.config_path) as d:
            m = h.wait_for(lambda: re.search(r"metrics on \S+ \(port (\d+)\)", d.stderr_text()),
                           5.0, "the metrics port was not logged")
            url = f"http://127.0.0.1:{m.group(1)}/metrics"

            def counter(outcome):
                with urllib.request.urlopen(url, timeout=5) as resp:
                    text = resp.read().decode()
                for fam in text_string_to_metric_families(text):
                    for s in fam.samples:
                        if (s.name == "homeostasisd_transport_records_total"
                                and s.labels.get("type") == "kafka"
                                and s.labels.get("outcome") == outcome):
                            return int(s.value)
                raise AssertionError(f"no kafka {outcome} counter in /metrics:\n{text[:3000]}")

            def outage(down, why):
                """Takes brokers down until the daemon retried a batch at least once (its sends
                time out after timeout_ms), or the stream went on without it (the brokers down
                lead no partition in use), then brings them back."""
                retried, sent = counter("retried"), counter("sent")
                self.cluster.command(f"down {down}")
                h.wait_for(lambda: counter("retried") > retried or counter("sent") > sent + 5000,
                           20, lambda: f"{why}: no retry and no progress\n{d.describe()}")
                self.cluster.command(f"up {down}")
                return counter("retried") > retried

            h.wait_for(lambda: counter("sent") >= 5000, 30,
                       lambda: f"the first records did not arrive\n{d.describe()}")
            self.assertTrue(outage(-1, "all brokers down"), "no retry while every broker was down")
            self.append(per_file // 2, per_file * 3 // 4)
            outage(2, "broker 2 down")
            self.append(per_file * 3 // 4, per_file)
            h.wait_for(lambda: counter("sent") >= total // 2 + 5000, 60,
                       lambda: f"records stopped flowing\n{d.describe()}")
            self.assertTrue(outage(-1, "all brokers down again"),
                            "no retry while every broker was down the second time")
            h.wait_for(lambda: counter("sent") >= total, 60,
                       lambda: f"{counter('sent')} of {total} records sent\n{d.describe()}")
            sent, retried, failed = counter("sent"), counter("retried"), counter("failed")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

        self.assertEqual(sent, total)
        self.assertEqual(failed, 0)
        self.assertGreater(retried, 0)
        dump = self.tmp.join("dump.tsv")
        count = int(self.cluster.command(f"dump {TOPIC} {dump}"))
        self.assertGreaterEqual(count, total)

        partitions = {}  # service -> partitions it landed in
        seen = {}  # file -> numbers in the order their first copies were written
        copies = 0
        with open(dump, encoding="utf-8") as f:
            for line in f:
                partition, _offset, key, value = line.rstrip("\n").split("\t", 3)
                record = json.loads(value)
                self.assertEqual(key, record["service"], "the key is not the record's service")
                partitions.setdefault(key, set()).add(int(partition))
                file_index, n = map(int, NUMBER.search(record["message"]).groups())
                self.assertEqual(record["service"], f"svc-{file_index}")
                numbers = seen.setdefault(file_index, {})
                if n in numbers:
                    copies += 1
                else:
                    numbers[n] = len(numbers)
        self.assertEqual(count, total + copies)
        for key, parts in partitions.items():
            self.assertEqual(len(parts), 1, f"{key} landed in partitions {sorted(parts)}")
        for file_index in range(FILES):
            numbers = seen.get(file_index, {})
            missing = sorted(set(range(per_file)) - set(numbers))
            self.assertEqual(missing, [], f"file {file_index}: records lost")
            # Read in offset order, the first copies of a file's records follow its lines.
            order = sorted(numbers, key=numbers.get)
            self.assertEqual(order, list(range(per_file)), f"file {file_index}: reordered")
        # Copies come only from batches sent again.
        self.assertLessEqual(copies, retried)
        sys.stderr.write(f"note: {total} records, {retried} retried, {copies} duplicates\n")


if __name__ == "__main__":
    h.main()
