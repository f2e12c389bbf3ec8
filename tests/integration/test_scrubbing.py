#!/usr/bin/python3
"""Acceptance of scrubbing and context: a corpus with every built-in secret kind in every place
a log carries it (plain text, JSON fields, nested JSON objects, Python tracebacks, URLs,
headers) goes through `homeostasisd parse` and through the daemon's file transport. No secret
value may appear in the output; every marker written beside the secrets must. Records carry
system_info and the configured labels."""

import json
import os
import re
import unittest
import urllib.parse

import homeo_testlib as h

GIVE_UP_S = 20.0

# kind -> (secret value, how it is written; {S} stands for the value). The values are made up
# for this test; each has the shape the real secret has.
SECRETS = {
    "password": ("Zq9-hunter2-pw", "password={S}"),
    "passwd_quoted": ("pass phrase 77", "passwd='{S}'"),
    "pwd": ("pwd-Lk3-0099", "db_pwd: {S}"),
    "secret": ("sv-Qm5Rt7Wx", "app_secret={S}"),
    "token": ("tok-1122334455", "access_token={S}"),
    "api_key": ("ak_9f8e7d6c5b4a", "api_key: {S}"),
    "access_key": ("acc-ab12cd34ef", "access_key={S}"),
    "private_key_kv": ("pk-material-5151", "private_key={S}"),
    "client_secret": ("cs-5e6f7a8b9c0d", "client_secret={S}"),
    "credentials": ("crd-0a1b2c3d", "credentials={S}"),
    "auth": ("auth-xyz-4455", "auth={S}"),
    "url_userinfo": ("Url-Pw-8812", "postgres://svc:{S}@db.internal:5432/app"),
    "authorization": ("dXNlcjpzM2NyM3Q9", "Authorization: Basic {S}"),
    "cookie": ("ck-7d8e9f0a1b", "Cookie: session={S}"),
    "set_cookie": ("sc-2b3c4d5e6f", "Set-Cookie: sid={S}; Path=/"),
    "bearer": ("bt-AbCdEfGh12345678", "Bearer {S}"),
    "jwt": ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.SigJwt_0123456789abc", "{S}"),
    "aws_key_id": ("AKIAZ7QXB3LMN4OP5QR6", "{S}"),
    "aws_secret": ("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", "aws_secret_access_key={S}"),
    "github_ghp": ("ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "{S}"),
    "github_gho": ("gho_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2", "{S}"),
    "github_ghs": ("ghs_" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8", "{S}"),
    "github_pat": ("github_pat_11ABCDEFG0aBcDeFgHiJkLmN_oPqRsTuVwXyZ0123", "{S}"),
    "gitlab": ("glpat-Ab3De6Gh9Jk2Mn5Pq8St", "{S}"),
    "slack_token": ("xoxb-1234567890-AbCdEfGhIjKlMn", "{S}"),
    "slack_webhook": ("T0AAA1111/B0BBB2222/Xy9SecretHook77",
                      "https://hooks.slack.com/services/{S}"),
    "stripe_sk_live": ("sk_live_51AbCdEfGhIjKlMnOpQr", "{S}"),
    "stripe_rk_live": ("rk_live_51ZyXwVuTsRqPoNmLkJi", "{S}"),
    "stripe_sk_test": ("sk_test_51QwErTyUiOpAsDfGhJk", "{S}"),
    "private_key_block": ("MIIEowIBAAKCAQEAzKeyBody0123456789",
                          "-----BEGIN RSA PRIVATE KEY-----\n{S}\n-----END RSA PRIVATE KEY-----"),
    "card_spaces": ("4111 1111 1111 1111", "card {S}"),
    "card_dashes": ("5500-0000-0000-0004", "card {S}"),
    "card_plain": ("378282246310005", "amex {S}"),
}

# Secrets that only JSON structure carries: a secret key whose value is a string, or an object.
JSON_KEY_SECRETS = {
    "json_password_field": ("jpw-Field-4040", lambda s: {"password": s}),
    "json_nested_password": ("jpw-Nested-5050", lambda s: {"db": {"password": s}}),
    "json_credentials_object": ("jcred-Obj-6060",
                                lambda s: {"credentials": {"user": "svc", "pass": s}}),
    "json_token_list": ("jtok-List-7070", lambda s: {"token": [s, "x"], "api_key": s}),
}

# Written beside the secrets and never secret: all of them must come out.
LOOKALIKES = ["order 4111111111111112 shipped", "author=alice", "monkey=george",
              "keyboard=us", "tokenizer=bert", "passwordless=true", "at 1700000000123 ms"]

TIME = "2024-03-01 10:00:{:02d},000"


class Corpus:
    """Builds the log files and remembers every secret and marker written."""

    def __init__(self):
        self.secrets = {}  # value -> kind
        self.markers = []
        self.n = 0

    def marker(self):
        self.n += 1
        m = f"MARKER_{self.n:04d}"
        self.markers.append(m)
        return m

    def snippet(self, kind, one_line=True):
        value, template = SECRETS[kind]
        self.secrets[value] = kind
        text = template.replace("{S}", value)
        # Outside JSON a multi-line key is written as a repr, with \n escapes.
        return text.replace("\n", "\\n") if one_line else text

    def py_line(self, i, module, text):
        return f"{TIME.format(i % 60)} - {module} - ERROR - {text}\n"

    def plain(self):
        out = []
        for i, kind in enumerate(SECRETS):
            a, b = self.marker(), self.marker()
            # The snippet ends the line: a header's value runs to the end of its line.
            out.append(self.py_line(i, "app.plain", f"{a} login step failed {b}: "
                                    + self.snippet(kind)))
        out.append(self.py_line(0, "app.plain", " ".join(LOOKALIKES + [self.marker()])))
        return "".join(out)

    def json_fields(self):
        out = []
        for i, kind in enumerate(SECRETS):
            a, b, c = self.marker(), self.marker(), self.marker()
            s = self.snippet(kind, one_line=False)
            out.append(json.dumps({"timestamp": "2024-03-01T10:00:00Z", "level": "error",
                                   "message": f"{a} call failed: {s}", "detail": s,
                                   "note": b, "ref": c}) + "\n")
        for kind, (value, shape) in JSON_KEY_SECRETS.items():
            self.secrets[value] = kind
            a, b = self.marker(), self.marker()
            obj = {"timestamp": "2024-03-01T10:00:00Z", "level": "error",
                   "message": f"{a} config rejected", "note": b}
            obj.update(shape(value))
            out.append(json.dumps(obj) + "\n")
        out.append(json.dumps({"level": "error", "message": " ".join(LOOKALIKES),
                               "note": self.marker()}) + "\n")
        return "".join(out)

    def json_nested(self):
        out = []
        for kind in SECRETS:
            a, b, c = self.marker(), self.marker(), self.marker()
            s = self.snippet(kind, one_line=False)
            out.append(json.dumps({
                "timestamp": "2024-03-01T10:00:00Z", "level": "error", "message": f"{a} failed",
                "request": {"id": b, "upstream": {"detail": s, "attempt": [s, c]}},
            }) + "\n")
        return "".join(out)

    def tracebacks(self):
        out = []
        for i, kind in enumerate(SECRETS):
            a, b, c, d = self.marker(), self.marker(), self.marker(), self.marker()
            s = self.snippet(kind)
            out.append(self.py_line(i, "app.worker", f"{a} job failed"))
            out.append("Traceback (most recent call last):\n")
            out.append('  File "/app/worker.py", line 10, in run\n')
            out.append(f"    client.call(job_id='{b}')\n")
            out.append('  File "/app/client.py", line 20, in call\n')
            out.append(f"    raise RuntimeError('{c}: ' + {s!r})\n")
            out.append(f"RuntimeError: {d}: {s}\n")
        return "".join(out)

    def urls(self):
        out = []
        for i, kind in enumerate(SECRETS):
            a, b = self.marker(), self.marker()
            value, template = SECRETS[kind]
            s = self.snippet(kind)
            kv = re.match(r"^(\w+)(?:=|: )'?\{S\}'?$", template)
            if "://" in s:
                url = f"{s} trace={b}"
            elif kind in ("authorization", "cookie", "set_cookie", "bearer"):
                url = f"https://api.example.com/v1/items?{b}=1 sent with " + s
            elif kv:
                # A secret query parameter, URL-encoded as a client writes it.
                encoded = urllib.parse.quote(value, safe="")
                self.secrets.setdefault(encoded, kind)
                url = f"https://api.example.com/v1/items?{kv.group(1)}={encoded}&trace={b}"
            else:
                encoded = urllib.parse.quote(s, safe="")
                self.secrets.setdefault(urllib.parse.quote(value, safe=""), kind)
                url = f"https://api.example.com/v1/items/{encoded}?trace={b}"
            out.append(self.py_line(i, "app.http", f"{a} GET {url}"))
        return "".join(out)

    def headers(self):
        out = []
        for i, kind in enumerate(SECRETS):
            a, b, c = self.marker(), self.marker(), self.marker()
            s = self.snippet(kind)
            if kind in ("authorization", "cookie", "set_cookie"):
                name, _, value = s.partition(": ")
            else:
                name, value = "X-Detail", s
            hdrs = {"X-Request-Id": b, name: value, "X-Trace": c}
            out.append(self.py_line(i, "app.http", f"{a} upstream refused, headers={hdrs!r}"))
        return "".join(out)

    def write(self, tmp, directory):
        files = {"plain.log": self.plain(), "json_fields.log": self.json_fields(),
                 "json_nested.log": self.json_nested(), "tracebacks.log": self.tracebacks(),
                 "urls.log": self.urls(), "headers.log": self.headers()}
        paths = []
        for name, text in files.items():
            paths.append(tmp.write(os.path.join(directory, name), text))
        return paths


class ScrubbingTest(unittest.TestCase):
    def setUp(self):
        h.require_binary()
        self.tmp = h.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.logs = self.tmp.mkdir("logs")
        self.corpus = Corpus()
        self.paths = self.corpus.write(self.tmp, "logs")
        # Every kind is in the corpus.
        kinds = set(self.corpus.secrets.values())
        self.assertEqual(kinds, set(SECRETS) | set(JSON_KEY_SECRETS))

    def check_output(self, text, what):
        leaks = []
        for value, kind in self.corpus.secrets.items():
            # The value, or a recognisable part of it (its second half).
            for part in (value, value[len(value) // 2:]):
                at = text.find(part)
                if at >= 0 and len(part) >= 8:
                    leaks.append(f"{kind}: ...{text[max(0, at - 80):at + len(part) + 20]}...")
                    break
        self.assertEqual(leaks, [], f"{what}: secrets left the host")
        missing = [m for m in self.corpus.markers if m not in text]
        self.assertEqual(missing, [], f"{what}: markers beside the secrets were lost")
        lost = [w for w in LOOKALIKES if w not in text]
        self.assertEqual(lost, [], f"{what}: look-alikes were scrubbed")

    def check_context(self, records, what, labels):
        self.assertTrue(records, what)
        for r in records:
            si = r.get("system_info", {})
            for key in ("hostname", "os_name", "architecture", "platform"):
                self.assertTrue(si.get(key), f"{what}: system_info.{key} missing: {si}")
            if labels:
                self.assertEqual(r.get("context", {}).get("labels"), labels,
                                 f"{what}: labels missing")

    def write_config(self, extra=None):
        cfg = {"service": "scrub-it", "min_level": "ERROR", "timezone": "UTC",
               "context": {"providers": [
                   {"type": "host"},
                   {"type": "labels", "labels": {"team": "payments", "region": "eu-1"}},
                   {"type": "system_metrics", "interval_ms": 10000},
                   {"type": "file"},
               ], "timeout_ms": 200}}
        cfg.update(extra or {})
        return cfg

    def expected_records(self):
        """Every entry of the corpus is an ERROR: one record per entry."""
        c = self.corpus
        n = len(SECRETS)
        return (n + 1) + (n + len(JSON_KEY_SECRETS) + 1) + n + n + n + n

    def test_parse_default_scrubbing(self):
        res = h.run_parse(*self.paths)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = h.parse_ndjson(res.stdout)
        self.assertEqual(len(records), self.expected_records(), res.stderr)
        self.check_output(res.stdout, "parse")
        self.check_context(records, "parse", None)
        h.validator().assert_valid(self, records, "parse")

    def test_parse_with_config(self):
        cfg = h.write_config(self.tmp.join("parse.yaml"), self.write_config())
        res = h.run_parse("--config", cfg, *self.paths)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = h.parse_ndjson(res.stdout)
        self.assertEqual(len(records), self.expected_records(), res.stderr)
        self.check_output(res.stdout, "parse --config")
        self.check_context(records, "parse --config", {"team": "payments", "region": "eu-1"})
        for r in records:
            ctx = r["context"]
            self.assertIn("system_metrics", ctx, f"no system metrics: {ctx}")
            self.assertIn("memory_total_bytes", ctx["system_metrics"])
            self.assertEqual(ctx["file"]["path"], r["metadata"]["source"]["path"])

    def test_daemon_file_transport(self):
        out = self.tmp.join("out", "errors.jsonl")
        os.makedirs(os.path.dirname(out))
        cfg = h.daemon_config(self.tmp.path, os.path.join(self.logs, "*.log"), out)
        cfg.update(self.write_config())
        cfg["inputs"][0]["context"] = {"labels": {"tier": "web"}}
        want = self.expected_records()
        with h.DaemonProcess(cfg, self.tmp.join("daemon.yaml")) as d:
            h.wait_for(lambda: len(h.read_ndjson(out)) >= want, GIVE_UP_S,
                       lambda: f"expected {want} records, have {len(h.read_ndjson(out))}\n"
                               f"{d.describe()}")
        with open(out, encoding="utf-8") as f:
            text = f.read()
        records = h.parse_ndjson(text)
        self.assertEqual(len(records), want)
        self.check_output(text, "daemon file transport")
        self.check_context(records, "daemon", {"team": "payments", "region": "eu-1",
                                               "tier": "web"})
        h.validator().assert_valid(self, records, "daemon")

    def test_custom_rules_and_hash(self):
        key = self.tmp.write("scrub.key", "integration-key\n")
        log = self.tmp.write("custom.log", "".join(
            f"{TIME.format(i)} - app - ERROR - {m} user ann@example.com TICKET-{i}77 "
            f"card 4111 1111 1111 1111\n" for i, m in enumerate(["MARKER_X1", "MARKER_X2"])))
        cfg = h.write_config(self.tmp.join("custom.yaml"), {"scrub": {
            "disable": ["card_number"],
            "hash_key_file": key,
            "rules": [
                {"name": "order_email", "pattern": r"[\w.+-]+@example\.com", "action": "hash"},
                {"name": "ticket", "pattern": r"TICKET-\d+", "action": "remove"},
            ]}})
        res = h.run_parse("--config", cfg, log)
        self.assertEqual(res.code, h.EXIT_OK, res.describe())
        records = h.parse_ndjson(res.stdout)
        self.assertEqual(len(records), 2)
        self.assertNotIn("ann@example.com", res.stdout)
        self.assertNotIn("TICKET-", res.stdout)
        self.assertIn("4111 1111 1111 1111", res.stdout, "card_number was disabled")
        tokens = [r["message"].split()[2] for r in records]
        self.assertTrue(tokens[0].startswith("[HASH:"), records[0]["message"])
        self.assertEqual(tokens[0], tokens[1], "one secret, one stable token")

    def test_invalid_scrub_config_is_reported(self):
        cfg = h.write_config(self.tmp.join("bad.yaml"),
                             "scrub:\n  rules:\n    - name: broken\n      pattern: '(unclosed'\n")
        res = h.run_parse("--config", cfg, self.paths[0])
        self.assertEqual(res.code, h.EXIT_CONFIG, res.describe())
        self.assertIn("bad.yaml:4:16: invalid pattern", res.stderr)
        cfg = h.write_config(self.tmp.join("bad2.yaml"), "scrub:\n  disable: [no_such_rule]\n")
        res = h.run_parse("--config", cfg, self.paths[0])
        self.assertEqual(res.code, h.EXIT_CONFIG, res.describe())
        self.assertIn("bad2.yaml:2:13: unknown built-in scrub rule 'no_such_rule'", res.stderr)


if __name__ == "__main__":
    unittest.main()
