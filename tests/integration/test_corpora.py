"""Measures `parse --min-level` against the level labels of the loghub corpora, and `detect`
against the format and framework samples.

The corpora live beside the repository (../shared/corpora) and are not part of the project;
when they are absent every test here is skipped with a message saying so. When present, for
each loghub system that labels levels, `parse --min-level ERROR` and `--min-level WARNING`
must emit exactly as many records as the `Level` column of <S>_2k.log_structured.csv says;
and `detect` must name the right format for every file of formats/lnav and frameworks that
the format library covers (DETECTED below; NOT_COVERED lists the others and why).

Run: /usr/bin/python3 tests/integration/test_corpora.py  (HOMEO_BIN names the binary).
"""

import csv
import os
import unittest

import homeo_testlib as h

CORPORA_DIR = os.path.normpath(
    os.environ.get("HOMEO_CORPORA_DIR") or os.path.join(h.REPO_DIR, "..", "shared", "corpora"))
LOGHUB_DIR = os.path.join(CORPORA_DIR, "loghub")

SYSTEMS = ["Android", "Apache", "BGL", "HDFS", "Hadoop", "OpenStack", "Spark", "Zookeeper"]

RANK = {"DEBUG": 0, "INFO": 1, "WARNING": 2, "ERROR": 3, "CRITICAL": 4}

# The labels' dialects mapped to the record's levels (INTERFACE.md: FATAL -> CRITICAL,
# SEVERE -> ERROR; Apache's `notice` is INFO; Android's single letters).
LABELS = {
    "V": "DEBUG", "D": "DEBUG", "I": "INFO", "W": "WARNING", "E": "ERROR", "F": "CRITICAL",
    "A": "CRITICAL",
    "TRACE": "DEBUG", "DEBUG": "DEBUG", "INFO": "INFO", "NOTICE": "INFO", "WARN": "WARNING",
    "WARNING": "WARNING", "ERROR": "ERROR", "SEVERE": "ERROR", "FATAL": "CRITICAL",
    "CRITICAL": "CRITICAL",
}


def expected_counts(system):
    """(ERROR-or-above, WARNING-or-above) from the structured CSV's Level column."""
    path = os.path.join(LOGHUB_DIR, system, f"{system}_2k.log_structured.csv")
    errors = warnings = 0
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            label = LABELS.get(row["Level"].strip().upper())
            if label is None:
                raise AssertionError(f"{path}: unknown level label {row['Level']!r}")
            if RANK[label] >= RANK["ERROR"]:
                errors += 1
            if RANK[label] >= RANK["WARNING"]:
                warnings += 1
    return errors, warnings


@unittest.skipUnless(os.path.isdir(LOGHUB_DIR),
                     f"corpora not present at {LOGHUB_DIR} (set HOMEO_CORPORA_DIR); "
                     "nothing to measure")
class LoghubLevelCounts(unittest.TestCase):
    def setUp(self):
        h.require_binary()

    def check(self, system):
        log = os.path.join(LOGHUB_DIR, system, f"{system}_2k.log")
        want_err, want_warn = expected_counts(system)
        for level, want in (("ERROR", want_err), ("WARNING", want_warn)):
            res = h.run_parse("--min-level", level, log, timeout=120)
            self.assertEqual(res.code, h.EXIT_OK, res.describe())
            got = len(res.records)
            self.assertEqual(got, want, f"{system} --min-level {level}: {got} records, "
                                        f"labels say {want}\n{res.stderr[-2000:]}")


# Files of formats/lnav and frameworks and the format `detect` must name ("text" for free
# text and bare stack traces, which the fallback reads). A tuple: any of these is right (a
# "timestamp LEVEL name: message" line is both Python logging's and a generic layout).
PY_OR_GENERIC = ("python", "generic")
DETECTED = {
    "formats/lnav/logfile_ansi.0": "text",
    "formats/lnav/logfile_ansi.1": "text",
    "formats/lnav/logfile_bad_syslog.0": "syslog",
    "formats/lnav/logfile_block.1": "text",
    "formats/lnav/logfile_block.2": "text",
    "formats/lnav/logfile_blued.0": "syslog",
    "formats/lnav/logfile_crlf.0": "generic",
    "formats/lnav/logfile_dst.0": "syslog",
    "formats/lnav/logfile_ecs_log.json": "json",
    "formats/lnav/logfile_epoch.0": "epoch",
    "formats/lnav/logfile_epoch.1": "text",
    "formats/lnav/logfile_filter.0": "syslog",
    "formats/lnav/logfile_generic.0": "generic",
    "formats/lnav/logfile_generic.1": "generic",
    "formats/lnav/logfile_generic.2": "generic",
    "formats/lnav/logfile_generic_nanos.0": "generic",
    "formats/lnav/logfile_generic_with_header.0": "generic",
    "formats/lnav/logfile_glog.0": "klog",
    "formats/lnav/logfile_invalid_json.json": "json",
    "formats/lnav/logfile_invalid_json2.json": "json",
    "formats/lnav/logfile_invalid_utf8.0": "generic",
    "formats/lnav/logfile_journald.json": "json",
    "formats/lnav/logfile_json.json": "json",
    "formats/lnav/logfile_json2.json": "json",
    "formats/lnav/logfile_json3.json": "json",
    "formats/lnav/logfile_json_invalid.json": "json",
    "formats/lnav/logfile_json_subsec.json": "json",
    "formats/lnav/logfile_jsonid.json": "json",
    "formats/lnav/logfile_leveltest.0": "generic",
    "formats/lnav/logfile_logfmt.0": "logfmt",
    "formats/lnav/logfile_mixed_json2.json": "json",
    "formats/lnav/logfile_multiline.0": "generic",
    "formats/lnav/logfile_muxed_syslog.0": "json",
    "formats/lnav/logfile_nested_json.json": "json",
    "formats/lnav/logfile_otel_collector.jsonl": "json",
    "formats/lnav/logfile_partitions.0": "syslog",
    "formats/lnav/logfile_plain.0": "text",
    "formats/lnav/logfile_pretty.0": "syslog",
    "formats/lnav/logfile_procstate.0": "text",
    "formats/lnav/logfile_rollover.1": "syslog",
    "formats/lnav/logfile_syslog.0": "syslog",
    "formats/lnav/logfile_syslog.1": "syslog",
    "formats/lnav/logfile_syslog.2": "syslog",
    "formats/lnav/logfile_syslog.3": "syslog",
    "formats/lnav/logfile_syslog_with_access_log.0": "syslog",
    "formats/lnav/logfile_syslog_with_header.0": "syslog",
    "formats/lnav/logfile_syslog_with_mixed_times.0": "syslog",
    "formats/lnav/logfile_tai64n.0": "tai64n",
    "formats/lnav/logfile_ts_value.0": PY_OR_GENERIC,
    "formats/lnav/logfile_vami.0": "generic",
    "formats/lnav/logfile_vmw_log.0": "syslog",
    "formats/lnav/logfile_vpxd.0": "syslog",
    "formats/lnav/logfile_with_zones.0": "syslog",
    "frameworks/apache/beats/apache-access-test.log": "access_log",
    "frameworks/apache/beats/apache-error-sublevel.log": "apache_error",
    "frameworks/apache/beats/apache-error-test.log": "apache_error",
    "frameworks/apache/beats/apache-error-ubuntu-2.2.22.log": "apache_error",
    "frameworks/apache/ops-agent/apache-access.input.log": "access_log",
    "frameworks/apache/ops-agent/apache-error.input.log": "apache_error",
    "frameworks/databases/lnav/logfile_mongodb.0": "json",
    "frameworks/databases/lnav/logfile_mysql_error.0": "mysql_error",
    "frameworks/databases/lnav/logfile_postgres.0": "postgres",
    "frameworks/databases/lnav/logfile_postgres.1": "postgres",
    "frameworks/databases/lnav/logfile_postgres.2": "postgres",
    "frameworks/databases/ops-agent/couchbase-goxcdr.input.log": PY_OR_GENERIC,
    "frameworks/databases/ops-agent/couchbase-http-access.input.log": "access_log",
    "frameworks/databases/ops-agent/couchdb.input.log": "generic",
    "frameworks/databases/ops-agent/mongodb.input.log": "json",
    "frameworks/databases/ops-agent/mysql-error.input.log": "mysql_error",
    "frameworks/databases/ops-agent/postgresql.input.log": "postgres",
    "frameworks/databases/ops-agent/rabbitmq.input.log": "generic",
    "frameworks/databases/ops-agent/redis.input.log": "redis",
    "frameworks/go/lnav/logfile_grafana.0": "logfmt",
    "frameworks/go/lnav/logfile_zap_console.0": "generic",
    "frameworks/java/beats/elasticsearch-server-test.log": "java",
    "frameworks/java/lnav/logfile_java.0": "java",
    "frameworks/java/lnav/logfile_java.1": "java",
    "frameworks/java/lnav/logfile_spark.0": "generic",
    "frameworks/java/ops-agent/cassandra-debug.input.log": "java",
    "frameworks/java/ops-agent/cassandra-system.input.log": "java",
    "frameworks/java/ops-agent/elasticsearch-json-ecs.input.log": "json",
    "frameworks/java/ops-agent/elasticsearch-json.input.log": "json",
    "frameworks/java/ops-agent/flink.input.log": "java",
    "frameworks/java/ops-agent/hadoop.input.log": "java",
    "frameworks/java/ops-agent/hbase-system.input.log": "java",
    "frameworks/java/ops-agent/jetty-access.input.log": "access_log",
    "frameworks/java/ops-agent/kafka.input.log": "java",
    "frameworks/java/ops-agent/solr.input.log": ("java",) + PY_OR_GENERIC,
    "frameworks/java/ops-agent/tomcat-access.input.log": "access_log",
    "frameworks/java/ops-agent/tomcat-system.input.log": "java",
    "frameworks/java/ops-agent/wildfly_system.input.log": "java",
    "frameworks/java/ops-agent/zookeeper_general.input.log": "java",
    "frameworks/misc/ops-agent/severity.input.log": "json",
    "frameworks/misc/ops-agent/varnish.input.log": "access_log",
    "frameworks/misc/ops-agent/vault-audit.input.log": "json",
    "frameworks/nginx/beats/nginx-access-test.log": "access_log",
    "frameworks/nginx/beats/nginx-error.log": "nginx_error",
    "frameworks/nginx/ops-agent/nginx-access.input.log": "access_log",
    "frameworks/nginx/ops-agent/nginx-error.input.log": "nginx_error",
    "frameworks/nodejs/lnav/logfile_bunyan.0": "json",
    "frameworks/nodejs/lnav/logfile_pino.0": "json",
    "frameworks/php/lnav/logfile_laravel.0": "generic",
    "frameworks/php/lnav/logfile_laravel.1": "generic",
    "frameworks/php/lnav/logfile_nextcloud.0": "json",
    "frameworks/python/lnav/log2src_python-example.0": "python",
    "frameworks/python/lnav/logfile_docker_compose.0": "redis in compose",
    "frameworks/python/lnav/logfile_docker_compose_with_noise.0": "redis in compose",
    "frameworks/python/lnav/logfile_docker_compose_with_ts.0": "redis in compose",
    "frameworks/python/lnav/logfile_uwsgi.0": "uwsgi",
    "frameworks/python/lnav/logfile_vdsm.0": "generic",
    "frameworks/rust/lnav/logfile_rust_tracing.0": "json",
    "frameworks/web/lnav/logfile_access_log.0": "access_log",
    "frameworks/web/lnav/logfile_access_log.1": "access_log",
    "frameworks/web/lnav/logfile_bad_access_log.0": "access_log",
    "frameworks/web/lnav/logfile_caddy_log.0": "json in compose",
    "frameworks/web/lnav/logfile_caddy_log.1": "json",
    "frameworks/web/lnav/logfile_cloudflare.1": "json",
    "frameworks/web/lnav/logfile_cloudflare.json": "json",
    "frameworks/web/lnav/logfile_haproxy.0": "syslog",
    "frameworks/web/lnav/logfile_w3c.0": "w3c",
    "frameworks/web/lnav/logfile_w3c.1": "w3c",
    "frameworks/web/lnav/logfile_w3c.2": "w3c",
    "frameworks/web/lnav/logfile_w3c.3": "w3c",
    "frameworks/web/lnav/logfile_w3c.4": "w3c",
    "frameworks/web/lnav/logfile_w3c.5": "w3c",
    "frameworks/web/lnav/logfile_w3c.6": "w3c",
    "frameworks/windows/ops-agent/active_directory_ds.input.log": PY_OR_GENERIC,
    "frameworks/windows/ops-agent/iis.input.log": "w3c",
    "frameworks/windows/ops-agent/iis_access.input.log": "w3c",
    "frameworks/windows/ops-agent/windows_event_log_raw_xml.input.log": "json",
}
DETECTED.update({f"frameworks/nodejs/node-core/{n}.snapshot.txt": "text" for n in (
    "error_aggregateTwoErrors", "error_exit", "events_unhandled_error_nexttick",
    "if-error-has-good-stack", "promise_always_throw_unhandled",
    "promise_unhandled_warn_with_error", "throw_custom_error", "timeout_throw",
    "util_inspect_error_cause")})
DETECTED.update({f"frameworks/rust/rust-lang/{n}.run.stderr": "text" for n in (
    "issue-47429-short-backtraces", "panic-in-cleanup", "panic-in-ffi", "panic-macro-fmt",
    "panic-short-backtrace-windows-x86_64", "panic-task-name-owned")})

# Files of those folders that the library does not cover, and why (they come out as text, or
# as the nearest format, and are not asserted).
NOT_COVERED = {
    "formats/lnav/logfile_cxx.0": "a product's own C++ layout (one-letter level after a thread "
                                  "id); read as syslog by its BSD timestamp",
    "formats/lnav/logfile_generic.3": "compact dates (20120702.102240)",
    "formats/lnav/logfile_invalid_tz.0": "a zone that is no zone (2015-...313913FOO)",
    "formats/lnav/logfile_rollover.0": "times without a date",
    "formats/lnav/logfile_strace_log.0": "strace output",
    "formats/lnav/logfile_strace_log.1": "strace output",
    "formats/lnav/logfile_syslog_fr.0": "French month names",
    "formats/lnav/logfile_tcf.0": "TCF protocol trace (minutes:seconds only)",
    "formats/lnav/logfile_tcf.1": "TCF protocol trace (minutes:seconds only)",
    "formats/lnav/logfile_xml_msg.0": "bracketed time, level, [module:line], XML bodies",
    "formats/lnav/logfile_yday.0": "day-of-year dates (2012-025T10:22:40)",
    "frameworks/databases/lnav/logfile_mysql_gen.0": "MySQL general query log (no levels)",
    "frameworks/databases/lnav/logfile_mysql_slow.0": "MySQL slow query log (no levels)",
    "frameworks/databases/ops-agent/mysql-general.input.log": "MySQL general query log",
    "frameworks/databases/ops-agent/mysql-slow.input.log": "MySQL slow query log",
    "frameworks/databases/ops-agent/couchbase-general.input.log": "Couchbase/Erlang "
                                                                  "[component:level,time,...]",
    "frameworks/databases/ops-agent/oracledb_alert.input.log": "Oracle alert log",
    "frameworks/databases/ops-agent/oracledb_audit.input.log": "Oracle audit records",
    "frameworks/databases/ops-agent/saphana.input.log": "SAP HANA trace",
    "frameworks/java/lnav/logfile_mux_zookeeper.0": "ZooKeeper behind a collector's "
                                                    "time and source= prefix",
    "frameworks/java/lnav/logfile_openam.0": "OpenAM audit CSV (tab-separated, quoted)",
    "frameworks/java/ops-agent/cassandra-gc.input.log": "JVM GC log",
    "frameworks/java/ops-agent/elasticsearch-gc.input.log": "JVM GC log",
    "frameworks/python/datadog/gunicorn_tests.yaml": "not a log: a YAML test specification",
    "frameworks/web/lnav/logfile_regexp_access_log.0": "access log with a vhost:port and "
                                                      "extra fields first",
}


def detect_line(path):
    """`detect PATH` -> "format" or "format in container"."""
    res = h.run_cmd("detect", path, timeout=60)
    if res.code != h.EXIT_OK:
        raise AssertionError(res.describe())
    fields = res.stdout.rstrip("\n").split("\t")
    if len(fields) < 3:
        raise AssertionError(f"detect {path}: unexpected output {res.stdout!r}")
    return fields[1] + (" " + fields[3] if len(fields) > 3 else "")


@unittest.skipUnless(os.path.isdir(os.path.join(CORPORA_DIR, "frameworks")),
                     f"corpora not present at {CORPORA_DIR} (set HOMEO_CORPORA_DIR); "
                     "nothing to measure")
class FormatDetection(unittest.TestCase):
    def setUp(self):
        h.require_binary()

    def test_every_file_is_listed(self):
        # A file added to the corpus must be judged: covered (DETECTED) or not (NOT_COVERED).
        unlisted = []
        for folder in ("formats/lnav", "frameworks"):
            for root, _, files in os.walk(os.path.join(CORPORA_DIR, folder)):
                for name in files:
                    rel = os.path.relpath(os.path.join(root, name), CORPORA_DIR)
                    if rel.endswith(".expected_fluentbit.yaml"):
                        continue  # expected outputs of a collector's tests, not logs
                    if rel not in DETECTED and rel not in NOT_COVERED:
                        unlisted.append(rel)
        self.assertEqual(unlisted, [], "corpus files in neither DETECTED nor NOT_COVERED")

    def test_detected_formats(self):
        wrong = []
        for rel, want in sorted(DETECTED.items()):
            path = os.path.join(CORPORA_DIR, rel)
            if not os.path.exists(path):
                wrong.append(f"{rel}: missing from the corpus")
                continue
            got = detect_line(path)
            allowed = want if isinstance(want, tuple) else (want,)
            if got not in allowed:
                wrong.append(f"{rel}: detected {got!r}, want {' or '.join(allowed)}")
        self.assertEqual(wrong, [], "\n".join(wrong))


def _make(system):
    return lambda self: self.check(system)


for _s in SYSTEMS:
    setattr(LoghubLevelCounts, f"test_{_s.lower()}", _make(_s))

if __name__ == "__main__":
    h.main()
