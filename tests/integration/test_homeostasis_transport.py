"""The homeostasis transport, read the way Homeostasis' orchestrator reads its log file.

OrchestratorView below does what the orchestrator's monitoring does with `monitoring.log_file`
(extract_errors) and without it (get_latest_errors): pure JSON lines and `... - LEVEL - {json}`
lines, the level filter, `limit` taken in file order, naive start/end time filters, the sort by
timestamp, and datetime.fromisoformat as Python 3.10 has it (no `Z`, fractions of 3 or 6
digits). The daemon follows a Python service's log in America/New_York time, as the
orchestrator on that host would see it.

Run: /usr/bin/python3 tests/integration/test_homeostasis_transport.py
"""

import datetime
import json
import os
import re
import unittest
from zoneinfo import ZoneInfo

import homeo_testlib as h

ZONE = "America/New_York"
GIVE_UP_S = 15.0

# ---------------------------------------------------------------------------------------------
# The orchestrator's side

_PY310_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:.(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{3}|\d{6}))?)?)?"
    r"(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?)?$")


def fromisoformat_310(text):
    """datetime.fromisoformat of Python 3.10, which Homeostasis' CI runs: what isoformat()
    writes, and nothing more (a `Z`, or a fraction of other than 3 or 6 digits, is a
    ValueError)."""
    if not isinstance(text, str):
        raise TypeError(f"fromisoformat: argument must be str, not {type(text).__name__}")
    m = _PY310_ISO.match(text)
    if not m:
        raise ValueError(f"Invalid isoformat string: {text!r}")
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hh, mi, ss = (int(m.group(i) or 0) for i in (4, 5, 6))
    frac = m.group(7) or ""
    micro = int(frac) * (1000 if len(frac) == 3 else 1) if frac else 0
    tz = None
    if m.group(8):
        offset = datetime.timedelta(hours=int(m.group(9)), minutes=int(m.group(10)),
                                    seconds=int(m.group(11) or 0))
        tz = datetime.timezone(-offset if m.group(8) == "-" else offset)
    return datetime.datetime(y, mo, d, hh, mi, ss, micro, tzinfo=tz)


class OrchestratorView:
    """How the orchestrator reads errors out of a log file."""

    def __init__(self, path):
        self.path = path

    def extract_errors(self, levels=None, limit=10, start_time=None, end_time=None):
        levels = [lv.upper() for lv in (levels or ["ERROR", "CRITICAL"])]
        found = []
        if not os.path.exists(self.path):
            return found
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                try:
                    if line.strip().startswith("{"):
                        data = json.loads(line.strip())
                        if data.get("level") not in levels:
                            continue
                    else:
                        # A logging line `asctime - name - LEVEL - {json}`: the level between
                        # dashes, the JSON from the first brace to the end of the line.
                        if not any(f" - {lv} - " in line for lv in levels):
                            continue
                        start = line.find("{")
                        text = line[start:].rstrip("\n")
                        if start < 0 or not text.endswith("}"):
                            continue
                        data = json.loads(text)
                    if start_time or end_time:
                        try:
                            when = fromisoformat_310(data.get("timestamp", ""))
                            if start_time and when < start_time:
                                continue
                            if end_time and when > end_time:
                                continue
                        except (ValueError, TypeError):
                            continue  # the orchestrator skips what it cannot compare
                    found.append(data)
                    if len(found) >= limit:
                        break
                except json.JSONDecodeError:
                    continue
        return found

    def get_latest_errors(self, limit=10, hours_back=None, now=None):
        """Raises what the orchestrator's sort raises (TypeError on a file mixing zoned and
        naive times, ValueError on a time Python 3.10 cannot read)."""
        start_time = None
        if hours_back is not None:
            start_time = now - datetime.timedelta(hours=hours_back)
        errors = self.extract_errors(limit=limit * 2, start_time=start_time)
        errors.sort(key=lambda e: fromisoformat_310(e.get("timestamp", "1970-01-01T00:00:00")),
                    reverse=True)
        return errors[:limit]


def local_now():
    """The naive local time of the orchestrator on the service's host."""
    return datetime.datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# The service's log

KINDS = ["billing", "checkout", "inventory", "shipping", "search", "reviews", "accounts",
         "coupons", "payments", "catalog", "pricing", "returns", "loyalty", "wishlist",
         "invoices", "ratings"]
EXCEPTIONS = ["KeyError", "ValueError", "RuntimeError", "TimeoutError"]


def crash(kind_index, when):
    """One error of kind `kind_index` as Python's logging module writes it, with a traceback:
    each kind is an error of its own (its own file, function and exception)."""
    kind = KINDS[kind_index]
    exc = EXCEPTIONS[kind_index % len(EXCEPTIONS)]
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
    return (f"{stamp} - shop.{kind} - ERROR - {kind} request failed\n"
            "Traceback (most recent call last):\n"
            f'  File "/srv/shop/{kind}.py", line 42, in handle_{kind}\n'
            f"    return backend.{kind}(order)\n"
            f"{exc}: {kind} backend said no\n")


def homeostasis_own_line(when, level, message):
    """A line of Homeostasis' own logger (MonitoringLogger): `asctime - name - LEVEL - {json}`
    with the record's naive isoformat() time."""
    record = {"timestamp": when.isoformat(), "service": "orchestrator", "level": level,
              "message": message}
    if level in ("ERROR", "CRITICAL"):
        record["error_details"] = {"exception_type": "RuntimeError", "message": message}
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
    return f"{stamp} - homeostasis.orchestrator - {level} - {json.dumps(record)}\n"


def as_shared_schema(record):
    """The record as the schemas describe it: the transport's one documented exception is the
    naive `timestamp`, whose UTC form is `timestamp_utc`."""
    copy = dict(record)
    copy["timestamp"] = record["timestamp_utc"]
    return copy


class HomeostasisTransportTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.app_log = os.path.join(self.logs, "app.log")
        self.out = self.tmp.join("out", "errors.jsonl")
        self.feed = self.tmp.join("homeostasis", "errors.log")
        self.config_path = self.tmp.join("config.yaml")
        self.clock = local_now() - datetime.timedelta(minutes=5)

    def config(self, transport, inputs=None):
        cfg = h.daemon_config(self.tmp.path, self.app_log, self.out, timezone=ZONE)
        cfg["inputs"][0]["format"] = "python"
        if inputs:
            cfg["inputs"].extend(inputs)
        cfg["transports"] = [transport, {"type": "file", "path": self.out}]
        return cfg

    def write_crashes(self, kinds):
        """Appends one crash per kind, 10 ms apart, in the service's local time."""
        text = ""
        for k in kinds:
            self.clock += datetime.timedelta(milliseconds=10)
            text += crash(k, self.clock)
        h.append_text(self.app_log, text)

    def file_records(self):
        return h.read_ndjson(self.out)

    def wait_delivered(self, count, daemon, also=lambda: True):
        return h.wait_for(lambda: len(self.file_records()) >= count and also(), GIVE_UP_S,
                          lambda: f"{len(self.file_records())} of {count} records in "
                                  f"{self.out}\n{daemon.describe()}")

    def kinds_of(self, records):
        return [KINDS.index(r["metadata"]["module"].split(".")[1]) for r in records]

    # -----------------------------------------------------------------------------------------

    def test_window_gives_the_orchestrator_the_newest_errors_across_a_restart(self):
        transport = {"type": "homeostasis", "path": self.feed}
        cfg = self.config(transport)
        view = OrchestratorView(self.feed)
        self.write_crashes(list(range(12)) + [0, 1])

        with h.DaemonProcess(cfg, self.config_path) as d:
            self.wait_delivered(
                14, d, lambda: (view.extract_errors(limit=1) or [{}])[0].get("error_id") ==
                self.file_records()[-1]["error_id"])
            window = view.extract_errors(limit=10)
            # The newest distinct errors, newest first: 0 and 1 again, then 11 back to 4.
            self.assertEqual(self.kinds_of(window), [1, 0, 11, 10, 9, 8, 7, 6, 5, 4])
            self.check_records_of_the_window(window)

            # Naive time filters, as the orchestrator's own clock gives them, keep every one.
            now = local_now()
            self.assertEqual(view.extract_errors(limit=10, start_time=now - datetime.timedelta(
                hours=1), end_time=now + datetime.timedelta(minutes=1)), window)
            self.assertEqual(view.get_latest_errors(limit=10, hours_back=1, now=now), window)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

        # The records a file transport got are what the orchestrator could not use: zoned
        # times fail Python 3.10's fromisoformat, so the time filters drop every one.
        self.assertEqual(OrchestratorView(self.out).extract_errors(
            limit=100, start_time=local_now() - datetime.timedelta(hours=1)), [])
        with self.assertRaises(ValueError):
            OrchestratorView(self.out).get_latest_errors(limit=10)

        before_restart = h.read_text(self.feed)
        with h.DaemonProcess(cfg, self.config_path) as d:
            self.assertEqual(h.read_text(self.feed), before_restart,
                             "the window is kept as it was across the restart")
            # New errors and an old one again: the next read of ten starts with them.
            self.write_crashes([12, 13, 14, 5])
            self.wait_delivered(
                18, d, lambda: (view.extract_errors(limit=1) or [{}])[0].get("error_id") ==
                self.file_records()[-1]["error_id"])
            window = view.extract_errors(limit=10)
            self.assertEqual(self.kinds_of(window), [5, 14, 13, 12, 1, 0, 11, 10, 9, 8])
            self.check_records_of_the_window(window)
            self.assertEqual(view.get_latest_errors(limit=10, hours_back=1, now=local_now()),
                             window)
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())

        # The archive holds every record, in the order delivered, as the window writes them.
        archive = h.read_ndjson(self.feed + ".archive")
        delivered = self.file_records()
        self.assertEqual([r["error_id"] for r in archive], [r["error_id"] for r in delivered])
        self.assertEqual(len(archive), 18)
        archived = h.read_text(self.feed + ".archive").splitlines()
        for line in h.read_text(self.feed).splitlines():
            self.assertIn(line, archived)

    def check_records_of_the_window(self, window):
        by_source = {(r["metadata"]["source"]["path"], r["metadata"]["source"]["offset"]): r
                     for r in self.file_records()}
        zone = ZoneInfo(ZONE)
        for r in window:
            source = by_source[(r["metadata"]["source"]["path"],
                                r["metadata"]["source"]["offset"])]
            # error_id is the one the record had at the source, at the top and in the details.
            self.assertEqual(r["error_id"], source["error_id"])
            self.assertEqual(r["error_details"]["error_id"], source["error_id"])
            self.assertEqual(r["error_type"], source["error_type"])
            # timestamp: naive local time as isoformat() writes it; timestamp_utc: the record's.
            self.assertRegex(r["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$")
            self.assertEqual(r["timestamp_utc"], source["timestamp"])
            utc = datetime.datetime.fromisoformat(r["timestamp_utc"].replace("Z", "+00:00"))
            self.assertEqual(fromisoformat_310(r["timestamp"]),
                             utc.astimezone(zone).replace(tzinfo=None))
            self.assertEqual(r["error_details"]["occurred_at"], source["timestamp"])
            self.assertEqual({k: v for k, v in r.items() if k not in ("timestamp",
                                                                      "timestamp_utc")},
                             {k: v for k, v in source.items() if k != "timestamp"})
        h.validator().assert_valid(self, [as_shared_schema(r) for r in window],
                                   "homeostasis window")

    def test_append_mode_shares_homeostasis_own_log(self):
        own_log = self.tmp.join("homeostasis", "logs", "homeostasis.log")
        start = local_now() - datetime.timedelta(minutes=10)
        theirs = (homeostasis_own_line(start, "INFO", "Starting orchestrator") +
                  homeostasis_own_line(start + datetime.timedelta(seconds=1), "ERROR",
                                       "Patch deployment failed") +
                  homeostasis_own_line(start + datetime.timedelta(seconds=2), "WARNING",
                                       "Slow health check"))
        os.makedirs(os.path.dirname(own_log))
        h.append_text(own_log, theirs)
        # The daemon also follows Homeostasis' log, so that its errors reach the other
        # transports; this one does not write them back into the file they came from.
        cfg = self.config({"type": "homeostasis", "path": own_log, "mode": "append"},
                          inputs=[{"paths": [own_log], "read_from": "beginning"}])
        self.write_crashes([0, 1, 2])

        def from_file(path):
            return [r for r in self.file_records() if r["metadata"]["source"]["path"] == path]

        with h.DaemonProcess(cfg, self.config_path) as d:
            h.wait_for(lambda: len(from_file(self.app_log)) >= 3 and from_file(own_log),
                       GIVE_UP_S, lambda: f"{len(self.file_records())} records in {self.out}"
                                          f"\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        ours = from_file(self.app_log)
        self.assertIn("Patch deployment failed", from_file(own_log)[0]["metadata"]["raw_log"])

        text = h.read_text(own_log)
        self.assertTrue(text.startswith(theirs), "Homeostasis' own lines are kept as they were")
        lines = text[len(theirs):].splitlines()
        self.assertEqual([json.loads(line)["error_id"] for line in lines],
                         [r["error_id"] for r in ours], "each of our records once, in order")

        view = OrchestratorView(own_log)
        errors = view.extract_errors(limit=10)
        self.assertEqual([e["message"] for e in errors],
                         ["Patch deployment failed"] + [r["message"] for r in ours])
        now = local_now()
        self.assertEqual(view.extract_errors(limit=10, start_time=now - datetime.timedelta(
            hours=1), end_time=now), errors)
        latest = view.get_latest_errors(limit=10, hours_back=1, now=now)
        self.assertEqual([e["message"] for e in latest],
                         [r["message"] for r in reversed(ours)] + ["Patch deployment failed"])
        self.assertEqual(view.extract_errors(levels=["WARNING"])[0]["message"],
                         "Slow health check")
        h.validator().assert_valid(self, [as_shared_schema(e) for e in errors[1:]],
                                   "homeostasis append mode")

    def test_check_reports_option_problems_where_they_are(self):
        path = h.write_config(self.config_path, (
            "service: s\n"
            f"state_dir: {self.tmp.join('state')}\n"
            "inputs:\n"
            f"  - paths: [{self.app_log}]\n"
            "transports:\n"
            "  - type: homeostasis\n"
            "    path: relative/errors.log\n"
            "    mode: append\n"
            "    window: 5\n"))
        result = h.run_cmd("check", "--config", path)
        self.assertEqual(result.code, h.EXIT_CONFIG, result.describe())
        self.assertIn(f"{path}:7:11: homeostasis transport: path must be absolute",
                      result.stderr)
        self.assertIn(f"{path}:9:13: homeostasis transport: window applies to mode window only",
                      result.stderr)


if __name__ == "__main__":
    h.main()
