"""Homeostasis' own log lines as a format: `asctime - name - LEVEL - {json record}` lines, read
as the records they carry, among plain Python logging lines and JSON lines in the same file.

Run: /usr/bin/python3 tests/integration/test_homeostasis_format.py  (HOMEO_BIN names the binary).
"""

import datetime
import os
import unittest

import homeo_testlib as h

FIXTURE = h.data_file("homeostasis.log")


class HomeostasisFormat(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)

    def parse(self, *args, config=None):
        argv = list(args)
        if config is not None:
            argv = ["--config", h.write_config(self.tmp.join("config.yaml"), config)] + argv
        res = h.run_parse(*argv, FIXTURE)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = res.records
        h.validator().assert_valid(self, records, "homeostasis.log")
        for r in records:
            # What the orchestrator reads: the same id at the top and in error_details.
            self.assertEqual(r["error_id"], r["error_details"]["error_id"])
            # Python 3.10's datetime.fromisoformat reads our times once the Z is replaced.
            datetime.datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00"))
        return records

    def test_detected(self):
        res = h.run_cmd("detect", FIXTURE)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertIn("\thomeostasis\t", res.stdout)

    def test_mixed_file_at_error(self):
        records = self.parse()
        self.assertEqual([r["metadata"]["format"] for r in records],
                         ["homeostasis", "python", "homeostasis", "json", "homeostasis"])
        exc, worker, crit, pure, plain = records

        # The logger's exception record, as it was.
        self.assertEqual(exc["service"], "shop-api")
        self.assertEqual(exc["error_id"], "KeyError-20240311194502-140207339866176")
        self.assertEqual(exc["timestamp"], "2024-03-11T19:45:02.731004Z")
        self.assertEqual(exc["exception_type"], "KeyError")
        self.assertEqual(exc["error_type"], "KeyError")
        self.assertEqual(exc["message"], "KeyError: 'user_id'")
        self.assertEqual(exc["error_details"]["message"], "'user_id'")
        self.assertEqual(exc["context"]["log_message"], "Failed to load user")
        self.assertEqual(exc["tags"], ["api", "users"])
        self.assertEqual(exc["request_info"]["path"], "/users/7")
        self.assertEqual(exc["call_location"]["line_number"], 58)
        self.assertEqual(exc["language"], "python")
        frames = exc["error_details"]["detailed_frames"]
        self.assertEqual([(f["file"], f["line"], f["function"]) for f in frames],
                         [("/srv/shop/shop/api.py", 55, "show_user"),
                          ("/srv/shop/shop/users.py", 21, "get_user")])
        self.assertEqual(frames[1]["locals"], {"store": "{}", "user_id": "user_id"})
        self.assertEqual(exc["traceback"][-1], "KeyError: 'user_id'")
        self.assertEqual(exc["error_details"]["occured_at"], "2024-03-11T19:45:02.730981")
        # Its system_info kept, ours added where it has nothing.
        self.assertEqual(exc["system_info"]["os_name"], "posix")
        self.assertEqual(exc["system_info"]["python_version"], "3.11.2")
        self.assertIn("kernel", exc["system_info"])
        self.assertEqual(exc["metadata"]["module"], "homeostasis.shop-api")
        self.assertRegex(exc["metadata"]["fingerprint"], r"^[0-9a-f]{16}$")

        # A plain logging line with its traceback, in the same file.
        self.assertEqual(worker["exception_type"], "ZeroDivisionError")
        self.assertEqual(worker["service"], "unknown")
        self.assertRegex(worker["error_id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-")

        self.assertEqual(crit["level"], "CRITICAL")
        self.assertEqual(crit["context"], {"dsn_host": "db-1", "attempts": 5})

        # A record written as a JSON line of its own.
        self.assertEqual(pure["service"], "checkout")
        self.assertEqual(pure["error_id"], "TimeoutError-20240311194506-140207339911232")
        self.assertEqual(pure["error_details"]["message"], "read timed out after 30s")
        self.assertEqual(pure["context"]["log_message"], "Payment provider timed out")

        self.assertEqual(plain["error_type"], "HTTP502")
        self.assertEqual(plain["response_info"], {"status_code": 502})

    def test_naive_times_in_the_configured_zone(self):
        records = self.parse(config={"timezone": "Europe/Berlin"})
        # 19:45:02.731004 in Berlin (CET in March) is 18:45:02.731004 UTC.
        self.assertEqual(records[0]["timestamp"], "2024-03-11T18:45:02.731004Z")
        self.assertEqual(records[0]["error_details"]["occurred_at"], "2024-03-11T18:45:02.731004Z")

    def test_info_lines_at_info(self):
        records = self.parse("--min-level", "INFO")
        levels = [r["level"] for r in records]
        self.assertEqual(levels.count("INFO"), 3)
        self.assertEqual(levels.count("WARNING"), 1)
        started = records[0]
        self.assertEqual(started["message"], "Service started")
        self.assertEqual(started["context"], {"port": 8000})
        slow = [r for r in records if r["level"] == "WARNING"][0]
        self.assertEqual(slow["request_info"], {"duration_ms": 1840})  # the alias of JSON lines

    def test_format_named(self):
        records = self.parse("--format", "homeostasis")
        self.assertEqual(len(records), 5)


if __name__ == "__main__":
    h.main()
