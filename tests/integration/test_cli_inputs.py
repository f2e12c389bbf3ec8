"""What `parse` and `detect` do with inputs that are not plain log files (a directory, an
empty file, a binary one, a missing one), and what `version` tells about the build."""

import gzip
import os
import re
import shutil
import subprocess
import unittest

import homeo_testlib as h

BRACKET = "[ERROR][2023-05-20 14:30:22] app.users - KeyError: 'user_id'\n"
JSON = '{"level": "error", "message": "payment refused", "time": "2023-05-20T14:30:22Z"}\n'


def detect_rows(stdout):
    """{path: (format, confidence)} of detect's tab-separated lines."""
    rows = {}
    for line in stdout.splitlines():
        fields = line.split("\t")
        rows[fields[0]] = (fields[1], fields[2])
    return rows


class DetectDirectory(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.mkdir("logs")
        self.tmp.write("logs/b.log", BRACKET * 3)
        self.tmp.write("logs/a.jsonl", JSON * 3)
        self.tmp.write("logs/sub/c.log", BRACKET)
        os.mkfifo(self.tmp.join("logs", "pipe"))  # not a regular file: never opened

    def test_a_directory_stands_for_its_regular_files_in_name_order(self):
        for arg in (self.dir, self.dir + "/"):
            with self.subTest(arg=arg):
                res = h.run_cmd("detect", arg)
                self.assertEqual(res.code, h.EXIT_OK, res.describe())
                paths = [l.split("\t")[0] for l in res.stdout.splitlines()]
                self.assertEqual(paths, [os.path.join(self.dir, "a.jsonl"),
                                         os.path.join(self.dir, "b.log")], res.describe())
                rows = detect_rows(res.stdout)
                self.assertEqual(rows[paths[0]][0], "json")
                self.assertEqual(rows[paths[1]][0], "bracket")

    def test_directories_and_files_mix(self):
        other = self.tmp.write("other.log", BRACKET)
        res = h.run_cmd("detect", other, self.dir)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertEqual([l.split("\t")[0] for l in res.stdout.splitlines()],
                         [other, os.path.join(self.dir, "a.jsonl"),
                          os.path.join(self.dir, "b.log")])

    def test_a_directory_without_files_is_an_error(self):
        empty = self.tmp.mkdir("empty")
        res = h.run_cmd("detect", empty, os.path.join(self.dir, "b.log"))
        self.assertEqual(res.code, h.EXIT_FAILURE, res.describe())
        self.assertIn(f"{empty}: a directory without regular files", res.stderr)
        # The other argument is still detected.
        self.assertEqual(detect_rows(res.stdout)[os.path.join(self.dir, "b.log")][0], "bracket")

    def test_help_says_what_happens(self):
        text = h.run_cmd("detect", "--help").stdout
        self.assertIn("FILE|DIR", text)
        for word in ("DIR stands for the regular files", "empty", "binary"):
            self.assertIn(word, text)
        self.assertIn("binary", h.run_cmd("parse", "--help").stdout)


class EmptyBinaryMissing(unittest.TestCase):

    def setUp(self):
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.good = self.tmp.write("app.log", BRACKET)
        self.empty = self.tmp.write("empty.log", "")
        self.rotated = self.tmp.join("app.log.1.gz")
        with gzip.open(self.rotated, "wt", encoding="utf-8") as f:
            f.write(BRACKET * 50)
        self.utf16 = self.tmp.join("iis.log")
        with open(self.utf16, "w", encoding="utf-16") as f:
            f.write(BRACKET)
        self.missing = self.tmp.join("missing.log")

    def test_detect(self):
        res = h.run_cmd("detect", self.good, self.empty, self.rotated, self.utf16, self.missing)
        self.assertEqual(res.code, h.EXIT_FAILURE, res.describe())  # the missing one
        rows = detect_rows(res.stdout)
        self.assertEqual(rows[self.good][0], "bracket")
        self.assertEqual(rows[self.empty], ("none", "0.00"), res.describe())
        for path in (self.rotated, self.utf16):
            self.assertNotIn(path, rows, res.describe())
            self.assertIn(f"{path}: binary (a NUL byte in its first 8000 bytes), skipped",
                          res.stderr)
        self.assertNotIn(self.missing, rows)
        self.assertIn(f"{self.missing}: No such file or directory", res.stderr)

    def test_binary_files_are_skipped_not_failed(self):
        for command in ("detect", "parse"):
            with self.subTest(command=command):
                res = h.run_cmd(command, self.rotated, self.good)
                self.assertEqual(res.code, h.EXIT_OK, res.describe())
                self.assertIn(f"{self.rotated}: binary", res.stderr)
                self.assertNotIn(self.rotated, res.stdout)

    def test_an_empty_file_alone_is_no_failure(self):
        res = h.run_cmd("detect", self.empty)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertEqual(res.stdout, f"{self.empty}\tnone\t0.00\n")
        res = h.run_parse(self.empty)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertEqual(res.stdout, "")
        self.assertIn(f"{self.empty}: 0 lines, 0 records", res.stderr)

    def test_parse(self):
        res = h.run_parse(self.rotated, self.good, self.utf16, self.empty, self.tmp.path)
        self.assertEqual(res.code, h.EXIT_FAILURE, res.describe())  # the directory
        # The readable files are read: one record, from app.log.
        records = res.records
        self.assertEqual(len(records), 1, res.describe())
        self.assertEqual(records[0]["metadata"]["source"]["path"], self.good)
        for path in (self.rotated, self.utf16):
            self.assertIn(f"{path}: binary (a NUL byte in its first 8000 bytes), skipped",
                          res.stderr)
            self.assertNotIn(f"{path}: ", res.stderr.replace(f"{path}: binary", ""))
        self.assertIn(f"{self.tmp.path}: is a directory", res.stderr)

    def test_a_nul_byte_after_the_first_8000_bytes_is_read(self):
        # A log whose end a crash filled with NUL bytes is still a log.
        path = self.tmp.write("crashed.log", BRACKET * 200 + "\0" * 100)
        res = h.run_cmd("detect", path)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertEqual(detect_rows(res.stdout)[path][0], "bracket")
        res = h.run_parse(path)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertEqual(len(res.records), 200)


class Version(unittest.TestCase):

    def project_version(self):
        with open(os.path.join(h.REPO_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
            return re.search(r"project\(homeostasisd VERSION ([0-9.]+)", f.read()).group(1)

    def test_version_names_the_build(self):
        res = h.run_cmd("version")
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertEqual(h.run_cmd("--version").stdout, res.stdout)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[0], f"homeostasisd {self.project_version()}")
        fields = dict(l.split(": ", 1) for l in lines[1:])
        self.assertEqual(sorted(fields), ["build", "commit", "libraries"], res.stdout)
        self.assertRegex(fields["build"], r"^\w+, (GNU|Clang) \d+\.\d+")
        commit = fields["commit"]
        self.assertRegex(commit, r"^([0-9a-f]{12}(-dirty)?|unknown)$")
        if commit != "unknown" and shutil.which("git"):
            r = subprocess.run(["git", "-C", h.REPO_DIR, "cat-file", "-e",
                                commit.removesuffix("-dirty") + "^{commit}"],
                               capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 0, f"{commit} is not a commit of {h.REPO_DIR}")
        libraries = fields["libraries"]
        for name in ("Boost", "RE2", "simdjson", "spdlog", "fmt", "yaml-cpp", "librdkafka",
                     "librabbitmq", "libpq", "SQLite", "OpenSSL", "zlib", "libsystemd"):
            self.assertRegex(libraries, rf"(^|, ){re.escape(name)} \(?[\w.]*\d", libraries)
        # The versions are the installed libraries' (pkg-config reads the same packages).
        for name, module in (("librdkafka", "rdkafka"), ("SQLite", "sqlite3"), ("zlib", "zlib"),
                             ("libsystemd", "libsystemd"), ("yaml-cpp", "yaml-cpp")):
            r = subprocess.run(["pkg-config", "--modversion", module], capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"{name} {r.stdout.strip()}", libraries)

    def test_version_help(self):
        res = h.run_cmd("version", "--help")
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        self.assertIn("commit", res.stdout)


if __name__ == "__main__":
    h.main()
