"""The one-shot commands: parse, detect, check, version, and the command line's exit codes.

Run: /usr/bin/python3 tests/integration/test_parse.py  (HOMEO_BIN names the binary).
"""

import os
import re
import unittest

import homeo_testlib as h

LEVEL_ORDER = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

FIXTURES = ["python_logging.log", "bracket.log", "custom_bracket.log", "app.jsonl", "syslog.log"]


def check_record_invariants(tc, records, what):
    """What every record promises beyond the schema (INTERFACE.md, The error record)."""
    ids = [r["error_details"]["error_id"] for r in records]
    tc.assertEqual(len(ids), len(set(ids)), f"{what}: error_id repeats: {ids}")
    for i, r in enumerate(records):
        label = f"{what}: record {i}"
        ed = r["error_details"]
        tc.assertEqual(r["timestamp"], ed["occurred_at"], f"{label}: timestamp vs occurred_at")
        if "exception_type" in r:
            # error_details names the type as Homeostasis' rules do: the short name of a
            # qualified Java, Python or PHP type (NullPointerException), else as written.
            qualified = r["exception_type"]
            short = re.split(r"[.$\\]", qualified)[-1]
            tc.assertIn(ed.get("exception_type"), (qualified, short),
                        f"{label}: exception_type vs error_details.exception_type")
            want = r["exception_type"] + (": " + ed["message"] if ed["message"] else "")
            tc.assertEqual(r["message"], want, f"{label}: top-level message is `Type: text`")
        else:
            tc.assertNotIn("exception_type", ed, f"{label}: exception_type only in details")
            tc.assertEqual(r["message"], ed["message"], f"{label}: message vs details.message")
        if "traceback" in r:
            tc.assertEqual(r["traceback"], ed.get("traceback"), f"{label}: traceback copies")
        for f in ed.get("detailed_frames", []):
            tc.assertTrue(f["file"], f"{label}: a frame with an empty file: {ed}")


def expected_argv(exp, tmp, fixture_path, fmt=None):
    """The parse command line for a fixture's expectations."""
    args = ["--min-level", exp["min_level"]]
    if exp.get("config"):
        cfg = h.write_config(os.path.join(tmp.path, "parse-config.yaml"), exp["config"])
        args += ["--config", cfg]
    if fmt:
        args += ["--format", fmt]
    elif not exp.get("auto", True):
        args += ["--format", exp["format"]]
    return args + [fixture_path]


class ParseFixtures(unittest.TestCase):
    """One test per fixture and mode (auto-detected, then --format NAME)."""

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)

    def run_fixture(self, fixture, fmt=None):
        exp = h.load_expectations(fixture)
        path = h.data_file(fixture)
        res = h.run_parse(*expected_argv(exp, self.tmp, path, fmt))
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = res.records
        what = f"{fixture} ({'--format ' + fmt if fmt else 'auto'})"
        self.assertEqual(
            len(records), exp["count"],
            f"{what}: record count; messages: {[r.get('message') for r in records]}\n"
            f"stderr: {res.stderr[-2000:]}")
        h.validator().assert_valid(self, records, what)
        check_record_invariants(self, records, what)
        min_rank = LEVEL_ORDER.index(exp["min_level"])
        offsets = []
        for i, r in enumerate(records):
            self.assertGreaterEqual(LEVEL_ORDER.index(r["level"]), min_rank,
                                    f"{what}: record {i} below --min-level")
            self.assertEqual(r["metadata"]["format"], exp["format"], f"{what}: record {i}")
            self.assertEqual(os.path.realpath(r["metadata"]["source"]["path"]),
                             os.path.realpath(path), f"{what}: record {i} source.path")
            offsets.append(r["metadata"]["source"]["offset"])
        self.assertEqual(offsets, sorted(set(offsets)), f"{what}: offsets rise in file order")
        h.check_expectations(self, records, exp["records"], what)
        # The summary goes to stderr; stdout holds records only (checked by res.records).
        self.assertTrue(res.stderr.strip(), f"{what}: no summary on stderr")
        self.assertRegex(res.stderr, rf"\b{exp['count']}\b",
                         f"{what}: the summary does not mention the record count")
        return records

    @classmethod
    def add_fixture_tests(cls):
        for fixture in FIXTURES:
            stem = re.sub(r"\W", "_", os.path.splitext(fixture)[0])
            exp = h.load_expectations(fixture)

            if exp.get("auto", True):
                def test_auto(self, fixture=fixture):
                    self.run_fixture(fixture)
                setattr(cls, f"test_{stem}_auto", test_auto)

            def test_named(self, fixture=fixture, fmt=exp["format"]):
                self.run_fixture(fixture, fmt=fmt)
            setattr(cls, f"test_{stem}_format_named", test_named)


ParseFixtures.add_fixture_tests()


class ParseBehaviour(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.py_log = h.data_file("python_logging.log")
        self.py_exp = h.load_expectations("python_logging.log")

    def parse_ok(self, *args, **kwargs):
        res = h.run_parse(*args, **kwargs)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = res.records
        h.validator().assert_valid(self, records, " ".join(map(str, args)))
        return res, records

    def test_stdin(self):
        with open(self.py_log, encoding="utf-8") as f:
            text = f.read()
        _, from_file = self.parse_ok("--min-level", "ERROR", self.py_log)
        _, from_stdin = self.parse_ok("--min-level", "ERROR", "-", stdin_text=text)
        self.assertEqual(len(from_stdin), self.py_exp["count"])
        self.assertEqual([r["message"] for r in from_stdin], [r["message"] for r in from_file])
        self.assertEqual([r["metadata"]["format"] for r in from_stdin],
                         ["python"] * len(from_stdin))

    def test_defaults_without_config(self):
        # Built-in defaults: service `unknown`, min level ERROR, host context in system_info.
        _, records = self.parse_ok(self.py_log)
        self.assertEqual(len(records), self.py_exp["count"], "default min level is ERROR")
        for r in records:
            self.assertEqual(r["service"], "unknown")
            self.assertTrue(r.get("system_info", {}).get("hostname"),
                            f"system_info.hostname missing: {r.get('system_info')}")

    def test_service_option(self):
        _, records = self.parse_ok("--service", "billing", "--min-level", "ERROR", self.py_log)
        self.assertTrue(records)
        self.assertEqual({r["service"] for r in records}, {"billing"})

    def test_min_level_warning_includes_warning_with_traceback(self):
        _, records = self.parse_ok("--min-level", "WARNING", self.py_log)
        levels = [r["level"] for r in records]
        self.assertEqual(levels.count("WARNING"), 2, f"levels: {levels}")
        self.assertEqual(len(records), self.py_exp["count"] + 2)
        warned = [r for r in records if r.get("exception_type") == "ConnectionResetError"]
        self.assertEqual(len(warned), 1, "the WARNING's traceback is one record")
        self.assertEqual(warned[0]["level"], "WARNING")
        self.assertEqual(warned[0]["error_details"]["detailed_frames"][-1]["line"], 88)

    def test_min_level_critical(self):
        _, records = self.parse_ok("--min-level", "CRITICAL", self.py_log)
        self.assertEqual([r["level"] for r in records], ["CRITICAL"])

    def test_several_files(self):
        files = [h.data_file("python_logging.log"), h.data_file("bracket.log")]
        _, records = self.parse_ok("--min-level", "ERROR", *files)
        want = sum(h.load_expectations(os.path.basename(f))["count"] for f in files)
        self.assertEqual(len(records), want)
        by_source = {}
        for r in records:
            src = os.path.realpath(r["metadata"]["source"]["path"])
            by_source.setdefault(src, []).append(r["metadata"]["format"])
        self.assertEqual(set(by_source[os.path.realpath(files[0])]), {"python"})
        self.assertEqual(set(by_source[os.path.realpath(files[1])]), {"bracket"})

    def test_fingerprints_group_occurrences(self):
        log = self.tmp.write("fp.log", "".join([
            "2023-05-20 10:00:00,000 - app.users - ERROR - lookup failed\n",
            "Traceback (most recent call last):\n",
            '  File "/srv/app/api/users.py", line 42, in get_user\n',
            '    return users[key]\n',
            "KeyError: 'user_id'\n",
            "2023-05-20 10:05:00,000 - app.users - ERROR - lookup failed again\n",
            "Traceback (most recent call last):\n",
            '  File "/srv/app/api/users.py", line 42, in get_user\n',
            '    return users[key]\n',
            "KeyError: 'account_id'\n",
            "2023-05-20 10:06:00,000 - app.pay - ERROR - Payment gateway timeout after 30s "
            "for order 1234\n",
            "2023-05-20 10:07:00,000 - app.pay - ERROR - Payment gateway timeout after 31s "
            "for order 5678\n",
            "2023-05-20 10:08:00,000 - app.disk - ERROR - Disk full on volume data\n",
            "2023-05-20 10:09:00,000 - app.users - ERROR - lookup failed\n",
            "Traceback (most recent call last):\n",
            '  File "/srv/app/api/users.py", line 42, in get_user\n',
            '    return users[key]\n',
            '  File "/srv/app/api/cache.py", line 9, in fetch\n',
            '    raise ValueError(key)\n',
            "ValueError: user_id\n",
        ]))
        _, records = self.parse_ok("--min-level", "ERROR", log)
        self.assertEqual(len(records), 6, [r["message"] for r in records])
        fp = [r["metadata"].get("fingerprint") for r in records]
        self.assertTrue(all(fp), f"every record has a fingerprint: {fp}")
        self.assertEqual(fp[0], fp[1], "same type and frames -> same fingerprint")
        self.assertEqual(fp[2], fp[3], "same message but for numbers -> same fingerprint")
        self.assertEqual(len({fp[0], fp[2], fp[4], fp[5]}), 4,
                         f"different errors -> different fingerprints: {fp}")
        ids = [r["error_details"]["error_id"] for r in records]
        self.assertEqual(len(set(ids)), len(ids))

    def test_scrubbing_by_default(self):
        log = self.tmp.write("secret.log", "".join([
            "2023-05-20 10:00:00,000 - app.auth - ERROR - login failed for bob "
            "password=hunter2secret\n",
            "2023-05-20 10:00:01,000 - app.http - ERROR - upstream rejected "
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlMTIz\n",
        ]))
        res, records = self.parse_ok("--min-level", "ERROR", log)
        self.assertEqual(len(records), 2)
        self.assertNotIn("hunter2secret", res.stdout, "a password left the daemon")
        self.assertNotIn("c2lnbmF0dXJlMTIz", res.stdout, "a bearer token left the daemon")
        self.assertIn("login failed for bob", records[0]["message"], "the rest stays")

    def test_env_substitution_in_config(self):
        cfg = self.tmp.write("cfg.yaml", 'service: "${HOMEO_IT_SERVICE}"\nmin_level: ERROR\n')
        _, records = self.parse_ok("--config", cfg, self.py_log,
                                   env={"HOMEO_IT_SERVICE": "from-env"})
        self.assertTrue(records)
        self.assertEqual({r["service"] for r in records}, {"from-env"})

    def test_release_environment_trace_and_in_app(self):
        # The config's release and environment, a line's own winning; trace ids of the common
        # dialects; user in-app rules. Every record stays valid against both schemas.
        cfg = self.tmp.write("cfg.yaml",
                             "release: ${HOMEO_IT_RELEASE}\nenvironment: production\n"
                             "in_app: {include: [org.springframework.web.]}\n")
        trace, span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
        log = self.tmp.write("app.jsonl", "\n".join([
            '{"level":"error","message":"a","trace_id":"%s","span_id":"%s"}' % (trace, span),
            '{"level":"error","message":"b","service":{"version":"9.9.9"},"env":"canary",'
            '"traceparent":"00-%s-%s-01"}' % (trace, span),
            '{"level":"error","message":"c","traceparent":"00-nope-%s-01"}' % span,
            '{"level":"error","message":"d","stack_trace":"java.lang.IllegalStateException: x\\n'
            '\\tat org.springframework.web.servlet.FrameworkServlet.service('
            'FrameworkServlet.java:883)\\n\\tat com.shop.Api.handle(Api.java:12)"}',
        ]) + "\n")
        _, records = self.parse_ok("--config", cfg, log, env={"HOMEO_IT_RELEASE": "1.4.2"})
        self.assertEqual(len(records), 4)
        meta = [r["metadata"] for r in records]
        self.assertEqual([m.get("release") for m in meta], ["1.4.2", "9.9.9", "1.4.2", "1.4.2"])
        self.assertEqual([m.get("environment") for m in meta],
                         ["production", "canary", "production", "production"])
        self.assertEqual([m.get("trace_id") for m in meta], [trace, trace, None, None])
        self.assertEqual([m.get("span_id") for m in meta], [span, span, None, None])
        self.assertNotIn("trace_id", records[0].get("context", {}))
        self.assertEqual(records[2]["context"]["traceparent"], "00-nope-%s-01" % span)
        frames = records[3]["error_details"]["detailed_frames"]
        self.assertEqual([f["in_app"] for f in frames], [True, True])

    def test_unparseable_input_is_not_a_failure(self):
        log = self.tmp.write("noise.log", "\x00\x01 binary-ish \xff noise\n\n   \nplain words\n")
        res, records = self.parse_ok(log)
        self.assertEqual(records, [])
        self.assertTrue(res.stderr.strip(), "a summary on stderr")

    def test_missing_file_fails(self):
        res = h.run_parse(self.tmp.join("does-not-exist.log"))
        self.assertNotEqual(res.code, h.EXIT_OK, res.describe())
        self.assertIn("does-not-exist.log", res.stderr)


class Detect(unittest.TestCase):

    @staticmethod
    def named_format(line, path):
        rest = line.replace(path, " ")
        names = re.findall(r"\b(" + "|".join(h.FORMAT_NAMES) + r")\b", rest)
        return names[0] if names else None

    def test_detect_fixtures(self):
        cases = {}
        for fixture in FIXTURES:
            exp = h.load_expectations(fixture)
            if exp.get("detect"):
                cases[h.data_file(fixture)] = exp["detect"]
        with h.TempDir() as tmp:
            plain = tmp.write("notes.txt", "the build finished\nnothing to see here\n"
                                           "another ordinary sentence\n")
            cases[plain] = "text"
            res = h.run_cmd("detect", *cases.keys())
            self.assertEqual(res.code, h.EXIT_OK, res.describe())
            lines = res.stdout.splitlines()
            for path, want in cases.items():
                found = [l for l in lines if path in l]
                self.assertEqual(len(found), 1, f"one line for {path} in:\n{res.stdout}")
                self.assertEqual(self.named_format(found[0], path), want,
                                 f"detect {os.path.basename(path)}: {found[0]!r}")
                self.assertRegex(found[0].replace(path, " "), r"\d",
                                 f"no confidence in {found[0]!r}")

    def test_detect_single_file(self):
        path = h.data_file("bracket.log")
        res = h.run_cmd("detect", path)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertEqual(self.named_format(res.stdout, path), "bracket", res.stdout)


VALID_CONFIG = """\
service: checkout-api
state_dir: {state}
min_level: ERROR
inputs:
  - paths: ["{logs}/*.log"]
    exclude: ["*.gz"]
    format: auto
    read_from: end
    tags: [web]
parsers:
  - name: my_bracket
    pattern: '^\\[(?P<level>\\w+)\\]\\[(?P<timestamp>[^\\]]+)\\] (?P<module>\\S+) - (?P<message>.*)$'
batch:
  max_records: 500
  max_bytes: 1048576
  max_wait_ms: 1000
transports:
  - type: stdout
  - type: file
    path: {state}/errors.jsonl
metrics:
  enabled: false
"""


class Check(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.app_log = self.tmp.write("logs/app.log", "")

    def write(self, text):
        return self.tmp.write("config.yaml", text)

    def valid_text(self):
        return VALID_CONFIG.format(state=self.tmp.join("state"), logs=self.logs)

    def assert_config_error(self, res, path, line, col=None):
        self.assertEqual(res.code, h.EXIT_CONFIG, res.describe())
        col_re = str(col) if col is not None else r"\d+"
        self.assertRegex(res.stderr, rf"(?m)^{re.escape(path)}:{line}:{col_re}: \S",
                         f"no `{path}:{line}:{col or 'COL'}: message` on stderr")

    def test_valid_config(self):
        path = self.write(self.valid_text())
        res = h.run_cmd("check", "--config", path)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertTrue(self.app_log in res.stdout or f"{self.logs}/*.log" in res.stdout,
                        f"check does not say what it would watch:\n{res.stdout}")

    def test_unknown_top_level_key(self):
        text = self.valid_text().replace("min_level: ERROR\n", "min_level: ERROR\nbogus_key: 1\n")
        path = self.write(text)
        res = h.run_cmd("check", "--config", path)
        self.assert_config_error(res, path, 4, 1)
        self.assertIn("bogus_key", res.stderr)

    def test_unknown_nested_key(self):
        text = self.valid_text().replace("    format: auto\n", "    format: auto\n    pathz: x\n")
        path = self.write(text)
        res = h.run_cmd("check", "--config", path)
        self.assert_config_error(res, path, 8, 5)
        self.assertIn("pathz", res.stderr)

    def test_every_problem_is_reported(self):
        text = self.valid_text().replace("min_level: ERROR\n", "min_level: ERROR\nfirst_bad: 1\n")
        text = text.replace("metrics:\n", "second_bad: 2\nmetrics:\n")
        path = self.write(text)
        res = h.run_cmd("check", "--config", path)
        self.assertEqual(res.code, h.EXIT_CONFIG, res.describe())
        second_line = text.splitlines().index("second_bad: 2") + 1
        self.assertRegex(res.stderr, rf"{re.escape(path)}:4:1: .*first_bad")
        self.assertRegex(res.stderr, rf"{re.escape(path)}:{second_line}:1: .*second_bad")

    def test_problems_of_every_stage_in_one_pass_in_file_order(self):
        # Decoding problems (a relative path, a bad level, an out-of-range number) and those
        # found later (an unknown format, a misspelt transport key) come out of one run.
        text = self.valid_text()
        text = text.replace("min_level: ERROR\n", "min_level: LOUD\n")
        text = text.replace(f'["{self.logs}/*.log"]', '["logs/*.log"]')
        text = text.replace("    format: auto\n", "    format: no_such_format\n")
        text = text.replace("  max_records: 500\n", "  max_records: 0\n")
        text = text.replace(f"    path: {self.tmp.join('state')}/errors.jsonl\n",
                            f"    pathh: {self.tmp.join('state')}/errors.jsonl\n")
        path = self.write(text)
        lines = text.splitlines()
        expected = [next(i for i, l in enumerate(lines, 1) if needle in l)
                    for needle in ("min_level: LOUD", "logs/*.log", "no_such_format",
                                   "max_records: 0", "pathh:")]
        res = h.run_cmd("check", "--config", path)
        self.assertEqual(res.code, h.EXIT_CONFIG, res.describe())
        reported = [int(m) for m in re.findall(rf"(?m)^{re.escape(path)}:(\d+):\d+: ", res.stderr)]
        for line in expected:
            self.assertIn(line, reported, f"line {line} not reported in one pass:\n{res.stderr}")
        self.assertEqual(reported, sorted(reported), f"not in file order:\n{res.stderr}")

    def test_wrong_type(self):
        text = self.valid_text().replace("  max_records: 500\n", "  max_records: lots\n")
        path = self.write(text)
        line = text.splitlines().index("  max_records: lots") + 1
        res = h.run_cmd("check", "--config", path)
        self.assert_config_error(res, path, line)

    def test_wrong_type_list_for_scalar(self):
        text = self.valid_text().replace("min_level: ERROR\n", "min_level: [ERROR]\n")
        path = self.write(text)
        res = h.run_cmd("check", "--config", path)
        self.assert_config_error(res, path, 3)

    def test_bad_level_value(self):
        text = self.valid_text().replace("min_level: ERROR\n", "min_level: LOUD\n")
        path = self.write(text)
        res = h.run_cmd("check", "--config", path)
        self.assert_config_error(res, path, 3)

    def test_bad_pattern(self):
        text = self.valid_text().replace("(?P<message>.*)$", "(?P<message>.*$")
        path = self.write(text)
        line = next(i for i, l in enumerate(text.splitlines(), 1) if "pattern:" in l)
        res = h.run_cmd("check", "--config", path)
        self.assert_config_error(res, path, line)

    def test_unset_env_variable(self):
        text = self.valid_text().replace("service: checkout-api",
                                         'service: "${HOMEO_IT_SURELY_UNSET_VAR}"')
        path = self.write(text)
        res = h.run_cmd("check", "--config", path, env={"HOMEO_IT_SURELY_UNSET_VAR": None})
        self.assert_config_error(res, path, 1)

    def test_shipped_production_config(self):
        path = os.path.join(h.REPO_DIR, "systemd", "config.yaml")
        res = h.run_cmd("check", "--config", path)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertIn("/var/log/myapp/", res.stdout)

    def test_example_config(self):
        examples = os.path.join(h.REPO_DIR, "examples")
        env = {"HOMEO_EXAMPLES": examples, "HOMEO_EXAMPLE_STATE": self.tmp.join("state")}
        path = os.path.join(examples, "config.yaml")
        res = h.run_cmd("check", "--config", path, env=env)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertIn(os.path.join(examples, "logs"), res.stdout)
        # `parse` with the same config reads the example logs like the daemon would.
        logs = [os.path.join(examples, "logs", n) for n in ("app.log", "events.jsonl",
                                                             "worker.log")]
        res = h.run_parse("--config", path, *logs, env=env)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = res.records
        h.validator().assert_valid(self, records, "examples")
        self.assertEqual(len(records), 6, [r["message"] for r in records])
        self.assertEqual({r["service"] for r in records}, {"example-shop"})

    def test_parse_with_invalid_config(self):
        path = self.write(self.valid_text().replace("min_level: ERROR\n", "min_levle: ERROR\n"))
        res = h.run_parse("--config", path, h.data_file("bracket.log"))
        self.assert_config_error(res, path, 3, 1)
        self.assertEqual(res.stdout.strip(), "", "no records from a rejected config")


class CommandLine(unittest.TestCase):

    def assert_usage(self, *args):
        res = h.run_cmd(*args)
        self.assertEqual(res.code, h.EXIT_USAGE, res.describe())
        self.assertTrue(res.stderr.strip(), f"{args}: no message on stderr")

    def test_no_command(self):
        self.assert_usage()

    def test_unknown_command(self):
        self.assert_usage("frobnicate")

    def test_unknown_option(self):
        self.assert_usage("parse", "--no-such-option", h.data_file("bracket.log"))

    def test_bad_min_level(self):
        self.assert_usage("parse", "--min-level", "LOUD", h.data_file("bracket.log"))

    def test_option_without_value(self):
        self.assert_usage("parse", "--format")

    def test_run_without_config(self):
        self.assert_usage("run")

    def test_check_without_config(self):
        self.assert_usage("check")

    def test_version(self):
        res = h.run_cmd("version")
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertRegex(res.stdout, r"\d+\.\d+\.\d+")

    def test_help(self):
        res = h.run_cmd("--help")
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        for command in ("run", "check", "parse", "detect", "version"):
            self.assertIn(command, res.stdout)

    def test_command_help(self):
        res = h.run_cmd("parse", "--help")
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertIn("--min-level", res.stdout)


if __name__ == "__main__":
    h.main()
