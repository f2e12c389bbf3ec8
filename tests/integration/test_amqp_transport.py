"""The amqp transport against a real RabbitMQ node started here on loopback (Debian's
rabbitmq-server, a private node: its own name, ports, epmd, data and config in a temp dir),
consumed with pika: 50,000 records across a broker stop and restart (durable queue,
persistent messages, publisher confirms) with none lost and right routing keys; the exchange
declared when missing; `mandatory` holding back records no queue takes until one is bound; a
connection the broker closed while the daemon was idle reopened without a failure; amqps with
the broker's certificate checked against ca_file."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402

try:
    import pika
except ImportError:  # reported as a failure by the tests, not a skip
    pika = None

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
EPMD = shutil.which("epmd") or "/usr/bin/epmd"
NUMBER = re.compile(r"n=(\d+)")
PASSWORD = "pw-never-logged"
USER = "homeo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RabbitNode:
    """A private RabbitMQ node: started in the foreground in its own process group, with its
    own epmd (ERL_EPMD_PORT), and a data directory that survives stop()/start()."""

    def __init__(self, base, tls=None):
        """`tls`: (ca, cert, key) paths for an amqps listener on self.tls_port."""
        self.base = base
        self.port = free_port()
        self.tls_port = free_port()
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.proc = None
        self.log_path = os.path.join(base, "server.log")
        for d in ("mnesia", "log", "home"):
            os.makedirs(os.path.join(base, d), exist_ok=True)
        with open(os.path.join(base, "rabbitmq.conf"), "w", encoding="utf-8") as f:
            f.write(f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
                    "loopback_users = none\n"
                    f"default_user = {USER}\n"
                    f"default_pass = {PASSWORD}\n"
                    "log.console = true\n"
                    "log.console.level = warning\n"
                    "log.file = false\n")
            if tls:
                ca, cert, key = tls
                f.write(f"listeners.ssl.1 = 127.0.0.1:{self.tls_port}\n"
                        f"ssl_options.cacertfile = {ca}\n"
                        f"ssl_options.certfile = {cert}\n"
                        f"ssl_options.keyfile = {key}\n"
                        "ssl_options.verify = verify_none\n"
                        "ssl_options.fail_if_no_peer_cert = false\n")
        with open(os.path.join(base, "enabled_plugins"), "w", encoding="utf-8") as f:
            f.write("[].\n")
        with open(os.path.join(base, "rabbitmq-env.conf"), "w", encoding="utf-8") as f:
            f.write("")
        self.env = dict(os.environ)
        self.env.update({
            "HOME": os.path.join(base, "home"),  # the Erlang cookie goes there
            "RABBITMQ_NODENAME": f"homeo-test-{os.getpid()}-{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_CONF_ENV_FILE": os.path.join(base, "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": os.path.join(base, "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": os.path.join(base, "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(base, "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": os.path.join(base, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(base, "log"),
            "RABBITMQ_PID_FILE": os.path.join(base, "rabbitmq.pid"),
            "RABBITMQ_FEATURE_FLAGS_FILE": os.path.join(base, "feature_flags"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": os.path.join(base, "plugins-expand"),
            "RABBITMQ_QUORUM_DIR": os.path.join(base, "quorum"),
            "RABBITMQ_STREAM_DIR": os.path.join(base, "stream"),
        })

    @property
    def url(self):
        return f"amqp://{USER}:{PASSWORD}@127.0.0.1:{self.port}/"

    def start(self, timeout=90):
        if not os.path.isfile(RABBITMQ_SERVER):
            raise AssertionError(f"{RABBITMQ_SERVER} not found: install rabbitmq-server "
                                 "(scripts/install-deps.sh does)")
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen([RABBITMQ_SERVER], env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        finally:
            log.close()
        h.wait_for(lambda: self.proc.poll() is not None or self.connectable(), timeout,
                   lambda: f"RabbitMQ did not accept AMQP connections on port {self.port} "
                           f"within {timeout}s\n{self.describe()}")
        if self.proc.poll() is not None:
            raise AssertionError(f"RabbitMQ exited with {self.proc.returncode} while starting\n"
                                 f"{self.describe()}")

    def connectable(self):
        if not port_open(self.port):
            return False
        try:
            self.connection().close()
            return True
        except pika.exceptions.AMQPError:
            return False

    def connection(self):
        params = pika.URLParameters(self.url)
        params.socket_timeout = 5
        params.blocked_connection_timeout = 10
        return pika.BlockingConnection(params)

    def stop(self, timeout=60):
        """A clean stop (SIGTERM to the node's process group); the data directory stays."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError(f"RabbitMQ did not stop within {timeout}s of SIGTERM")
        finally:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # anything the node left behind
            except ProcessLookupError:
                pass

    def cleanup(self):
        try:
            self.stop()
        finally:
            # The node started an epmd of its own on a private port: end it too.
            subprocess.run([EPMD, "-kill"], env=self.env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10, check=False)

    def describe(self):
        return f"--- RabbitMQ output (tail) ---\n{h.read_text(self.log_path)[-3000:]}"

    def queue_depth(self, queue):
        """Messages ready in `queue`, or None while the broker cannot be reached."""
        try:
            conn = self.connection()
        except pika.exceptions.AMQPError:
            return None
        try:
            return conn.channel().queue_declare(queue, passive=True).method.message_count
        finally:
            conn.close()

    def bind_queue(self, exchange, queue, binding_key, declare_exchange=True):
        conn = self.connection()
        try:
            ch = conn.channel()
            if declare_exchange:
                ch.exchange_declare(exchange, exchange_type="topic", durable=True)
            ch.queue_declare(queue, durable=True)
            ch.queue_bind(queue, exchange, routing_key=binding_key)
        finally:
            conn.close()

    def exchange_exists(self, exchange):
        """Whether `exchange` exists (a passive declare)."""
        conn = self.connection()
        try:
            conn.channel().exchange_declare(exchange, passive=True)
            return True
        except pika.exceptions.ChannelClosedByBroker as e:
            if e.reply_code == 404:
                return False
            raise
        finally:
            if conn.is_open:
                conn.close()

    def consume_all(self, queue, expected, timeout=60):
        """Takes every message of `queue` (at least `expected`, then until it is empty):
        a list of (routing_key, properties, body)."""
        messages = []
        conn = self.connection()
        try:
            ch = conn.channel()
            ch.basic_qos(prefetch_count=2000)
            deadline = time.monotonic() + timeout
            for method, props, body in ch.consume(queue, auto_ack=True, inactivity_timeout=2):
                if method is None:
                    if len(messages) >= expected:
                        break
                    if time.monotonic() > deadline:
                        raise AssertionError(f"only {len(messages)} of {expected} messages "
                                             f"could be consumed from {queue} in {timeout}s")
                    continue
                messages.append((method.routing_key, props, body))
            ch.cancel()
        finally:
            conn.close()
        return messages


def make_certificates(folder):
    """A CA and a server certificate it signed for localhost: (ca, cert, key) paths."""
    def openssl(*args):
        p = subprocess.run(["openssl", *args], cwd=folder, capture_output=True, text=True,
                           timeout=60, check=False)
        if p.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args)} failed: {p.stderr}")

    with open(os.path.join(folder, "san.ext"), "w", encoding="utf-8") as f:
        f.write("subjectAltName = DNS:localhost\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=homeostasisd test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
            "server.csr", "-subj", "/CN=localhost")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return tuple(os.path.join(folder, name) for name in ("ca.pem", "server.pem", "server.key"))


def bracket_lines(numbers, level_of):
    return "".join(f"[{level_of(i)}][2023-05-20 14:30:22] app - KeyError: n={i}\n"
                   for i in numbers)


def level_of(i):
    return "CRITICAL" if i % 7 == 0 else "ERROR"


class AmqpTransportTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if pika is None:
            raise AssertionError("python3-pika is not installed (scripts/install-deps.sh "
                                 "installs it)")
        h.require_binary()
        cls.node_dir = h.TempDir(prefix="homeo-rabbit-")
        cls.addClassCleanup(cls.node_dir.cleanup)
        cls.certs = make_certificates(cls.node_dir.mkdir("certs"))
        cls.node = RabbitNode(cls.node_dir.path, tls=cls.certs)
        cls.addClassCleanup(cls.node.cleanup)
        cls.node.start()

    def setUp(self):
        self.tmp = h.TempDir(prefix="homeo-amqp-it-")
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.config_path = self.tmp.join("config.yaml")
        # The node may have been stopped by a test that failed half-way.
        if self.node.proc.poll() is not None:
            self.node.start()

    def config(self, transport, inputs):
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"),
                              self.tmp.join("unused.jsonl"))
        cfg["inputs"] = inputs
        cfg["transports"] = [transport]
        cfg["batch"] = {"max_records": 500, "max_bytes": 4194304, "max_wait_ms": 100}
        cfg["drain_timeout_ms"] = 10000
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        return cfg

    def input(self, folder, service):
        return {"paths": [os.path.join(self.tmp.mkdir("logs", folder), "*.log")],
                "format": "bracket", "service": service, "read_from": "beginning"}

    def test_50k_records_across_a_broker_restart_none_lost(self):
        total = 50_000
        half = total // 2
        services = {"a": ("checkout-api", "checkout-api"), "b": ("billing.eu 2", "billing_eu_2")}
        exchange, queue = "homeostasis", "it-errors"
        # The consumer's durable queue is bound before anything is sent.
        self.node.bind_queue(exchange, queue, "errors.#")
        cfg = self.config({"type": "amqp", "url": self.node.url, "exchange": exchange,
                           "routing_key": "errors.{service}.{level}", "mandatory": True,
                           "timeout_ms": 5000},
                          [self.input("a", services["a"][0]), self.input("b", services["b"][0])])
        log_a = self.tmp.join("logs", "a", "app.log")
        log_b = self.tmp.join("logs", "b", "app.log")
        # Input a takes the even numbers, input b the odd ones, written in chunks.
        chunks = [range(start, start + 5000) for start in range(0, total, 5000)]

        def write(chunk):
            h.append_text(log_a, bracket_lines([i for i in chunk if i % 2 == 0], level_of))
            h.append_text(log_b, bracket_lines([i for i in chunk if i % 2 == 1], level_of))

        started = time.monotonic()
        write(chunks[0])
        write(chunks[1])
        with h.DaemonProcess(cfg, self.config_path) as d:
            write(chunks[2])
            # The broker goes away in the middle of the stream.
            h.wait_for(lambda: (self.node.queue_depth(queue) or 0) >= 8000, 60,
                       lambda: f"the first records did not reach the queue "
                               f"({self.node.queue_depth(queue)})\n{d.describe()}")
            self.node.stop()
            stopped_at = time.monotonic()
            for chunk in chunks[3:half // 5000 + 1]:
                write(chunk)
            h.wait_for(lambda: "retrying with backoff" in d.stderr_text(), 30,
                       lambda: f"the daemon did not notice the broker was gone\n{d.describe()}")
            self.node.start()
            outage = time.monotonic() - stopped_at
            for chunk in chunks[half // 5000 + 1:]:
                write(chunk)
            # Wait on the daemon's own account, not on the queue's depth: duplicates can fill
            # the queue to `total` while the end of a file is still unread (seen under TSan).
            # Settled means every line of both files read, every read byte acknowledged and
            # checkpointed, nothing left in the spool or the dispatcher's queue.
            mport = h.metrics_port(d)
            spool_labels = (("transport", "0"), ("type", "amqp"))

            def scrape():
                # The loop is busy with the backlog (slow under TSan): a scrape that times
                # out is an answer of "not yet", not a failure.
                try:
                    return h.scrape_metrics(mport, timeout=30)
                except OSError:
                    return {}

            def settled():
                s = scrape()
                for i in ("0", "1"):
                    if (s.get(("homeostasisd_lines_read_total", (("input", i),))) != half or
                            s.get(("homeostasisd_checkpoint_lag_bytes", (("input", i),))) != 0):
                        return None
                if (s.get(("homeostasisd_transport_spool_bytes", spool_labels)) != 0 or
                        s.get(("homeostasisd_transport_queued_batches", ())) != 0):
                    return None
                return (self.node.queue_depth(queue) or 0) >= total

            def progress():
                s = scrape()
                wanted = ("homeostasisd_lines_read_total", "homeostasisd_checkpoint_lag_bytes",
                          "homeostasisd_transport_spool_bytes",
                          "homeostasisd_transport_queued_batches")
                shown = {k: v for k, v in s.items() if k[0] in wanted}
                return (f"{self.node.queue_depth(queue)} of {total} messages in the queue, "
                        f"daemon: {shown}\n{d.describe()}\n{self.node.describe()}")

            h.wait_for(settled, 120, progress)
            self.assertEqual(d.stop(timeout=20), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        sent_in = time.monotonic() - started

        depth = self.node.queue_depth(queue)
        messages = self.node.consume_all(queue, depth)
        self.assertEqual(len(messages), depth)
        seen = {}
        error_ids = {}
        bad_keys = []
        for key, props, body in messages:
            record = h.parse_ndjson(body.decode("utf-8"), what="message body")[0]
            m = NUMBER.search(record.get("message", ""))
            self.assertIsNotNone(m, f"an unexpected record: {body[:300]!r}")
            n = int(m.group(1))
            seen[n] = seen.get(n, 0) + 1
            error_id = record["error_details"]["error_id"]
            self.assertEqual(error_ids.setdefault(n, error_id), error_id,
                             f"record {n} sent twice with different error_ids")
            self.assertEqual(props.delivery_mode, 2, "messages must be persistent")
            self.assertEqual(props.content_type, "application/json")
            folder = "a" if n % 2 == 0 else "b"
            self.assertEqual(record["service"], services[folder][0])
            self.assertEqual(record["level"], level_of(n))
            want = f"errors.{services[folder][1]}.{level_of(n).lower()}"
            if key != want:
                bad_keys.append((n, key, want))
        missing = sorted(set(range(total)) - set(seen))
        self.assertEqual(missing, [], f"{len(missing)} records lost, first: {missing[:20]}")
        self.assertEqual(set(seen), set(range(total)), "records nobody wrote")
        self.assertEqual(bad_keys, [], "wrong routing keys")
        duplicates = sum(c - 1 for c in seen.values())
        # Only the batch being published when the broker stopped can be sent twice.
        self.assertLessEqual(duplicates, cfg["batch"]["max_records"],
                             f"{duplicates} duplicates")
        self.assertNotIn(PASSWORD, stderr, "the password was logged")
        self.assertIn(f"amqp://{USER}:***@127.0.0.1:{self.node.port}/", stderr)
        sys.stderr.write(f"\n  {total} records through a broker restart ({outage:.1f}s down) in "
                         f"{sent_in:.1f}s; {duplicates} duplicates\n")

    def test_missing_exchange_is_declared_and_mandatory_waits_for_a_queue(self):
        exchange, queue = "it-declared", "it-late"
        self.assertFalse(self.node.exchange_exists(exchange))
        cfg = self.config({"type": "amqp", "url": self.node.url, "exchange": exchange,
                           "routing_key": "errors.{service}.{level}", "mandatory": True,
                           "timeout_ms": 5000, "spool": False},
                          [self.input("a", "late-svc")])
        h.append_text(self.tmp.join("logs", "a", "app.log"),
                      bracket_lines(range(100), level_of))
        with h.DaemonProcess(cfg, self.config_path) as d:
            # No queue takes the records yet: the broker returns them, the batch is retried.
            h.wait_for(lambda: "returned as unroutable" in d.stderr_text(), 30,
                       lambda: f"the daemon did not report unroutable records\n{d.describe()}")
            self.assertTrue(self.node.exchange_exists(exchange), "the exchange was not declared")
            self.node.bind_queue(exchange, queue, "errors.late-svc.*", declare_exchange=False)
            h.wait_for(lambda: (self.node.queue_depth(queue) or 0) >= 100, 60,
                       lambda: f"{self.node.queue_depth(queue)} of 100 records arrived once a "
                               f"queue was bound\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        messages = self.node.consume_all(queue, 100)
        numbers = sorted(int(NUMBER.search(body.decode()).group(1)) for _, _, body in messages)
        self.assertEqual(numbers, list(range(100)))
        self.assertEqual({key for key, _, _ in messages},
                         {"errors.late-svc.error", "errors.late-svc.critical"})
        self.assertIn(f"declared the durable topic exchange '{exchange}'", stderr)

    def test_connection_closed_while_idle_is_reopened_without_a_failure(self):
        exchange, queue = "it-idle", "it-idle"
        self.node.bind_queue(exchange, queue, "#")
        cfg = self.config({"type": "amqp", "url": self.node.url, "exchange": exchange},
                          [self.input("a", "idle-svc")])
        log = self.tmp.join("logs", "a", "app.log")
        h.append_text(log, bracket_lines(range(10), level_of))
        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: (self.node.queue_depth(queue) or 0) >= 10, 30,
                       lambda: f"the first records did not arrive\n{d.describe()}")
            # The broker restarts while the daemon has nothing to send.
            self.node.stop()
            self.node.start()
            h.append_text(log, bracket_lines(range(10, 20), level_of))
            h.wait_for(lambda: (self.node.queue_depth(queue) or 0) >= 20, 30,
                       lambda: f"{self.node.queue_depth(queue)} of 20 records arrived after the "
                               f"restart\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        self.assertEqual(stderr.count("amqp transport: connected to"), 2, stderr)
        self.assertNotIn("retrying", stderr, "the closed idle connection counted as a failure")
        messages = self.node.consume_all(queue, 20)
        numbers = sorted(int(NUMBER.search(body.decode()).group(1)) for _, _, body in messages)
        self.assertEqual(numbers, list(range(20)))

    def test_amqps_verifies_the_broker_against_ca_file(self):
        exchange, queue = "it-tls", "it-tls"
        self.node.bind_queue(exchange, queue, "#")
        url = f"amqps://{USER}:{PASSWORD}@localhost:{self.node.tls_port}/"
        # Not signed by anything in the system's trust store: refused, retried.
        cfg = self.config({"type": "amqp", "url": url, "exchange": exchange, "spool": False},
                          [self.input("a", "tls-svc")])
        cfg["drain_timeout_ms"] = 1000  # the batch cannot be delivered: do not wait for it
        log = self.tmp.join("logs", "a", "app.log")
        h.append_text(log, bracket_lines(range(10), level_of))
        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: "retrying with backoff" in d.stderr_text(), 30,
                       lambda: f"an untrusted broker certificate was accepted\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            untrusted = d.stderr_text()
        self.assertEqual(self.node.queue_depth(queue), 0)
        self.assertIn(f"amqps://{USER}:***@localhost:{self.node.tls_port}/", untrusted)
        self.assertNotIn(PASSWORD, untrusted)
        # The right CA, but the certificate names localhost, not 127.0.0.1: refused too.
        cfg["transports"][0]["ca_file"] = self.certs[0]
        cfg["transports"][0]["url"] = url.replace("@localhost:", "@127.0.0.1:")
        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: "hostname verification failed" in d.stderr_text(), 30,
                       lambda: f"a certificate for another host was accepted\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(self.node.queue_depth(queue), 0)
        # With the CA that signed it and the host it names: delivered.
        cfg["transports"][0]["url"] = url
        cfg["drain_timeout_ms"] = 10000
        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: (self.node.queue_depth(queue) or 0) >= 10, 30,
                       lambda: f"{self.node.queue_depth(queue)} of 10 records arrived over "
                               f"TLS\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        messages = self.node.consume_all(queue, 10)
        self.assertEqual(len(messages), 10)

    def test_unknown_placeholder_is_a_config_error(self):
        cfg = self.config({"type": "amqp", "url": self.node.url,
                           "routing_key": "errors.{host}.{level}"},
                          [self.input("a", "svc")])
        h.write_config(self.config_path, cfg)
        result = h.run_cmd("check", "--config", self.config_path)
        self.assertEqual(result.code, h.EXIT_CONFIG, result.describe())
        self.assertIn("unknown placeholder '{host}'", result.stderr)
        self.assertNotIn(PASSWORD, result.stdout + result.stderr)


if __name__ == "__main__":
    h.main()
