"""The trust test: real logrotate alternating `create` and `copytruncate` while a writer appends
numbered lines and the daemon is killed with SIGKILL at random moments and restarted (once
across a rotation it sleeps through). Every line must arrive; duplicates stay within the
batches in flight at each kill. Prints the figures it measured."""

import collections
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
import unittest

import homeo_testlib as lib

WRITE_SECONDS = float(os.environ.get("HOMEO_CRASH_SECONDS", "20"))
LINES_PER_BURST = 40
BURST_PAUSE = 0.01
MAX_RECORDS = 200


def line(i):
    return f"[ERROR][2023-05-20 14:30:22] app.crash - KeyError: n={i}\n"


class RotationCrashTest(unittest.TestCase):
    def setUp(self):
        if not shutil.which("logrotate"):
            self.fail("logrotate is missing (scripts/install-deps.sh installs it)")
        self.tmp = lib.TempDir()
        self.logs = self.tmp.mkdir("logs")
        self.log = os.path.join(self.logs, "app.log")
        self.out = self.tmp.join("out.jsonl")
        self.lock = threading.Lock()  # no write while logrotate runs: copytruncate's own race
        self.written = 0
        self.stop_writing = threading.Event()
        self.rotations = collections.Counter()
        self.state = self.tmp.join("logrotate.state")
        for mode in ("create", "copytruncate"):
            with open(self.tmp.join(f"{mode}.conf"), "w") as f:
                f.write(f"{self.log} {{\n  {mode}\n  rotate 1000\n  missingok\n"
                        "  nocompress\n  notifempty\n}\n")

    def tearDown(self):
        self.stop_writing.set()
        if not os.environ.get("HOMEO_KEEP_TMP"):
            self.tmp.cleanup()
        else:
            print("kept", self.tmp.path)

    def config(self):
        # The rotated names are part of the input, as an operator would write it, so that a
        # file created and rotated away while the daemon is down is still found.
        cfg = lib.daemon_config(self.tmp.path, self.log + "*", self.out, rotate_wait_ms=1500,
                                multiline_timeout_ms=100)
        cfg["batch"] = {"max_records": MAX_RECORDS, "max_bytes": 1048576, "max_wait_ms": 50}
        return cfg

    def writer(self):
        i = 0
        while not self.stop_writing.is_set():
            with self.lock:
                with open(self.log, "a") as f:
                    f.write("".join(line(i + k) for k in range(LINES_PER_BURST)))
                i += LINES_PER_BURST
                self.written = i
            time.sleep(BURST_PAUSE)

    def rotate(self, mode):
        with self.lock:
            r = subprocess.run(["logrotate", "-f", "-s", self.state, self.tmp.join(f"{mode}.conf")],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.rotations[mode] += 1

    def test_no_line_lost_under_rotation_and_sigkill(self):
        rnd = random.Random(20240520)
        cfg_path = self.tmp.join("config.yaml")
        lib.write_config(cfg_path, self.config())
        d = lib.DaemonProcess(None, cfg_path).start()
        kills = 0
        slept_through = False
        writer = threading.Thread(target=self.writer, daemon=True)
        writer.start()
        t_end = time.monotonic() + WRITE_SECONDS
        next_rotation = time.monotonic() + 1.0
        next_kill = time.monotonic() + rnd.uniform(1.5, 3.0)
        mode_cycle = ["create", "copytruncate"]
        try:
            while time.monotonic() < t_end:
                now = time.monotonic()
                if now >= next_rotation:
                    self.rotate(mode_cycle[sum(self.rotations.values()) % 2])
                    next_rotation = now + rnd.uniform(0.8, 1.6)
                if now >= next_kill:
                    d.proc.send_signal(signal.SIGKILL)
                    d.proc.wait()
                    d._close()
                    kills += 1
                    if not slept_through and kills == 2:
                        # A rotation of each kind while the daemon is down.
                        self.rotate("create")
                        time.sleep(0.2)
                        self.rotate("copytruncate")
                        slept_through = True
                    time.sleep(rnd.uniform(0.0, 0.3))
                    d = lib.DaemonProcess(None, cfg_path).start()
                    next_kill = time.monotonic() + rnd.uniform(1.5, 3.0)
                time.sleep(0.02)
            self.stop_writing.set()
            writer.join()
            total = self.written

            def counts():
                c = collections.Counter()
                for raw in lib.read_text(self.out).splitlines():
                    try:
                        msg = json.loads(raw)["error_details"]["message"]
                    except (ValueError, KeyError):
                        continue
                    if msg.startswith("n="):
                        c[int(msg[2:])] += 1
                return c

            lib.wait_for(lambda: len(counts()) >= total, 60.0,
                         lambda: f"{total - len(counts())} of {total} lines missing; first "
                                 f"missing: {sorted(set(range(total)) - set(counts()))[:10]}\n"
                                 + d.describe())
            self.assertEqual(d.stop(), 0)
        finally:
            if d.alive():
                d.proc.kill()
                d.proc.wait()
        c = counts()
        lost = total - len([n for n in range(total) if c[n] > 0])
        dups = sum(v - 1 for v in c.values() if v > 1)
        print(f"\nrotation crash test: {total} lines written, {kills} SIGKILLs, rotations "
              f"{dict(self.rotations)}, lost {lost}, duplicated {dups} "
              f"({dups / max(kills, 1):.0f} per kill, batch size {MAX_RECORDS})")
        self.assertGreaterEqual(self.rotations["create"], 2)
        self.assertGreaterEqual(self.rotations["copytruncate"], 2)
        self.assertGreaterEqual(kills, 3)
        self.assertEqual(lost, 0)
        self.assertLessEqual(dups, kills * MAX_RECORDS)


if __name__ == "__main__":
    lib.main()
