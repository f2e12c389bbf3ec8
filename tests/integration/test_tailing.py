"""Tailing edge cases: truncation, deletion while open, inode reuse, long lines, binary junk,
a checkpoint file cut in half, ignore_older, polling, inotify queue overflow, 2,000 files. Each
test drives the real daemon against a temp directory."""

import os
import random
import signal
import time
import unittest

import homeo_testlib as lib


def bracket_line(i, level="ERROR"):
    return f"[{level}][2023-05-20 14:30:22] app.tail - KeyError: n={i}\n"


def numbers(records):
    out = []
    for r in records:
        msg = r["error_details"]["message"]
        if msg.startswith("n="):
            out.append(int(msg[2:]))
    return out


def open_paths(pid):
    """What the descriptors of process pid refer to (paths, anon_inode:..., socket:...)."""
    out = []
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            out.append(os.readlink(os.path.join(fd_dir, fd)))
        except OSError:
            pass  # closed meanwhile
    return out


class TailingTest(unittest.TestCase):
    def setUp(self):
        self.tmp = lib.TempDir()
        self.logs = self.tmp.mkdir("logs")
        self.log = os.path.join(self.logs, "app.log")
        self.out = self.tmp.join("out.jsonl")

    def tearDown(self):
        self.tmp.cleanup()

    def config(self, **overrides):
        cfg = lib.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), self.out,
                                rotate_wait_ms=300, **overrides)
        return cfg

    def daemon(self, **overrides):
        return lib.DaemonProcess(self.config(**overrides), self.tmp.join("config.yaml"))

    def wait_numbers(self, expected, d, timeout=5.0):
        def got():
            return sorted(numbers(lib.read_ndjson(self.out))) == sorted(expected)

        lib.wait_for(got, timeout,
                     lambda: f"expected numbers {sorted(expected)[:20]}..., got "
                             f"{sorted(numbers(lib.read_ndjson(self.out)))[:40]}\n{d.describe()}")

    def test_truncate_to_zero_and_regrow(self):
        lib.append_text(self.log, "".join(bracket_line(i) for i in range(10)))
        with self.daemon() as d:
            self.wait_numbers(range(10), d)
            with open(self.log, "w") as f:  # truncate in place
                f.write("".join(bracket_line(i) for i in range(100, 104)))
            self.wait_numbers(list(range(10)) + list(range(100, 104)), d)
            # Regrown past the old size before the daemon looks again: still seen as new.
            with open(self.log, "w") as f:
                f.write("".join(bracket_line(i) for i in range(200, 230)))
            self.wait_numbers(list(range(10)) + list(range(100, 104)) + list(range(200, 230)),
                              d)
            self.assertEqual(d.stop(), 0)

    def test_delete_while_open_is_drained_then_released(self):
        lib.append_text(self.log, "".join(bracket_line(i) for i in range(5)))
        with self.daemon() as d:
            self.wait_numbers(range(5), d)
            with open(self.log, "a") as f:
                f.write("".join(bracket_line(i) for i in range(5, 50)))
            os.unlink(self.log)
            self.wait_numbers(range(50), d)

            def released():
                fd_dir = f"/proc/{d.proc.pid}/fd"
                for fd in os.listdir(fd_dir):
                    try:
                        if os.readlink(os.path.join(fd_dir, fd)).startswith(self.log):
                            return False
                    except OSError:
                        pass
                return True

            lib.wait_for(released, 5.0, "the deleted file's descriptor was not released")
            self.assertEqual(d.stop(), 0)

    def test_new_content_under_a_known_inode_is_read_from_the_start(self):
        lib.append_text(self.log, "".join(bracket_line(i) for i in range(20)))
        with self.daemon() as d:
            self.wait_numbers(range(20), d)
            self.assertEqual(d.stop(), 0)
        ino = os.stat(self.log).st_ino
        # While stopped, the same inode gets other, longer content.
        with open(self.log, "r+") as f:
            f.truncate(0)
            f.write("".join(bracket_line(i) for i in range(1000, 1040)))
        self.assertEqual(os.stat(self.log).st_ino, ino)
        with self.daemon() as d:
            self.wait_numbers(list(range(20)) + list(range(1000, 1040)), d)
            self.assertEqual(d.stop(), 0)

    def test_restart_neither_rereads_nor_skips(self):
        lib.append_text(self.log, "".join(bracket_line(i) for i in range(30)))
        with self.daemon() as d:
            self.wait_numbers(range(30), d)
            self.assertEqual(d.stop(), 0)
        lib.append_text(self.log, "".join(bracket_line(i) for i in range(30, 60)))
        with self.daemon() as d:
            self.wait_numbers(range(60), d)
            self.assertEqual(d.stop(), 0)
        got = numbers(lib.read_ndjson(self.out))
        self.assertEqual(len(got), len(set(got)), "a restart resent records")

    def test_line_longer_than_max_line_bytes(self):
        with self.daemon(max_line_bytes=4096) as d:
            with open(self.log, "a") as f:
                f.write(bracket_line(1))
                f.write("[ERROR][2023-05-20 14:30:22] app.tail - huge " + "x" * (10 << 20) + "\n")
                f.write(bracket_line(2))
            self.wait_numbers([1, 2], d, timeout=15)
            records = lib.read_ndjson(self.out)
            huge = [r for r in records if "huge" in r["message"]]
            self.assertEqual(len(huge), 1)
            self.assertLessEqual(len(huge[0]["metadata"]["raw_log"]), 4096)
            self.assertTrue(d.alive())
            self.assertEqual(d.stop(), 0)

    def test_binary_junk_and_invalid_utf8(self):
        rnd = random.Random(7)
        junk = bytes(rnd.randrange(256) for _ in range(64 * 1024))
        with self.daemon() as d:
            with open(self.log, "ab") as f:
                f.write(bracket_line(1).encode())
                f.write(junk)
                f.write(b"\n[ERROR][2023-05-20 14:30:22] app.tail - bad \xff\xfe utf8\n")
                f.write(bracket_line(2).encode())
            self.wait_numbers([1, 2], d, timeout=10)
            lib.wait_for(lambda: any("bad" in r["message"] for r in lib.read_ndjson(self.out)),
                         5.0, "the line with invalid UTF-8 did not arrive")
            for r in lib.read_ndjson(self.out):  # read_ndjson parses every line as JSON
                if "bad" in r["message"]:
                    self.assertIn("\ufffd", r["message"])
            self.assertTrue(d.alive())
            self.assertEqual(d.stop(), 0)

    def test_checkpoint_file_cut_in_half(self):
        lib.append_text(self.log, "".join(bracket_line(i) for i in range(200)))
        with self.daemon() as d:
            self.wait_numbers(range(200), d)
            self.assertEqual(d.stop(), 0)
        cp = self.tmp.join("state", "checkpoints")
        size = os.path.getsize(cp)
        self.assertGreater(size, 0)
        with open(cp, "r+b") as f:
            f.truncate(size // 2)
        lib.append_text(self.log, bracket_line(500))
        with self.daemon() as d:
            lib.wait_for(lambda: 500 in numbers(lib.read_ndjson(self.out)), 5.0,
                         lambda: "the daemon did not recover from a cut checkpoint file\n" +
                         d.describe())
            self.assertIn("corrupt", d.stderr_text())
            self.assertEqual(d.stop(), 0)

    def test_ignore_older_skips_old_content_and_reads_what_is_added(self):
        old = os.path.join(self.logs, "old.log")
        lib.append_text(old, "".join(bracket_line(i) for i in range(10)))
        day_ago = time.time() - 86400
        os.utime(old, (day_ago, day_ago))
        lib.append_text(self.log, "".join(bracket_line(i) for i in range(100, 105)))
        inputs = self.config()["inputs"]
        inputs[0]["ignore_older_ms"] = 3600 * 1000
        with self.daemon(inputs=inputs) as d:
            self.wait_numbers(range(100, 105), d)
            self.assertIn("old.log is older than ignore_older_ms", d.stderr_text())
            self.assertNotIn(old, open_paths(d.proc.pid), "the skipped file is open")
            # Written to again: only the new lines are read, not its old content.
            lib.append_text(old, bracket_line(500))
            self.wait_numbers(list(range(100, 105)) + [500], d)
            self.assertEqual(d.stop(), 0)
        # Skipped while stopped too: after a restart the old lines stay unread.
        lib.append_text(old, bracket_line(501))
        with self.daemon(inputs=inputs) as d:
            self.wait_numbers(list(range(100, 105)) + [500, 501], d)
            self.assertEqual(d.stop(), 0)

    def test_watch_poll_follows_appends_and_rotation_without_inotify(self):
        inputs = self.config()["inputs"]
        inputs[0]["watch"] = "poll"
        with self.daemon(inputs=inputs) as d:
            self.assertIn("polled every", d.stderr_text())
            lib.append_text(self.log, "".join(bracket_line(i) for i in range(5)))
            self.wait_numbers(range(5), d)
            # No inotify watch is set: the daemon's inotify descriptor watches nothing.
            fd_dir = f"/proc/{d.proc.pid}/fd"
            for fd in os.listdir(fd_dir):
                try:
                    if os.readlink(os.path.join(fd_dir, fd)) == "anon_inode:inotify":
                        with open(f"/proc/{d.proc.pid}/fdinfo/{fd}") as f:
                            self.assertNotIn("inotify wd:", f.read())
                except OSError:
                    pass
            os.rename(self.log, self.log + ".1")  # the glob is *.log: app.log.1 is not input
            lib.append_text(self.log + ".1", bracket_line(5))
            lib.append_text(self.log, "".join(bracket_line(i) for i in range(6, 10)))
            self.wait_numbers(range(10), d)
            self.assertEqual(d.stop(), 0)

    def test_inotify_queue_overflow_is_answered_by_a_rescan(self):
        with open("/proc/sys/fs/inotify/max_queued_events") as f:
            queue = int(f.read())
        if queue > 1_000_000:
            self.skipTest(f"max_queued_events is {queue}: too many events to overflow it")
        noise = [os.path.join(self.logs, f"noise-{c}.log") for c in "ab"]
        for path in noise:
            lib.append_text(path, "started\n")
        lib.append_text(self.log, bracket_line(0))
        started = time.monotonic()  # the first reconcile scan runs 10 s after the start
        with self.daemon() as d:
            self.wait_numbers([0], d)
            # Stopped, the daemon reads no events: the kernel queue fills and overflows. The
            # events are writes to files it follows, which by themselves trigger no scan.
            d.send_signal(signal.SIGSTOP)
            try:
                fds = [os.open(path, os.O_WRONLY | os.O_APPEND) for path in noise]
                for _ in range(queue // 2 + 1000):  # alternating, so that no two merge
                    for fd in fds:
                        os.write(fd, b"ok\n")
                for fd in fds:
                    os.close(fd)
                # Its creation is an event the full queue drops: only a rescan finds it.
                lib.append_text(os.path.join(self.logs, "late.log"), bracket_line(1))
            finally:
                d.send_signal(signal.SIGCONT)
            self.wait_numbers([0, 1], d, timeout=max(1.0, started + 9.0 - time.monotonic()))
            self.assertIn("inotify queue overflow; rescanning", d.stderr_text())
            self.assertEqual(d.stop(), 0)

    def test_two_thousand_files_idle_without_descriptors(self):
        """Scale: 2,000 followed files cost no descriptor or thread each once idle, and one that
        changes is reopened. Prints the descriptors, threads and RSS it measured."""
        count = 2000
        paths = [os.path.join(self.logs, f"svc{i:04d}.log") for i in range(count)]
        for i, path in enumerate(paths):
            lib.append_text(path, bracket_line(i))
        with self.daemon(close_inactive_ms=500) as d:
            self.wait_numbers(range(count), d, timeout=60)

            def proc_status():
                fds = len(os.listdir(f"/proc/{d.proc.pid}/fd"))
                status = {}
                with open(f"/proc/{d.proc.pid}/status") as f:
                    for line in f:
                        key, _, value = line.partition(":")
                        status[key] = value.split()
                return fds, int(status["Threads"][0]), int(status["VmRSS"][0])

            # Idle files are closed after close_inactive_ms: the descriptors left are the
            # daemon's own (inotify, event loop, sockets, output files), not one per file.
            lib.wait_for(lambda: proc_status()[0] < 64, 30.0,
                         lambda: f"{proc_status()[0]} descriptors open with {count} idle files\n"
                                 + d.describe())
            fds, threads, rss_kib = proc_status()
            print(f"\n{count} idle files: {fds} descriptors, {threads} threads, "
                  f"{rss_kib / 1024:.1f} MiB RSS")
            self.assertLess(threads, 16)
            # A file that changes again is reopened and read from where it was.
            for i in range(0, count, 250):
                lib.append_text(paths[i], bracket_line(count + i))
            self.wait_numbers(list(range(count)) + [count + i for i in range(0, count, 250)], d,
                              timeout=30)
            lib.wait_for(lambda: proc_status()[0] < 64, 30.0,
                         lambda: f"{proc_status()[0]} descriptors open after the changes\n"
                                 + d.describe())
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    lib.main()
