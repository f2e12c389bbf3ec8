"""`homeostasisd check` reports what an earlier run left in state_dir: the checkpoint file
(readable and how many files it tracks, or what is wrong with it) and, per transport spool, the
batches waiting, those failing their check and those quarantined. It only reads (nothing is moved
or set aside), and damaged state does not change its exit status: the config is valid."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeo_testlib as h  # noqa: E402


def crc32c(data):
    """CRC-32C (Castagnoli), as the spool's batch headers carry it."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def spool_batch(records):
    """A batch file's bytes as the spool writes them: its header line, then NDJSON."""
    body = "".join(r + "\n" for r in records).encode()
    return b"#homeostasisd-spool v1 len=%d crc32c=%08x\n" % (len(body), crc32c(body)) + body


RECORD = '{"timestamp":"2026-12-03T10:00:00Z","service":"it-service","level":"ERROR","message":"x"}'


class CheckStateTest(unittest.TestCase):

    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.logs = self.tmp.mkdir("logs")
        self.state = self.tmp.join("state")
        self.out = self.tmp.join("out.jsonl")
        self.cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out)

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, cfg):
        path = h.write_config(self.tmp.join("check.yaml"), cfg)
        r = h.run_cmd("check", "--config", path)
        self.assertEqual(r.code, h.EXIT_OK, r.describe())
        return r, r.stdout.splitlines()

    def tree(self):
        found = []
        for root, _, names in os.walk(self.state):
            for n in names:
                p = os.path.join(root, n)
                found.append((os.path.relpath(p, self.state), os.path.getsize(p)))
        return sorted(found)

    def test_missing_state_dir_is_created_by_run(self):
        r, lines = self.check(self.cfg)
        self.assertIn(f"state_dir {self.state}: missing; run creates it", lines, r.describe())
        self.assertFalse(os.path.exists(self.state))

    def test_good_checkpoints_a_damaged_batch_and_a_quarantined_one(self):
        h.append_text(os.path.join(self.logs, "app.log"),
                      "[ERROR][2026-12-03 10:00:00] app.check - KeyError: n=1\n")
        with h.DaemonProcess(self.cfg, self.tmp.join("run.yaml")) as d:
            h.wait_for(lambda: os.path.exists(self.out) and h.read_text(self.out).strip(), 10,
                       lambda: f"no record written\n{d.describe()}")
            self.assertEqual(d.stop(), h.EXIT_OK, d.describe())
        self.assertTrue(os.path.exists(os.path.join(self.state, "checkpoints")))

        # A second transport whose destination was down: its spool holds one good batch, one
        # cut short, and one an earlier run quarantined.
        cfg = dict(self.cfg)
        cfg["transports"] = self.cfg["transports"] + [
            {"type": "http", "url": "http://127.0.0.1:9/errors"}]
        spool = os.path.join(self.state, "spool", "1-http")
        os.makedirs(os.path.join(spool, "quarantine"))
        good = spool_batch([RECORD, RECORD])
        with open(os.path.join(spool, "0000000000000002-2.ndjson"), "wb") as f:
            f.write(good)
        with open(os.path.join(spool, "0000000000000003-2.ndjson"), "wb") as f:
            f.write(good[:len(good) - 10])
        with open(os.path.join(spool, "quarantine", "0000000000000001-1.ndjson"), "wb") as f:
            f.write(b"junk")
        before = self.tree()

        r, lines = self.check(cfg)
        body = len(good) - len(good.split(b"\n", 1)[0]) - 1
        for want in (
                f"state_dir {self.state}: exists",
                "  checkpoints: readable, tracks 1 file",
                "  spool 0-file: empty",
                f"  spool 1-http: 1 batch waiting ({len(good)} bytes), 1 failing their check, "
                "1 quarantined",
                f"    failing 0000000000000003-2.ndjson: cut short: {body - 10} of {body} bytes",
                "    quarantined 0000000000000001-1.ndjson"):
            self.assertIn(want, lines, r.describe())
        self.assertEqual(self.tree(), before, "check changed the state directory")

    def test_damaged_checkpoint_file_is_reported_not_set_aside(self):
        os.makedirs(self.state)
        path = os.path.join(self.state, "checkpoints")
        with open(path, "w", encoding="utf-8") as f:
            f.write("homeostasisd-checkpoints v2\n"
                    "2049\t77\t120\t64\t00000000deadbeef\t0\t0\t0000000000000000\t/var/log/a.log\n")
        r, lines = self.check(self.cfg)
        self.assertIn("  checkpoints: damaged (cut short after line 2 (no trailer)); run sets it "
                      "aside as checkpoints.corrupt and reads files again as read_from says",
                      lines, r.describe())
        self.assertTrue(os.path.exists(path))
        self.assertFalse(os.path.exists(path + ".corrupt"))

        with open(path, "w", encoding="utf-8") as f:
            f.write("not checkpoints\n")
        r, lines = self.check(self.cfg)
        self.assertIn("  checkpoints: damaged (line 1: not a checkpoint file header); run sets it "
                      "aside as checkpoints.corrupt and reads files again as read_from says",
                      lines, r.describe())


if __name__ == "__main__":
    h.main()
