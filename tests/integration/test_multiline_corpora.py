"""Multi-line errors: every stack trace becomes one record.

Two parts: the project's own fixtures (tests/data/traces/<language>.log, one per language,
with <language>.expected.json beside them), and, when the shared corpora are present beside
the repository (../shared/corpora/multiline), the multi-line logs gathered there, whose
traces were counted by hand.

Run: /usr/bin/python3 tests/integration/test_multiline_corpora.py  (HOMEO_BIN names the binary).
"""

import json
import os
import unittest

import homeo_testlib as h

LANGUAGES = ["python", "java", "go", "node", "ruby", "rust", "dotnet", "php", "elixir"]
# Fixtures beside the per-language ones: crashes of every runtime between other lines.
FIXTURES = LANGUAGES + ["crashes"]

CORPORA_DIR = os.path.abspath(os.path.join(h.REPO_DIR, "..", "shared", "corpora", "multiline"))

# file -> (records at --min-level DEBUG, records at --min-level ERROR, --format or None).
# DEBUG counts every event (a trace is one event); ERROR counts the traces (plus error lines).
TRACE_CORPORA = {
    "fluent-bit/filter_multiline_java_go.log": (5, 2, None),
    # Auto-detection reads "Dec 14 06:41:08" as an RFC 3164 header and chooses syslog, whose
    # parser does not see the trace that starts inside the header line; the grouping itself
    # is checked with the text format.
    "fluent-bit/regex-001_java.log": (3, 1, "text"),
    "beats/multiline-c-log.log": (4, 0, None),
    "kelora/stacktrace_java.log": (7, 2, None),
    "kelora/stacktrace_python.log": (9, 2, None),
    "kelora/stacktrace_go.log": (7, 2, None),
}

# Container logs carry one line of the application per JSON/CRI line: they group only once the
# wrapper is unwrapped. Files with an *.expected.out give the grouping (one line per event).
CONTAINER_CORPORA = {
    "fluent-bit/tail_dockermode.log": (None, 0),
    "fluent-bit/tail_dockermode_firstline_detection.log": (None, 0),
    "fluent-bit/tail_dockermode_multiple_lines.log": (None, 0),
    "fluent-bit/tail_dockermode_splitted_line.log": (None, 0),
    "fluent-bit/tail_dockermode_splitted_multiple_lines.log": (None, 0),
    "kelora/pod_cri.log": (6, 2),
}

CONTAINER_FORMATS = ("docker", "cri", "container")


def parse(tc, path, min_level, fmt=None):
    args = ["--min-level", min_level]
    if fmt:
        args += ["--format", fmt]
    res = h.run_parse(*args, path)
    tc.assertEqual(res.code, h.EXIT_OK, res.describe())
    records = res.records
    h.validator().assert_valid(tc, records, f"{path} at {min_level}")
    return records


def describe(records):
    return json.dumps([r["message"][:80] for r in records], indent=1)


class OwnTraceFixtures(unittest.TestCase):
    """One fixture per language, written for the project."""

    def run_fixture(self, language, fmt):
        name = os.path.join("traces", language + ".log")
        exp = h.load_expectations(name)
        path = h.data_file(name)
        records = parse(self, path, exp["min_level"], fmt)
        what = f"{name} (--format {fmt or 'auto'})"
        self.assertEqual(len(records), exp["count"], f"{what}: {describe(records)}")
        h.check_expectations(self, records, exp["records"], what)
        for r in records:
            self.assertTrue(r.get("traceback"), f"{what}: a trace record without traceback")
            self.assertTrue(r["metadata"].get("fingerprint"), f"{what}: no fingerprint")
        return records

    @classmethod
    def add_tests(cls):
        for language in FIXTURES:
            exp = h.load_expectations(os.path.join("traces", language + ".log"))

            def test_named(self, language=language, fmt=exp["format"]):
                self.run_fixture(language, fmt)
            setattr(cls, f"test_{language}_format_named", test_named)
            if exp.get("auto", True):
                def test_auto(self, language=language):
                    self.run_fixture(language, None)
                setattr(cls, f"test_{language}_auto", test_auto)

    def test_same_error_same_fingerprint(self):
        tmp = h.TempDir()
        self.addCleanup(tmp.cleanup)
        # The Go fixture twice, the second time with other values and line numbers.
        with open(h.data_file("traces/go.log"), encoding="utf-8") as f:
            text = f.read()
        moved = text.replace("index.go:57", "index.go:61").replace("nil map", "nil  map")
        path = tmp.write("twice.log", text + moved)
        records = parse(self, path, "ERROR", "text")
        once = h.load_expectations("traces/go.log")["count"]
        self.assertEqual(len(records), 2 * once, describe(records))
        fps = [r["metadata"]["fingerprint"] for r in records]
        self.assertEqual(fps[0], fps[once], "the same panic in another build")
        self.assertEqual(fps[1], fps[once + 1], "the same fatal error")
        self.assertNotEqual(fps[0], fps[1], "a panic and a fatal error")

    def test_trace_at_end_of_input_is_flushed(self):
        # No line follows the trace: it must still come out, whole.
        with open(h.data_file("traces/java.log"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        text = "\n".join(lines[:-1])  # ends inside the Kotlin trace, without a newline
        res = h.run_parse("--format", "text", "--min-level", "ERROR", "-", stdin_text=text)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = res.records
        self.assertEqual(len(records), h.load_expectations("traces/java.log")["count"],
                         describe(records))
        self.assertEqual(len(records[-1]["error_details"]["detailed_frames"]), 3)


OwnTraceFixtures.add_tests()


@unittest.skipUnless(os.path.isdir(CORPORA_DIR),
                     f"shared corpora not found at {CORPORA_DIR}: nothing to measure")
class SharedMultilineCorpora(unittest.TestCase):
    """One record per trace in the multi-line logs of the shared corpora."""

    def test_traces(self):
        for name, (debug, error, fmt) in TRACE_CORPORA.items():
            with self.subTest(file=name):
                path = os.path.join(CORPORA_DIR, name)
                all_events = parse(self, path, "DEBUG", fmt)
                self.assertEqual(len(all_events), debug, f"{name}: {describe(all_events)}")
                errors = parse(self, path, "ERROR", fmt)
                self.assertEqual(len(errors), error, f"{name}: {describe(errors)}")
                for r in errors:
                    if r.get("traceback"):
                        self.assertTrue(r["error_details"].get("detailed_frames"),
                                        f"{name}: a trace without frames: {r['message']}")

    def test_every_file_is_covered(self):
        listed = set(TRACE_CORPORA) | set(CONTAINER_CORPORA)
        for sub in sorted(os.listdir(CORPORA_DIR)):
            for f in sorted(os.listdir(os.path.join(CORPORA_DIR, sub))):
                if not f.endswith(".log") or f.startswith("k8s_docker_core_unescaping"):
                    continue
                name = f"{sub}/{f}"
                if name == "fluent-bit/tail_multiline_001.log":
                    continue  # JSON lines whose `message` fields form a trace; see below
                self.assertIn(name, listed, f"{name} has no expected counts")

    def test_container_wrapped(self):
        for name, (debug, error) in CONTAINER_CORPORA.items():
            with self.subTest(file=name):
                path = os.path.join(CORPORA_DIR, name)
                det = h.run_cmd("detect", path)
                fields = det.stdout.strip().split("\t")
                detected = " ".join(fields[1:])
                if not any(f in detected for f in CONTAINER_FORMATS):
                    self.skipTest(f"container unwrapping not available (detected: {detected})")
                expected_out = os.path.splitext(path)[0] + ".expected.out"
                if debug is None:
                    with open(expected_out, encoding="utf-8") as f:
                        debug = sum(1 for line in f if line.strip())
                all_events = parse(self, path, "DEBUG")
                self.assertEqual(len(all_events), debug, f"{name}: {describe(all_events)}")
                errors = parse(self, path, "ERROR")
                self.assertEqual(len(errors), error, f"{name}: {describe(errors)}")


if __name__ == "__main__":
    unittest.main()
