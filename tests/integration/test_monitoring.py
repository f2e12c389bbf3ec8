"""The Grafana dashboard (dashboards/) and the Prometheus alerting rules (rules/) name only
metrics, labels and label values the running daemon exports at /metrics, so that renaming a
metric breaks this test rather than an operator's dashboard; every query is valid PromQL
(`promtool check rules`) and every alert fires when, and only when, it should
(`promtool test rules` on tests/data/monitoring/rules.test.yml)."""

import json
import os
import re
import shutil
import subprocess
import unittest
import urllib.request

import homeo_testlib as h

DASHBOARD = os.path.join(h.REPO_DIR, "dashboards", "homeostasisd.json")
RULES = os.path.join(h.REPO_DIR, "rules", "homeostasisd.rules.yml")
RULES_TEST = os.path.join(h.DATA_DIR, "monitoring", "rules.test.yml")

# Series and labels Prometheus adds itself: `up` per target, `instance` and `job` on every
# scraped series. `le` is the bucket label of a histogram's _bucket series.
PROMETHEUS_SERIES = {"up": {"instance", "job"}}
TARGET_LABELS = {"instance", "job"}

METRIC_NAME = re.compile(r"\bhomeostasisd_[a-z0-9_]+\b")
SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^{}]*)\}")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')
GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")


def promtool():
    path = shutil.which("promtool")
    if not path:
        raise AssertionError("promtool is missing (Debian's prometheus package; "
                             "scripts/install-deps.sh test installs it)")
    return path


def dashboard():
    with open(DASHBOARD, encoding="utf-8") as f:
        return json.load(f)


def dashboard_panels(dash):
    """Every panel, those inside collapsed rows too."""
    for p in dash["panels"]:
        yield p
        yield from p.get("panels", [])


def dashboard_exprs(dash):
    """(panel title, PromQL) of every query of every panel."""
    return [(p["title"], t["expr"]) for p in dashboard_panels(dash) for t in p.get("targets", [])]


def rule_exprs():
    """(alert name, PromQL) of every rule, read as text (the test needs no YAML library):
    each `expr:` is a one-line value or a `>-` block indented below it."""
    with open(RULES, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out = []
    name = None
    for i, line in enumerate(lines):
        m = re.match(r"\s*- alert: (\S+)", line)
        if m:
            name = m.group(1)
        m = re.match(r"(\s*)expr:\s*(.*)$", line)
        if not m:
            continue
        indent, value = len(m.group(1)), m.group(2)
        if value not in (">-", ">", "|", "|-"):
            out.append((name, value))
            continue
        block = []
        for following in lines[i + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            block.append(following.strip())
        out.append((name, " ".join(b for b in block if b)))
    return out


def grafana_to_promql(expr):
    """A dashboard query with Grafana's variables replaced, as Grafana sends it."""
    return expr.replace("$__rate_interval", "1m").replace('"$instance"', '".*"')


class Exported:
    """What one running daemon exports: sample names and, per name, its labels and values."""

    def __init__(self, text):
        self.labels = {}  # sample name -> {label: {values}}
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ", line)
            assert m, f"not a sample line: {line!r}"
            labels = self.labels.setdefault(m.group(1), {})
            for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"',
                                   m.group(2) or ""):
                labels.setdefault(k, set()).add(v)
        self.families = set(re.findall(r"(?m)^# TYPE (\S+) ", text))

    def has(self, name):
        return name in self.labels or name in self.families


class MetricNames(unittest.TestCase):
    """Against the real daemon's /metrics, with a record through every part of the pipeline."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.tmp = h.TempDir()
        try:
            logs = tmp.mkdir("logs")
            out = tmp.join("out", "errors.jsonl")
            os.makedirs(os.path.dirname(out))
            h.append_text(os.path.join(logs, "app.log"),
                          "2023-05-20 15:00:00,000 - app.api - ERROR - payment refused\n"
                          "2023-05-20 15:00:01,000 - app.api - INFO - retrying\n")
            cfg = h.daemon_config(tmp.path, os.path.join(logs, "*.log"), out,
                                  metrics={"enabled": True, "listen": "127.0.0.1:0"})
            with h.DaemonProcess(cfg, tmp.join("config.yaml")) as d:
                port = h.metrics_port(d)
                h.wait_for(lambda: h.read_ndjson(out), 10,
                           lambda: f"no record delivered to {out}\n{d.describe()}")

                def scrape():
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                                timeout=5) as resp:
                        text = resp.read().decode()
                    # Once the batch is acknowledged its latency is observed.
                    done = re.search(r"(?m)^homeostasisd_batch_latency_seconds_count [1-9]", text)
                    return text if done else None

                cls.text = h.wait_for(scrape, 10,
                                      lambda: f"no batch latency observed\n{d.describe()}")
            cls.exported = Exported(cls.text)
        except BaseException:
            tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_expr(self, where, expr):
        names = set(METRIC_NAME.findall(expr))
        for name in names:
            self.assertTrue(self.exported.has(name),
                            f"{where}: {name} is not exported by the daemon:\n{expr}\n"
                            f"exported: {sorted(self.exported.labels)}")
        known_labels = set(TARGET_LABELS) | {"le"}
        for name in names:
            known_labels |= set(self.exported.labels.get(name, {}))
        for metric, matchers in SELECTOR.findall(expr):
            if metric in PROMETHEUS_SERIES:
                exported = {label: None for label in PROMETHEUS_SERIES[metric]}
            else:
                exported = self.exported.labels.get(metric, {})
            for label, op, value in MATCHER.findall(matchers):
                if label in TARGET_LABELS:
                    continue
                self.assertIn(label, exported,
                              f"{where}: {metric} has no label {label!r}:\n{expr}")
                # outcome="sent", outcome=~"failed|dead_lettered": each a value it takes.
                if op in ("=", "=~", "!=") and re.fullmatch(r"[a-z_]+(\|[a-z_]+)*", value):
                    for v in value.split("|"):
                        self.assertIn(v, exported[label],
                                      f"{where}: {metric} never has {label}={v!r}:\n{expr}")
        for group in GROUPING.findall(expr):
            for label in filter(None, (l.strip() for l in group.split(","))):
                self.assertIn(label, known_labels,
                              f"{where}: no metric of the query has the label {label!r}:\n{expr}")
        return names

    def test_the_scrape_is_complete(self):
        # The families the dashboard and rules are about, with samples.
        for name in ("homeostasisd_records_total", "homeostasisd_transport_records_total",
                     "homeostasisd_batch_latency_seconds_bucket",
                     "homeostasisd_checkpoint_lag_bytes", "homeostasisd_files_watched"):
            self.assertIn(name, self.exported.labels, self.text)

    def test_dashboard_names_only_exported_metrics(self):
        used = set()
        dash = dashboard()
        exprs = dashboard_exprs(dash)
        self.assertGreater(len(exprs), 10)
        for title, expr in exprs:
            used |= self.check_expr(f"dashboard panel {title!r}", expr)
        for var in dash["templating"]["list"]:
            if var["type"] == "query":
                used |= self.check_expr(f"dashboard variable {var['name']!r}",
                                        var["query"]["query"])
        # What the dashboard is for: records per level and format, delivery outcome per
        # transport, spool bytes, batch latency, checkpoint lag, files followed.
        for name in ("homeostasisd_records_total", "homeostasisd_transport_records_total",
                     "homeostasisd_transport_spool_bytes",
                     "homeostasisd_batch_latency_seconds_bucket",
                     "homeostasisd_checkpoint_lag_bytes", "homeostasisd_files_watched"):
            self.assertIn(name, used, f"the dashboard has no panel on {name}")
        queries = " ".join(e for _, e in exprs)
        self.assertIn("sum by (level) (rate(homeostasisd_records_total", queries)
        self.assertIn("sum by (format) (rate(homeostasisd_records_total", queries)
        self.assertIn("sum by (transport, type, outcome) "
                      "(rate(homeostasisd_transport_records_total", queries)

    def test_rules_name_only_exported_metrics(self):
        rules = rule_exprs()
        self.assertGreaterEqual(len(rules), 8)
        for name, expr in rules:
            self.assertTrue(name, f"a rule without a name: {expr}")
            self.check_expr(f"alert {name}", expr)
        # A name in a comment or an annotation counts too.
        with open(RULES, encoding="utf-8") as f:
            for name in set(METRIC_NAME.findall(f.read())):
                self.assertTrue(self.exported.has(name), f"{RULES}: {name} is not exported")

    def test_a_renamed_metric_would_be_caught(self):
        # The check itself: a name the daemon does not export fails it.
        with self.assertRaises(AssertionError):
            self.check_expr("probe", "rate(homeostasisd_records_totl[5m])")
        with self.assertRaises(AssertionError):
            self.check_expr("probe", 'homeostasisd_transport_records_total{outcome="lost"}')
        with self.assertRaises(AssertionError):
            self.check_expr("probe", "sum by (transport_type) (homeostasisd_transport_failing)")


class Promtool(unittest.TestCase):

    def run_promtool(self, *args, cwd=None):
        r = subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=120,
                           cwd=cwd)
        return r, f"promtool {' '.join(args)}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"

    def test_rules_parse(self):
        r, what = self.run_promtool("check", "rules", RULES)
        self.assertEqual(r.returncode, 0, what)
        self.assertRegex(r.stdout, r"SUCCESS: \d+ rules found", what)

    def test_every_alert_fires_when_it_should(self):
        r, what = self.run_promtool("test", "rules", RULES_TEST, cwd=os.path.dirname(RULES_TEST))
        self.assertEqual(r.returncode, 0, what)
        self.assertIn("SUCCESS", r.stdout, what)
        # Every alert of the rules file has a case.
        with open(RULES_TEST, encoding="utf-8") as f:
            tested = set(re.findall(r"alertname: (\S+)", f.read()))
        self.assertEqual(tested, {name for name, _ in rule_exprs()})

    def test_dashboard_queries_are_valid_promql(self):
        exprs = dashboard_exprs(dashboard())
        with h.TempDir() as tmp:
            lines = ["groups:", "  - name: dashboard", "    rules:"]
            for i, (_, expr) in enumerate(exprs):
                lines += [f"      - record: dashboard:query_{i}",
                          f"        expr: {json.dumps(grafana_to_promql(expr))}"]
            path = tmp.write("dashboard.rules.yml", "\n".join(lines) + "\n")
            r, what = self.run_promtool("check", "rules", path)
        self.assertEqual(r.returncode, 0, what)
        self.assertIn(f"SUCCESS: {len(exprs)} rules found", r.stdout, what)


class DashboardShape(unittest.TestCase):

    def test_panels_use_the_datasource_variable_and_do_not_overlap(self):
        dash = dashboard()
        names = [v["name"] for v in dash["templating"]["list"]]
        self.assertIn("datasource", names)
        self.assertIn("instance", names)
        ids = [p["id"] for p in dashboard_panels(dash)]
        self.assertEqual(len(ids), len(set(ids)), "panel ids must be unique")
        taken = set()
        for p in dashboard_panels(dash):
            g = p["gridPos"]
            self.assertLessEqual(g["x"] + g["w"], 24, p["title"])
            cells = {(x, y) for x in range(g["x"], g["x"] + g["w"])
                     for y in range(g["y"], g["y"] + g["h"])}
            self.assertFalse(cells & taken, f"panel {p['title']!r} overlaps another")
            taken |= cells
            if p["type"] == "row":
                continue
            self.assertEqual(p["datasource"]["uid"], "${datasource}", p["title"])
            self.assertTrue(p.get("description"), f"panel {p['title']!r} has no description")
            for t in p["targets"]:
                self.assertEqual(t["datasource"]["uid"], "${datasource}", p["title"])
                self.assertIn('instance=~"$instance"', t["expr"], p["title"])


if __name__ == "__main__":
    h.main()
