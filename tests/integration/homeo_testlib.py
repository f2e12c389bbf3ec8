"""Helpers for homeostasisd's integration tests (standard library plus jsonschema).

The tests run the real binary: HOMEO_BIN names it (ctest sets it), else build/homeostasisd
under HOMEO_SOURCE_DIR (ctest sets that too), else under the repository this file is in.
Each test file is a unittest program: `/usr/bin/python3 tests/integration/test_x.py`.
"""

import datetime
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import jsonschema

# ---------------------------------------------------------------------------------------------
# Locations

REPO_DIR = os.path.abspath(
    os.environ.get("HOMEO_SOURCE_DIR")
    or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA_DIR = os.path.join(REPO_DIR, "tests", "data")
OWN_SCHEMA_PATH = os.path.join(REPO_DIR, "docs", "record.schema.json")
# The repository is cloned beside the shared folder that holds the Homeostasis schema.
SHARED_SCHEMA_PATH = os.path.normpath(
    os.path.join(REPO_DIR, "..", "shared", "reference", "homeostasis-error.schema.json"))

# Exit statuses of INTERFACE.md.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 64
EXIT_CANTCREAT = 73
EXIT_CONFIG = 78

# Format names as `detect` and metadata.format spell them.
FORMAT_NAMES = ("json", "python", "bracket", "syslog", "text")


def binary_path():
    path = os.environ.get("HOMEO_BIN") or os.path.join(REPO_DIR, "build", "homeostasisd")
    return os.path.abspath(path)


def require_binary():
    """Fails loudly (not skips) when the binary is missing: a test run without it tests nothing."""
    path = binary_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError(
            f"homeostasisd binary not found at {path}; build it (make) or set HOMEO_BIN")
    return path


def data_file(name):
    return os.path.join(DATA_DIR, name)


def child_env(extra=None):
    """The environment for the binary: times without a zone are read in UTC so that expected
    timestamps do not depend on the host's zone. `extra` adds variables; a None value unsets."""
    env = dict(os.environ)
    env["TZ"] = "UTC"
    env.pop("NOTIFY_SOCKET", None)
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)  # None unsets
        else:
            env[k] = v
    return env


# ---------------------------------------------------------------------------------------------
# Temp dirs


class TempDir:
    """A temp directory removed on exit (kept when HOMEO_KEEP_TMP is set, for debugging)."""

    def __init__(self, prefix="homeo-it-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def join(self, *parts):
        return os.path.join(self.path, *parts)

    def mkdir(self, *parts):
        p = self.join(*parts)
        os.makedirs(p, exist_ok=True)
        return p

    def write(self, name, text, mode="w"):
        p = self.join(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, mode, encoding="utf-8") as f:
            f.write(text)
        return p

    def cleanup(self):
        if os.environ.get("HOMEO_KEEP_TMP"):
            sys.stderr.write(f"note: kept {self.path}\n")
            return
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False


def append_text(path, text):
    """Appends and closes, so the bytes are in the file when this returns."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


# ---------------------------------------------------------------------------------------------
# Running commands


class Result:
    def __init__(self, args, code, stdout, stderr):
        self.args = args
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def records(self):
        """stdout parsed as NDJSON; every non-empty line must be one JSON object."""
        return parse_ndjson(self.stdout, what="stdout of " + " ".join(self.args))

    def describe(self):
        return (f"command: {' '.join(self.args)}\nexit: {self.code}\n"
                f"--- stdout ---\n{self.stdout[-4000:]}\n--- stderr ---\n{self.stderr[-4000:]}")


def run_cmd(*args, stdin_text=None, timeout=60, env=None):
    """Runs `homeostasisd ARGS...` to completion; returns a Result."""
    argv = [require_binary()] + [str(a) for a in args]
    try:
        p = subprocess.run(argv, input=stdin_text if stdin_text is not None else "",
                           capture_output=True, text=True, timeout=timeout,
                           env=child_env(env), errors="replace")
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{' '.join(argv)} did not finish within {timeout}s") from e
    return Result(argv, p.returncode, p.stdout, p.stderr)


def run_parse(*args, **kwargs):
    return run_cmd("parse", *args, **kwargs)


# ---------------------------------------------------------------------------------------------
# NDJSON


def parse_ndjson(text, what="output"):
    records = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise AssertionError(f"{what}: line {n} is not JSON ({e}): {line[:300]!r}") from e
        if not isinstance(obj, dict):
            raise AssertionError(f"{what}: line {n} is not a JSON object: {line[:300]!r}")
        records.append(obj)
    return records


def read_ndjson(path):
    """The complete lines of an NDJSON file (a last line still being written is left out).
    A missing file reads as no records."""
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return []
    if text and not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]
    return parse_ndjson(text, what=path)


# ---------------------------------------------------------------------------------------------
# Schema validation

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_rfc3339(value):
    if not isinstance(value, str):
        return True  # formats only constrain strings
    m = _RFC3339.match(value)
    if not m:
        return False
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    try:
        datetime.date(y, mo, d)
    except ValueError:
        return False
    if h > 23 or mi > 59 or s > 60:
        return False
    off = m.group(8)
    if off not in ("Z", "z"):
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            return False
    return True


def make_format_checker():
    """A FormatChecker whose date-time check really runs: jsonschema only checks date-time when
    an optional package is installed, so without it ours is registered."""
    checker = jsonschema.FormatChecker()
    if "date-time" not in checker.checkers or checker.conforms("2023-13-45T99:00:00Z",
                                                               "date-time"):
        checker.checks("date-time")(_is_rfc3339)
    return checker


class RecordValidator:
    """Validates records against docs/record.schema.json and, when the shared folder is beside
    the repository, the Homeostasis error-record schema."""

    _note_printed = False

    def __init__(self):
        checker = make_format_checker()
        self.validators = []
        with open(OWN_SCHEMA_PATH, encoding="utf-8") as f:
            own = json.load(f)
        jsonschema.Draft7Validator.check_schema(own)
        self.validators.append(("docs/record.schema.json",
                                jsonschema.Draft7Validator(own, format_checker=checker)))
        if os.path.isfile(SHARED_SCHEMA_PATH):
            with open(SHARED_SCHEMA_PATH, encoding="utf-8") as f:
                shared = json.load(f)
            self.validators.append(("homeostasis-error.schema.json",
                                    jsonschema.Draft7Validator(shared, format_checker=checker)))
        elif not RecordValidator._note_printed:
            RecordValidator._note_printed = True
            sys.stderr.write(f"note: {SHARED_SCHEMA_PATH} not found; validating records "
                             "against docs/record.schema.json only\n")

    def errors(self, record):
        """A list of readable problems, empty when the record is valid against every schema."""
        problems = []
        for name, v in self.validators:
            for e in sorted(v.iter_errors(record), key=lambda e: list(e.absolute_path)):
                where = "/".join(str(p) for p in e.absolute_path) or "(record)"
                problems.append(f"{name}: {where}: {e.message}")
        return problems

    def assert_valid(self, testcase, records, what=""):
        for i, r in enumerate(records):
            problems = self.errors(r)
            if problems:
                testcase.fail(f"{what} record {i} is not valid:\n  " + "\n  ".join(problems) +
                              "\nrecord: " + json.dumps(r)[:2000])


_validator = None


def validator():
    global _validator
    if _validator is None:
        _validator = RecordValidator()
    return _validator


# ---------------------------------------------------------------------------------------------
# Field paths and fixture expectations


_MISSING = object()


def get_path(obj, path):
    """`a.b.-1.c`: keys of objects; integers index arrays (negative from the end).
    Returns _MISSING when any step does not exist."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, dict):
            if part not in cur:
                return _MISSING
            cur = cur[part]
        elif isinstance(cur, list):
            try:
                idx = int(part)
                cur = cur[idx]
            except (ValueError, IndexError):
                return _MISSING
        else:
            return _MISSING
    return cur


def has_path(obj, path):
    return get_path(obj, path) is not _MISSING


def check_expectations(testcase, records, spec, what):
    """Checks records against one `records` entry list of a <fixture>.expected.json
    (see tests/data/README.md): index, equals, matches, present, absent."""
    for exp in spec:
        idx = exp["index"]
        testcase.assertLess(idx, len(records), f"{what}: no record {idx} (have {len(records)})")
        rec = records[idx]
        label = f"{what}: record {idx} ({exp.get('note', '')})"
        def need(path):
            got = get_path(rec, path)
            if got is _MISSING:
                testcase.fail(f"{label}: {path} is missing; record: {json.dumps(rec)[:1500]}")
            return got

        for path, want in exp.get("equals", {}).items():
            testcase.assertEqual(need(path), want, f"{label}: {path}")
        for path, pattern in exp.get("matches", {}).items():
            got = need(path)
            testcase.assertIsInstance(got, str, f"{label}: {path} is not a string")
            testcase.assertRegex(got, pattern, f"{label}: {path}")
        for path in exp.get("present", []):
            testcase.assertTrue(has_path(rec, path),
                                f"{label}: {path} is missing; record: {json.dumps(rec)[:1500]}")
        for path in exp.get("absent", []):
            testcase.assertFalse(has_path(rec, path),
                                 f"{label}: {path} should be absent, is {get_path(rec, path)!r}")


def load_expectations(fixture_name):
    base, _ = os.path.splitext(fixture_name)
    with open(data_file(base + ".expected.json"), encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------------------------
# Polling


def wait_for(predicate, timeout, message, interval=0.02):
    """Polls predicate() until it returns a truthy value (returned) or timeout seconds pass
    (AssertionError with `message`, which may be a callable for a message built at failure)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout:.1f}s: {text}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# YAML (the small subset our configs need, so the tests need no YAML library)


def _yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(str(v))  # a JSON string is a valid YAML double-quoted scalar


def to_yaml(value, indent=0):
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 2))
            elif isinstance(v, (dict, list)):
                lines.append(f"{pad}{k}: {'{}' if isinstance(v, dict) else '[]'}")
            else:
                lines.append(f"{pad}{k}: {_yaml_scalar(v)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                inner = to_yaml(item, indent + 2).splitlines()
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            elif isinstance(item, list):
                lines.append(f"{pad}- {json.dumps(item)}")
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    else:
        lines.append(pad + _yaml_scalar(value))
    return "\n".join(lines)


def write_config(path, config):
    """Writes a config given as a dict (or YAML text) and returns its path."""
    text = config if isinstance(config, str) else to_yaml(config) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def daemon_config(tmp, log_glob, out_path, **overrides):
    """A config for the daemon tests: one input, a file transport, fast batches, no
    throttling."""
    cfg = {
        "service": "it-service",
        "state_dir": os.path.join(tmp, "state"),
        "min_level": "ERROR",
        "timezone": "UTC",
        "multiline_timeout_ms": 200,
        "drain_timeout_ms": 3000,
        "inputs": [{
            "paths": [log_glob],
            "format": "auto",
            "read_from": "beginning",
            "tags": ["it"],
        }],
        "batch": {"max_records": 100, "max_bytes": 1048576, "max_wait_ms": 100},
        # Tests count every record of what they write; test_throttle.py turns it on.
        "throttle": {"enabled": False},
        "transports": [{"type": "file", "path": out_path}],
        "metrics": {"enabled": False},
    }
    cfg.update(overrides)
    return cfg


# ---------------------------------------------------------------------------------------------
# The daemon


class DaemonProcess:
    """`homeostasisd run --config FILE` as a context manager.

    Writes `config` (a dict or YAML text) to config_path, starts the daemon with a NOTIFY_SOCKET
    of its own so readiness (sd_notify READY=1) can be awaited, and on exit stops it with
    SIGTERM. stop() returns the exit status. stdout and stderr go to files in the config's
    directory, readable with .stdout_text() / .stderr_text()."""

    def __init__(self, config, config_path, env=None, wait_ready=True, ready_timeout=10.0):
        self.config = config
        self.config_path = config_path
        self.env = env
        self.want_ready = wait_ready
        self.ready_timeout = ready_timeout
        self.proc = None
        self.returncode = None
        self.notify_messages = []
        base = os.path.splitext(config_path)[0]
        self.stdout_path = base + ".stdout"
        self.stderr_path = base + ".stderr"
        self._sock = None
        self._sock_path = None
        self._notify_cv = threading.Condition()
        self._notify_reader = None

    # -- lifecycle

    def start(self):
        if self.config is not None:
            write_config(self.config_path, self.config)
        self._sock_path = os.path.join(tempfile.mkdtemp(prefix="homeo-notify-"), "notify.sock")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self._sock_path)
        env = child_env(self.env)
        env["NOTIFY_SOCKET"] = self._sock_path
        self._out = open(self.stdout_path, "ab")
        self._err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen([require_binary(), "run", "--config", self.config_path],
                                     stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err, env=env)
        if self.want_ready:
            self.wait_ready(self.ready_timeout)
        return self

    def wait_ready(self, timeout):
        """Waits for READY=1 on the notify socket; fails if the daemon exits first."""
        self.wait_notify("READY=1", timeout)

    def wait_notify(self, word, timeout):
        deadline = time.monotonic() + timeout
        while not any(word in m.split("\n") for m in self.notify_messages):
            if self.proc.poll() is not None:
                raise AssertionError(f"homeostasisd exited with {self.proc.returncode} before "
                                     f"sending {word}\n{self.describe()}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"homeostasisd sent no {word} on NOTIFY_SOCKET within "
                                     f"{timeout}s (got {self.notify_messages})\n"
                                     f"{self.describe()}")
            if self._notify_reader is not None:
                with self._notify_cv:
                    self._notify_cv.wait(min(left, 0.05))
                continue
            readable, _, _ = select.select([self._sock], [], [], min(left, 0.05))
            if readable:
                self.notify_messages.append(self._sock.recv(4096).decode(errors="replace"))

    def drain_notify(self):
        """Reads the notify messages that arrived so far (non-blocking)."""
        if self._notify_reader is not None:
            return self.notify_messages
        while True:
            readable, _, _ = select.select([self._sock], [], [], 0)
            if not readable:
                return self.notify_messages
            self.notify_messages.append(self._sock.recv(4096).decode(errors="replace"))

    def follow_notify(self):
        """Reads the notify messages in a thread from now on, as systemd does. A test that
        makes the daemon send many (each reload sends RELOADING=1 and READY=1) needs it: a
        datagram socket holds only a few unread messages, after which the daemon's sd_notify
        blocks. wait_notify() and drain_notify() keep working."""
        sock = self._sock

        def reader():
            try:
                while True:
                    readable, _, _ = select.select([sock], [], [], 0.05)
                    if readable:
                        message = sock.recv(4096).decode(errors="replace")
                        with self._notify_cv:
                            self.notify_messages.append(message)
                            self._notify_cv.notify_all()
            except (OSError, ValueError):
                return  # the socket was closed by stop()

        self._notify_reader = threading.Thread(target=reader, daemon=True)
        self._notify_reader.start()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, signo):
        self.proc.send_signal(signo)

    def stop(self, timeout=10.0, signo=signal.SIGTERM):
        """Sends signo (SIGTERM) and waits for the exit; returns the exit status. A daemon
        that does not exit within timeout is killed and the test fails."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signo)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close()
                raise AssertionError(f"homeostasisd did not exit within {timeout}s of "
                                     f"{signal.Signals(signo).name}\n{self.describe()}")
        self.returncode = self.proc.returncode
        self._close()
        return self.returncode

    def _close(self):
        for f in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if f and not f.closed:
                f.close()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            shutil.rmtree(os.path.dirname(self._sock_path), ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._close()
            raise

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.stop()
            except AssertionError:
                if exc[0] is None:
                    raise
        else:
            self._close()
        return False

    # -- output

    def stdout_text(self):
        return read_text(self.stdout_path)

    def stderr_text(self):
        return read_text(self.stderr_path)

    def describe(self):
        if self.proc is None:
            state = "not started"
        elif self.proc.poll() is None:
            state = f"running (pid {self.proc.pid})"
        elif self.proc.returncode < 0:
            state = f"killed by {signal.Signals(-self.proc.returncode).name}"
        else:
            state = f"exited with status {self.proc.returncode}"
        return (f"--- daemon: {state}; notify messages: {self.notify_messages}\n"
                f"--- daemon stderr (tail) ---\n{self.stderr_text()[-3000:]}\n"
                f"--- daemon stdout (tail) ---\n{self.stdout_text()[-2000:]}")


# ---------------------------------------------------------------------------------------------
# Self-metrics


def metrics_port(daemon, timeout=5.0):
    """The port of a daemon's /metrics endpoint (configured with port 0), from its log: the
    last one logged, which after reloads is the running generation's."""
    ports = wait_for(lambda: re.findall(r"metrics on \S+ \(port (\d+)\)", daemon.stderr_text()),
                     timeout, lambda: f"the metrics port was not logged\n{daemon.describe()}")
    return int(ports[-1])


def scrape_metrics(port, timeout=5.0):
    """The samples of /metrics as {(name, ((label, value), ...)): value}, labels sorted."""
    # Imported here: only the tests that scrape need python3-prometheus-client.
    from prometheus_client.parser import text_string_to_metric_families
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as resp:
        text = resp.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def transport_records(samples, index, type_, outcome):
    """homeostasisd_transport_records_total of transport `index` for one outcome."""
    return samples.get(("homeostasisd_transport_records_total",
                        (("outcome", outcome), ("transport", str(index)), ("type", type_))))


class PythonLogToFileTest(unittest.TestCase):
    """A daemon following logs/app.log (Python logging lines) into a file transport, with
    metrics on a free port; subclasses adjust self.cfg before starting it."""

    give_up_s = 30.0

    def setUp(self):
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.log = os.path.join(self.logs, "app.log")
        self.out = self.tmp.join("out", "errors.jsonl")
        os.makedirs(os.path.dirname(self.out))
        self.config_path = self.tmp.join("config.yaml")
        self.cfg = daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out)
        self.cfg["inputs"][0]["format"] = "python"
        self.cfg["batch"] = {"max_records": 500, "max_bytes": 4194304, "max_wait_ms": 50}
        self.cfg["metrics"] = {"enabled": True, "listen": "127.0.0.1:0"}

    def shipped(self):
        return read_ndjson(self.out) if os.path.exists(self.out) else []

    def records(self, n, d):
        """The transport's records once there are at least n."""
        wait_for(lambda: len(self.shipped()) >= n, self.give_up_s,
                 lambda: f"{len(self.shipped())} of {n} records arrived\n{d.describe()}")
        return self.shipped()

    def metric(self, d, name, labels=()):
        """One sample of the daemon's /metrics; None while it does not answer (across a
        reload the port logged last may still be the old generation's for a moment)."""
        try:
            return scrape_metrics(metrics_port(d)).get((name, labels))
        except OSError:
            return None

    def settled(self, d):
        """Waits until every byte read is acknowledged and checkpointed."""
        wait_for(lambda: self.metric(d, "homeostasisd_checkpoint_lag_bytes",
                                     (("input", "0"),)) == 0, self.give_up_s,
                 lambda: f"not everything was acknowledged\n{d.describe()}")


def python_error_line(n, text):
    """A Python logging ERROR line whose time (and milliseconds) follow n."""
    return (f"2023-05-20 15:{(n // 60) % 60:02d}:{n % 60:02d},{n % 1000:03d} - app.live - ERROR"
            f" - {text}\n")


def distinct_error(i):
    """The i-th of up to 400 errors of different types, told apart by letters (numbers and
    hex-looking words are the variable parts a fingerprint leaves out)."""
    letters = "ghijklmnopqrstuvwxyz"
    name = letters[i // 20].upper() + letters[i % 20] + "Failure"
    return f"{name}Error: the {name.lower()} step failed"


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def main():
    """unittest.main with verbose output, so ctest logs name each test."""
    unittest.main(verbosity=2)
