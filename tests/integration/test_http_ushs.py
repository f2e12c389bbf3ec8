"""The http transport's `format: ushs` against a USHS v1.0 error-reporting endpoint written here
(POST /errors, one error event per request, 201 with the event's id): every posted event is
valid against docs/ushs-error-event.schema.json and says what the record beside it in the file
transport says; gzip, the bearer token and TLS work as for the other formats; 503, 429 and a
stall are retried from the event that had no answer (none repeated, none lost, in order); an
event the server rejects with 400 goes alone to the dead-letter file while the rest of its
batch is delivered; a 401 rejects the event and those after it in its batch."""

import gzip
import http.server
import json
import os
import re
import ssl
import sys
import threading
import time
import unittest
import uuid

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402
from test_http_transport import make_certificates  # noqa: E402

NUMBER = re.compile(r"n=(\d+)")
TOKEN = "ushs-token-never-logged"
SCHEMA_PATH = os.path.join(h.REPO_DIR, "docs", "ushs-error-event.schema.json")
# The namespace of the ids derived from an error_id that is not a UUID (see the schema).
ID_NAMESPACE = uuid.UUID("b2952aa7-94fc-4b3d-ac61-d2da49650b17")
SEVERITY = {"CRITICAL": "critical", "ERROR": "high", "WARNING": "medium", "INFO": "low",
            "DEBUG": "low"}
UUID_SHAPE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def bracket_lines(start, stop):
    return "".join(f"[ERROR][2023-05-20 14:30:22] app - KeyError: n={i}\n"
                   for i in range(start, stop))


def event_validator():
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=h.make_format_checker())


class UshsApi:
    """What the endpoint saw. `script` maps a request's number (from 1) to an answer other than
    201: 503, 429 (with Retry-After: 1), 401, or "stall" (no answer until after the transport's
    timeout, then the connection is closed). An event whose message matches `reject` is answered
    400, as a server refuses one event it cannot take."""

    def __init__(self, script=None, reject=None, stall_seconds=1.5):
        self.script = dict(script or {})
        self.reject = re.compile(reject) if reject else None
        self.stall_seconds = stall_seconds
        self.validator = event_validator()
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0
        self.events = []  # accepted events, in arrival order
        self.answers = []  # (request number, answer, monotonic time)
        self.headers = []  # headers of each request
        self.problems = []  # what the handler found wrong with a request

    def accepted(self):
        with self.lock:
            return list(self.events)

    def numbers(self):
        return [int(NUMBER.search(e["error"]["message"]).group(1)) for e in self.accepted()]


def make_handler(api):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive
        # Each answer in one write (flushed after each request): written in two, the second
        # would wait for the client's delayed ACK (Nagle), 40 ms per event.
        wbufsize = 1 << 16

        def setup(self):
            super().setup()
            with api.lock:
                api.connections += 1

        def log_message(self, fmt, *args):
            pass

        def answer(self, code, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def problem(self, text):
            with api.lock:
                api.problems.append(text)
            self.answer(400, {"error": text})

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with api.lock:
                api.requests += 1
                number = api.requests
                action = api.script.get(number, 201)
                api.answers.append((number, action, time.monotonic()))
                api.headers.append(dict(self.headers.items()))
            if action == "stall":
                time.sleep(api.stall_seconds)
                self.close_connection = True
                return
            if action in (503, 429, 401):
                headers = [("Retry-After", "1")] if action == 429 else []
                self.answer(action, {"error": f"scripted {action}"}, headers)
                return
            if self.path != "/ushs/v1/errors":
                return self.problem(f"posted to {self.path}")
            if self.headers.get("Content-Type") != "application/json":
                return self.problem(f"Content-Type {self.headers.get('Content-Type')}")
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                return self.problem("no or a wrong bearer token")
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            try:
                event = json.loads(body.decode("utf-8"))
            except ValueError as e:
                return self.problem(f"not JSON: {e}")
            if not isinstance(event, dict):
                return self.problem("not one event object")
            errors = [f"{'/'.join(map(str, e.absolute_path)) or '(event)'}: {e.message}"
                      for e in api.validator.iter_errors(event)]
            if errors:
                return self.problem(f"invalid event {json.dumps(event)[:500]}: {errors}")
            if api.reject and api.reject.search(event["error"]["message"]):
                self.answer(400, {"error": "event refused", "details": {"id": event["id"]}})
                return
            with api.lock:
                api.events.append(event)
            self.answer(201, {"errorId": event["id"], "sessionId": str(uuid.uuid4())})

    return Handler


class HttpUshsTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.logs = self.tmp.mkdir("logs")
        self.out = self.tmp.join("out", "errors.jsonl")
        self.state = self.tmp.join("state")
        self.config_path = self.tmp.join("config.yaml")
        self.token_file = self.tmp.write("token", TOKEN + "\n")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()
        self.tmp.cleanup()

    def serve(self, api, tls=None):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(api))
        server.daemon_threads = True
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        scheme = "https" if tls else "http"
        return f"{scheme}://127.0.0.1:{server.server_address[1]}/ushs/v1/errors"

    def config(self, url, max_records=100, **options):
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out)
        cfg["transports"] = [
            dict({"type": "http", "url": url, "format": "ushs",
                  "bearer_token_file": self.token_file}, **options),
            {"type": "file", "path": self.out},
        ]
        cfg["batch"] = {"max_records": max_records, "max_bytes": 4194304, "max_wait_ms": 100}
        cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}
        return cfg

    def file_records(self):
        return h.read_ndjson(self.out)

    def settled(self, port, records):
        """The samples of /metrics once the file transport wrote `records` records and every
        batch is acknowledged, else None."""
        s = h.scrape_metrics(port)
        done = (h.transport_records(s, 1, "file", "sent") == records and
                s.get(("homeostasisd_transport_queued_batches", ())) == 0)
        return s if done else None

    def assert_event_says_what_the_record_says(self, event, record):
        want_id = record["error_id"]
        if UUID_SHAPE.match(want_id):
            self.assertEqual(event["id"], want_id.lower())
        else:
            self.assertEqual(event["id"], str(uuid.uuid5(ID_NAMESPACE, want_id)))
        self.assertEqual(event["timestamp"], record["timestamp"])
        self.assertEqual(event["severity"], SEVERITY[record["level"]])
        self.assertEqual(event["source"]["service"], record["service"])
        self.assertEqual(event["source"].get("hostname"), record["system_info"]["hostname"])
        error = event["error"]
        self.assertEqual(error["type"], record["error_type"])
        self.assertEqual(error["message"],
                         record["error_details"]["message"] or record["message"])
        frames = record["error_details"].get("detailed_frames", [])
        self.assertEqual(error.get("stackTrace", []), frames)
        if frames:
            inner = frames[-1]
            self.assertTrue(event["source"]["location"].startswith(
                f"{inner['file']}:{inner['line']}"), event["source"]["location"])
        else:
            self.assertNotIn("location", event["source"])
        self.assertEqual(error.get("context"), record.get("context"))
        request_id = record.get("request_info", {}).get("request_id")
        if request_id:
            self.assertEqual(event["correlationId"], request_id)
        meta = event["metadata"]
        for key, value in record["metadata"].items():
            self.assertEqual(meta[key], value, key)
        self.assertEqual(meta["error_id"], record["error_id"])
        self.assertEqual(meta["level"], record["level"])
        for key in ("language", "traceback", "tags", "request_info", "response_info",
                    "exception_type"):
            self.assertEqual(meta.get(key), record.get(key), key)

    def test_every_event_is_valid_and_says_what_its_record_says(self):
        fixtures = ["python_logging.log", "bracket.log", "app.jsonl", "syslog.log"]
        fixtures += [os.path.join("traces", f"{lang}.log") for lang in
                     ("python", "java", "go", "node", "ruby", "rust", "dotnet", "php", "elixir")]
        for name in fixtures:
            with open(h.data_file(name), encoding="utf-8") as f:
                text = f.read()
            h.append_text(os.path.join(self.logs, name.replace("/", "-").replace(".jsonl", ".log")),
                          text)
        # Lines whose records carry a code, a correlation id and an HTTP status.
        h.append_text(os.path.join(self.logs, "mysql.log"),
                      "2024-03-11T10:00:01.000000Z 12 [ERROR] [MY-010584] [Repl] Slave SQL for "
                      "channel: Error executing row event\n")
        h.append_text(os.path.join(self.logs, "access.log"),
                      '10.0.0.5 - - [11/Mar/2024:10:00:02 +0000] "GET /api/orders HTTP/1.1" 502 '
                      '157 "-" "curl/8.0"\n')
        h.append_text(os.path.join(self.logs, "spring.log"),
                      "2024-03-11T10:00:03.123Z ERROR 4242 --- [nio-8080-exec-1] "
                      "[shop,64f1a2b3c4d5e6f7,a1b2c3d4e5f6a7b8] c.s.OrderController : Request "
                      "failed\njava.lang.IllegalStateException: no stock\n"
                      "\tat com.shop.OrderController.place(OrderController.java:88)\n")
        paths = sorted(os.path.join(self.logs, n) for n in os.listdir(self.logs))
        expected = len(h.run_parse(*paths).records)
        self.assertGreaterEqual(expected, 30)
        api = UshsApi()
        url = self.serve(api)
        cfg = self.config(url, gzip=True, headers={"X-Source": "homeostasisd"})
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)
            samples = h.wait_for(
                lambda: (self.settled(port, expected) and len(api.accepted()) >= expected and
                         h.scrape_metrics(port)), 30,
                lambda: f"{len(api.accepted())} events, {len(self.file_records())} records of "
                        f"{expected}; problems: {api.problems[:3]}\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        self.assertEqual(api.problems, [])
        records = self.file_records()
        events = api.accepted()
        self.assertEqual(len(records), expected)
        self.assertEqual(len(events), expected)
        self.assertEqual(api.requests, expected, "one request per event, none repeated")
        self.assertEqual(h.transport_records(samples, 0, "http", "sent"), expected)
        self.assertEqual(h.transport_records(samples, 0, "http", "failed"), 0)
        self.assertEqual(h.transport_records(samples, 0, "http", "retried"), 0)
        self.assertEqual(api.connections, 1, "one kept-alive connection")
        self.assertNotIn(TOKEN, stderr, "the bearer token was logged")
        for hdrs in api.headers:
            self.assertEqual(hdrs.get("Content-Encoding"), "gzip")
            self.assertEqual(hdrs.get("Accept"), "application/json")
            self.assertEqual(hdrs.get("X-Source"), "homeostasisd")

        by_id = {e["metadata"]["error_id"]: e for e in events}
        self.assertEqual(len(by_id), len(events), "two events for one record")
        self.assertEqual(len({e["id"] for e in events}), len(events), "two events share an id")
        for record in records:
            event = by_id.get(record["error_id"])
            self.assertIsNotNone(event, f"no event for {record['metadata']['raw_log'][:200]}")
            with self.subTest(raw_log=record["metadata"]["raw_log"][:120]):
                self.assert_event_says_what_the_record_says(event, record)

        # What the mapping covers showed up on the way.
        self.assertGreaterEqual(len({e["severity"] for e in events}), 2)
        self.assertTrue(any(e["error"].get("code") == "MY-010584" for e in events))
        self.assertTrue(any(e["error"].get("code") == "502" and e["error"]["type"] == "HTTP502"
                            for e in events))
        self.assertTrue(any(e.get("correlationId") == "64f1a2b3c4d5e6f7" for e in events))
        languages = {e["metadata"].get("language") for e in events if "stackTrace" in e["error"]}
        self.assertGreaterEqual(len(languages), 8, languages)

    def test_retries_go_on_from_the_unanswered_event_and_a_400_rejects_that_event_alone(self):
        total = 600
        # Trouble in the first batch, again in the middle of a later one.
        script = {3: 503, 4: 429, 7: "stall", 250: 503, 251: "stall"}
        api = UshsApi(script, reject=r"n=(42|317)$")
        url = self.serve(api)
        cfg = self.config(url, timeout_ms=1000)
        cfg["inputs"][0]["format"] = "bracket"
        h.append_text(os.path.join(self.logs, "app.log"), bracket_lines(0, total))
        dead_letter = os.path.join(self.state, "dead-letter.jsonl")
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)
            samples = h.wait_for(
                lambda: (len(h.read_ndjson(dead_letter)) == 2 and self.settled(port, total)), 40,
                lambda: f"{len(api.accepted())} events, "
                        f"{len(h.read_ndjson(dead_letter))} dead-lettered\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
            stderr = d.stderr_text()
        self.assertEqual(api.problems, [])
        numbers = api.numbers()
        want = [n for n in range(total) if n not in (42, 317)]
        # A slow (sanitized) build may see an answer arrive after its timeout and send that one
        # event again; nothing else is repeated, nothing lost or reordered.
        first, seen = [], set()
        for n in numbers:
            if n not in seen:
                seen.add(n)
                first.append(n)
        self.assertEqual(first, want, "events lost or reordered")
        self.assertLessEqual(len(numbers) - len(want), 2, "events of a retried batch repeated")
        answers = {n: (a, t) for n, a, t in api.answers}
        for n in script:
            self.assertIn(n + 1, answers, f"no request after the scripted {script[n]}")
        gap = answers[5][1] - answers[4][1]
        self.assertGreaterEqual(gap, 0.95, f"retry {gap:.2f}s after a Retry-After: 1")

        dead = h.read_ndjson(dead_letter)
        self.assertEqual([NUMBER.search(x["record"]["message"]).group(1) for x in dead],
                         ["42", "317"])
        for line in dead:
            self.assertEqual(line["transport"], "http")
            self.assertIn("HTTP 400", line["reason"])
            self.assertIn("event refused", line["reason"])
        self.assertEqual(h.transport_records(samples, 0, "http", "sent"), total - 2)
        self.assertEqual(h.transport_records(samples, 0, "http", "failed"), 2)
        self.assertEqual(h.transport_records(samples, 0, "http", "dead_lettered"), 2)
        self.assertGreaterEqual(h.transport_records(samples, 0, "http", "retried"), 100 * 4)
        self.assertIn("rejected 1 of the 100 records of batch", stderr)
        self.assertNotIn(TOKEN, stderr, "the bearer token was logged")

    def test_a_401_rejects_the_event_and_the_rest_of_its_batch(self):
        total = 150
        # Request 1: the first event of batch 1, so the whole batch. Request 10: the ninth
        # event of batch 2 (requests 2 to 51), so it and the 41 after it.
        api = UshsApi({1: 401, 10: 401})
        url = self.serve(api)
        cfg = self.config(url, max_records=50)
        cfg["inputs"][0]["format"] = "bracket"
        h.append_text(os.path.join(self.logs, "app.log"), bracket_lines(0, total))
        dead_letter = os.path.join(self.state, "dead-letter.jsonl")
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)
            samples = h.wait_for(lambda: len(h.read_ndjson(dead_letter)) == 50 + 42 and
                                 self.settled(port, total), 20,
                                 lambda: f"{len(api.accepted())} events, "
                                         f"{len(h.read_ndjson(dead_letter))} dead-lettered\n"
                                         f"{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        dead = [int(NUMBER.search(x["record"]["message"]).group(1))
                for x in h.read_ndjson(dead_letter)]
        self.assertEqual(dead, list(range(0, 50)) + list(range(58, 100)))
        self.assertEqual(api.numbers(), list(range(50, 58)) + list(range(100, 150)))
        self.assertEqual(api.requests, 1 + 9 + 50, "a request after the 401 in its batch")
        self.assertEqual(h.transport_records(samples, 0, "http", "failed"), 92)
        self.assertEqual(h.transport_records(samples, 0, "http", "sent"), 58)

    def test_tls_with_ca_file(self):
        api = UshsApi()
        certs = make_certificates(self.tmp.join("tls"))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certs["server.pem"], certs["server.key"])
        url = self.serve(api, tls=context)
        cfg = self.config(url, ca_file=certs["ca.pem"])
        cfg["inputs"][0]["format"] = "bracket"
        h.append_text(os.path.join(self.logs, "app.log"), bracket_lines(0, 300))
        with h.DaemonProcess(cfg, self.config_path) as d:
            port = h.metrics_port(d)
            h.wait_for(lambda: self.settled(port, 300) and len(api.accepted()) == 300, 20,
                       lambda: f"{len(api.accepted())} of 300 events over TLS\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertEqual(api.problems, [])
        self.assertEqual(api.numbers(), list(range(300)))
        self.assertEqual(api.connections, 1, "TLS keep-alive: one connection")

    def test_ushs_with_put_is_a_config_error(self):
        cfg = self.config("http://127.0.0.1:1/ushs/v1/errors", method="PUT")
        h.write_config(self.config_path, cfg)
        r = h.run_cmd("check", "--config", self.config_path)
        self.assertEqual(r.code, h.EXIT_CONFIG, r.describe())
        self.assertIn("POST /errors", r.stderr, r.describe())


if __name__ == "__main__":
    h.main()
