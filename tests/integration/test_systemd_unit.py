"""The systemd unit passes `systemd-analyze verify` and its exposure score is 2.0 or lower."""

import os
import re
import shutil
import subprocess
import unittest

import homeo_testlib as lib

UNIT = os.path.join(lib.REPO_DIR, "systemd", "homeostasisd.service")


class SystemdUnit(unittest.TestCase):
    def setUp(self):
        if not shutil.which("systemd-analyze"):
            self.fail("systemd-analyze is missing (scripts/install-deps.sh installs systemd)")
        binary = lib.require_binary()
        self.tmp = lib.TempDir()
        # verify checks that the executables exist: point the unit at the built binary.
        with open(UNIT, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("/usr/bin/homeostasisd run", text)
        self.unit = os.path.join(self.tmp.path, "homeostasisd.service")
        with open(self.unit, "w", encoding="utf-8") as f:
            f.write(text.replace("/usr/bin/homeostasisd", binary))

    def tearDown(self):
        self.tmp.cleanup()

    def test_verify(self):
        r = subprocess.run(["systemd-analyze", "verify", self.unit], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("Unknown key", r.stderr)

    def test_type_notify_and_no_restart_on_bad_config(self):
        with open(UNIT, encoding="utf-8") as f:
            text = f.read()
        self.assertRegex(text, r"(?m)^Type=notify$")
        self.assertRegex(text, r"(?m)^RestartPreventExitStatus=78$")

    def test_security_exposure(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=true", self.unit],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, r.stdout[-2000:])
        self.assertLessEqual(float(m.group(1)), 2.0)


if __name__ == "__main__":
    lib.main()
