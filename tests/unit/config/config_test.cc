#include "config/config.h"

#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/yaml_tree.h"

namespace homeo::config {
namespace {

namespace fs = std::filesystem;

const std::string kName = "test.yaml";

// The example from INTERFACE.md, verbatim.
const char* kInterfaceExample =
    R"yaml(service: checkout-api            # default service name of records
state_dir: /var/lib/homeostasisd # checkpoints, spool
min_level: ERROR                 # DEBUG|INFO|WARNING|ERROR|CRITICAL
inputs:
  - paths: ["/var/log/checkout/*.log"]   # globs; directories are watched
    exclude: ["*.gz"]
    format: auto                 # or a format name, or a user-defined parser's name
    service: checkout-api        # overrides the top-level service
    read_from: end               # beginning|end, for files found at first start
    tags: [web]
parsers:                         # user-defined formats (RE2, named groups)
  - name: bracket
    pattern: '^\[(?P<level>\w+)\]\[(?P<timestamp>[^\]]+)\] (?P<module>\S+) - (?P<message>.*)$'
batch:
  max_records: 500
  max_bytes: 1048576
  max_wait_ms: 1000
transports:
  - type: file                   # NDJSON, one record per line
    path: /var/lib/homeostasisd/errors.jsonl
  - type: stdout
  - type: http                   # POST batches
    url: http://127.0.0.1:8080/errors
  - type: kafka
    brokers: 127.0.0.1:9092
    topic: homeostasis-errors
  - type: amqp                   # RabbitMQ, publisher confirms
    url: amqp://guest:guest@127.0.0.1:5672/
    exchange: homeostasis        # a durable topic exchange, declared if missing
    routing_key: "errors.{service}.{level}"
  - type: postgres               # table with the whole record in a JSONB column `record`
    dsn: postgresql://homeostasis@127.0.0.1:5432/homeostasis
    table: error_records
  - type: sqlite                 # same table, the record as JSON text in `record`
    path: /var/lib/homeostasisd/errors.db
    table: error_records
metrics:
  listen: 127.0.0.1:9880         # /metrics (Prometheus text), /health
)yaml";

std::vector<std::string> messages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const Diagnostic& d : r.errors) out.push_back(d.str());
  return out;
}

std::string joined(const LoadResult& r) {
  std::string out;
  for (const std::string& s : messages(r)) out += s + "\n";
  return out;
}

// True when some diagnostic's full text starts with `prefix` ("FILE:LINE:COL: message...").
bool hasError(const LoadResult& r, const std::string& prefix) {
  for (const std::string& s : messages(r)) {
    if (s.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// Parses a config that must be valid and returns it.
Config valid(const std::string& yaml) {
  LoadResult r = parseConfig(yaml, kName);
  INFO(joined(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.config.has_value());
  return *r.config;
}

// A config with one valid input and the given extra lines appended.
std::string withInput(const std::string& extra) {
  return "inputs:\n  - paths: /var/log/a.log\n" + extra;
}

// A unique temp directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "homeo-config-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
};

// Sets an environment variable for one test and restores the previous state.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    if (value != nullptr) {
      setenv(name.c_str(), value, 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  ~ScopedEnv() {
    if (old) {
      setenv(name.c_str(), old->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
};

OptionMap optionsFrom(const std::string& yaml, std::vector<Diagnostic>& diags) {
  std::optional<OptionValue> tree = parseYamlTree(yaml, kName, diags);
  REQUIRE(tree.has_value());
  REQUIRE(tree->kind == OptionValue::Kind::kMap);
  return OptionMap(*tree);
}

TEST_CASE("the INTERFACE.md example loads with its values", "[config]") {
  Config c = valid(kInterfaceExample);
  CHECK(c.path == kName);
  CHECK(c.service == "checkout-api");
  CHECK(c.state_dir == "/var/lib/homeostasisd");
  CHECK(c.min_level == Level::kError);

  REQUIRE(c.inputs.size() == 1);
  const InputConfig& in = c.inputs[0];
  CHECK(in.paths == std::vector<std::string>{"/var/log/checkout/*.log"});
  CHECK(in.exclude == std::vector<std::string>{"*.gz"});
  CHECK(in.format == "auto");
  CHECK(in.format_where.line == 7);
  CHECK(in.format_where.column == 13);
  CHECK(in.service == "checkout-api");
  CHECK(in.read_from == ReadFrom::kEnd);
  CHECK(in.tags == std::vector<std::string>{"web"});
  CHECK_FALSE(in.min_level.has_value());
  CHECK(in.where.line == 5);
  CHECK(in.where.column == 5);

  REQUIRE(c.parsers.size() == 1);
  CHECK(c.parsers[0].name == "bracket");
  CHECK(c.parsers[0].pattern ==
        R"(^\[(?P<level>\w+)\]\[(?P<timestamp>[^\]]+)\] (?P<module>\S+) - (?P<message>.*)$)");

  CHECK(c.batch.max_records == 500);
  CHECK(c.batch.max_bytes == 1048576);
  CHECK(c.batch.max_wait_ms == 1000);

  REQUIRE(c.transports.size() == 7);
  std::vector<std::string> types;
  for (const TransportConfig& t : c.transports) types.push_back(t.type);
  CHECK(types ==
        std::vector<std::string>{"file", "stdout", "http", "kafka", "amqp", "postgres", "sqlite"});
  std::vector<Diagnostic> diags;
  const TransportConfig& amqp = c.transports[4];
  CHECK(amqp.where.line == 27);
  CHECK_FALSE(amqp.options.has("type"));
  CHECK(amqp.options.getString("url", diags) == "amqp://guest:guest@127.0.0.1:5672/");
  CHECK(amqp.options.getString("routing_key", diags) == "errors.{service}.{level}");
  CHECK(c.transports[1].options.value().entries.empty());
  CHECK(diags.empty());

  CHECK(c.metrics.enabled);
  CHECK(c.metrics.listen == "127.0.0.1:9880");
}

TEST_CASE("defaults apply when keys are absent", "[config]") {
  Config c = valid(withInput(""));
  CHECK(c.service == "unknown");
  CHECK(c.state_dir == "/var/lib/homeostasisd");
  CHECK(c.min_level == Level::kError);
  CHECK(c.timezone.empty());
  CHECK(c.parsers.empty());
  CHECK(c.batch.max_records == 500);
  CHECK(c.batch.max_bytes == 1u << 20);
  CHECK(c.batch.max_wait_ms == 1000);
  REQUIRE(c.transports.size() == 1);
  CHECK(c.transports[0].type == "stdout");
  CHECK(c.metrics.enabled);
  CHECK(c.metrics.listen == "127.0.0.1:9880");
  CHECK(c.multiline_timeout_ms == 500);
  CHECK(c.partial_line_timeout_ms == 1000);
  CHECK(c.drain_timeout_ms == 10000);
  CHECK(c.max_line_bytes == 1u << 20);

  REQUIRE(c.inputs.size() == 1);
  CHECK(c.inputs[0].paths == std::vector<std::string>{"/var/log/a.log"});
  CHECK(c.inputs[0].format == "auto");
  CHECK(c.inputs[0].service == "unknown");
  CHECK(c.inputs[0].read_from == ReadFrom::kEnd);
  CHECK(c.inputs[0].exclude.empty());
  CHECK(c.inputs[0].tags.empty());
}

TEST_CASE("input settings: service resolution, read_from, levels, tags", "[config]") {
  Config c = valid(
      "service: top\n"
      "min_level: warn\n"
      "inputs:\n"
      "  - paths: [/a/*.log, '/b/[0-9][[:digit:]].log', '/c/[]x].log']\n"
      "    read_from: beginning\n"
      "    min_level: critical\n"
      "    tags: single\n"
      "  - paths: /d.log\n"
      "    service: own\n"
      "    format: bracket\n"
      "    watch: poll\n"
      "timezone: UTC\n"
      "multiline_timeout_ms: 250\n"
      "partial_line_timeout_ms: 2000\n"
      "drain_timeout_ms: 30000\n"
      "max_line_bytes: 4096\n");
  CHECK(c.min_level == Level::kWarning);
  CHECK(c.timezone == "UTC");
  REQUIRE(c.inputs.size() == 2);
  CHECK(c.inputs[0].service == "top");
  CHECK(c.inputs[0].paths.size() == 3);
  CHECK(c.inputs[0].read_from == ReadFrom::kBeginning);
  CHECK(c.inputs[0].min_level == Level::kCritical);
  CHECK(c.inputs[0].tags == std::vector<std::string>{"single"});
  CHECK(c.inputs[1].service == "own");
  CHECK(c.inputs[1].format == "bracket");
  CHECK(c.inputs[1].format_where.line == 10);
  CHECK_FALSE(c.inputs[0].poll);
  CHECK(c.inputs[1].poll);
  CHECK(c.multiline_timeout_ms == 250);
  CHECK(c.partial_line_timeout_ms == 2000);
  CHECK(c.drain_timeout_ms == 30000);
  CHECK(c.max_line_bytes == 4096);
}

TEST_CASE("an unknown top-level key is reported at its line and column", "[config]") {
  LoadResult r = parseConfig(
      "service: a\n"
      "servise: b\n",
      kName);
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].where.file == kName);
  CHECK(r.errors[0].where.line == 2);
  CHECK(r.errors[0].where.column == 1);
  CHECK(r.errors[0].str() ==
        "test.yaml:2:1: unknown key 'servise' in configuration (did you mean 'service'?)");
}

TEST_CASE("an unknown key inside an input is reported at its line and column", "[config]") {
  LoadResult r = parseConfig(
      "inputs:\n"
      "  - paths: [/var/log/a.log]\n"
      "    colour: blue\n",
      kName);
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].where.line == 3);
  CHECK(r.errors[0].where.column == 5);
  CHECK(r.errors[0].str() == "test.yaml:3:5: unknown key 'colour' in input");
}

TEST_CASE("unknown keys in batch, metrics and parsers are errors", "[config]") {
  LoadResult r = parseConfig(
      "batch: {max_record: 5}\n"
      "metrics:\n"
      "  port: 80\n"
      "parsers:\n"
      "  - {name: x, pattern: '(?P<message>.*)', flags: i}\n",
      kName);
  CHECK(
      hasError(r, "test.yaml:1:9: unknown key 'max_record' in batch (did you mean 'max_records'"));
  CHECK(hasError(r, "test.yaml:3:3: unknown key 'port' in metrics"));
  CHECK(hasError(r, "test.yaml:5:43: unknown key 'flags' in parser"));
  CHECK(r.errors.size() == 3);
}

TEST_CASE("wrong types are errors at the value", "[config]") {
  SECTION("a string where an integer belongs") {
    LoadResult r = parseConfig("batch: {max_records: \"many\"}\n", kName);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].str() ==
          "test.yaml:1:22: expected an integer between 1 and 1000000 for 'max_records', got "
          "\"many\"");
  }
  SECTION("a number where a list of inputs belongs") {
    LoadResult r = parseConfig("inputs: 5\n", kName);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].where.line == 1);
    CHECK(r.errors[0].where.column == 9);
    CHECK(r.errors[0].message.find("expected a list of input mappings") != std::string::npos);
  }
  SECTION("an input that is not a mapping") {
    LoadResult r = parseConfig("inputs:\n  - /var/log/a.log\n", kName);
    CHECK(hasError(r, "test.yaml:2:5: expected a mapping for each input"));
  }
  SECTION("a mapping where a string belongs") {
    LoadResult r = parseConfig("service: {a: b}\n", kName);
    CHECK(hasError(r, "test.yaml:1:10: expected a string for 'service', got a mapping"));
  }
  SECTION("a list item that is not a string") {
    LoadResult r = parseConfig(withInput("    tags: [a, [b]]\n"), kName);
    CHECK(hasError(r, "test.yaml:3:15: expected a list of strings for 'tags', got a list"));
  }
  SECTION("batch as a scalar") {
    LoadResult r = parseConfig("batch: 5\n", kName);
    CHECK(hasError(r, "test.yaml:1:8: expected a mapping for 'batch'"));
  }
  SECTION("out of range numbers") {
    LoadResult r = parseConfig(
        "batch: {max_records: 0, max_bytes: 100, max_wait_ms: 600001}\n"
        "max_line_bytes: 1023\n"
        "drain_timeout_ms: -5\n"
        "multiline_timeout_ms: 1.5\n",
        kName);
    CHECK(r.errors.size() == 6);
    CHECK(hasError(r, "test.yaml:1:22: expected an integer between 1 and 1000000"));
    CHECK(hasError(r, "test.yaml:1:36: expected an integer between 1024 and 268435456"));
    CHECK(hasError(r, "test.yaml:1:54: expected an integer between 1 and 600000"));
    CHECK(hasError(r, "test.yaml:2:17: expected an integer between 1024 and 268435456"));
    CHECK(hasError(r, "test.yaml:3:19: expected an integer between 1 and 3600000"));
    CHECK(hasError(r, "test.yaml:4:23: expected an integer between 1 and 600000"));
  }
  SECTION("levels are restricted to the five names") {
    LoadResult r = parseConfig("min_level: NOTICE\n", kName);
    CHECK(
        hasError(r, "test.yaml:1:12: expected a level (DEBUG, INFO, WARNING, ERROR or CRITICAL)"));
  }
  SECTION("read_from must be beginning or end") {
    LoadResult r = parseConfig(withInput("    read_from: start\n"), kName);
    CHECK(hasError(r, "test.yaml:3:16: expected 'beginning' or 'end'"));
  }
  SECTION("watch must be inotify or poll") {
    LoadResult r = parseConfig(withInput("    watch: fanotify\n"), kName);
    CHECK(hasError(r, "test.yaml:3:12: expected 'inotify' or 'poll' for 'watch'"));
  }
  SECTION("an explicit null is not an absent key") {
    LoadResult r = parseConfig("state_dir:\n", kName);
    CHECK(hasError(r, "test.yaml:1:1: expected a string for 'state_dir', got nothing"));
  }
}

TEST_CASE("parser patterns must compile and capture a message", "[config]") {
  SECTION("bad RE2 syntax") {
    LoadResult r = parseConfig(
        "parsers:\n"
        "  - name: broken\n"
        "    pattern: '(?P<message>.*'\n",
        kName);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].where.line == 3);
    CHECK(r.errors[0].where.column == 14);
    CHECK(r.errors[0].message.rfind("invalid pattern: missing )", 0) == 0);
  }
  SECTION("a construct RE2 does not support") {
    LoadResult r = parseConfig("parsers: [{name: p, pattern: '(?P<message>a)(?=b)'}]\n", kName);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message.rfind("invalid pattern:", 0) == 0);
  }
  SECTION("no message group") {
    LoadResult r = parseConfig("parsers: [{name: p, pattern: '(?P<msg>.*)'}]\n", kName);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].str() ==
          "test.yaml:1:30: pattern has no named group 'message' (write (?P<message>...))");
  }
  SECTION("name and pattern are required") {
    LoadResult r = parseConfig("parsers:\n  - {}\n", kName);
    CHECK(hasError(r, "test.yaml:2:5: missing required key 'name'"));
    CHECK(hasError(r, "test.yaml:2:5: missing required key 'pattern'"));
  }
  SECTION("names are unique and lower-case") {
    LoadResult r = parseConfig(
        "parsers:\n"
        "  - {name: a, pattern: '(?P<message>.*)'}\n"
        "  - {name: a, pattern: '(?P<message>.*)'}\n"
        "  - {name: Bad Name, pattern: '(?P<message>.*)'}\n"
        "  - {name: auto, pattern: '(?P<message>.*)'}\n",
        kName);
    CHECK(r.errors.size() == 3);
    CHECK(hasError(r, "test.yaml:3:12: duplicate parser name 'a' (first at line 2)"));
    CHECK(hasError(r, "test.yaml:4:12: parser name 'Bad Name' must be lower-case"));
    CHECK(hasError(r, "test.yaml:5:12: parser name 'auto' is reserved"));
  }
}

TEST_CASE("${NAME} is replaced from the environment", "[config]") {
  ScopedEnv service("HOMEO_TEST_SERVICE", "from-env");
  ScopedEnv dir("HOMEO_TEST_DIR", "/srv/logs");
  ScopedEnv password("HOMEO_TEST_PASSWORD", "s3cret");
  Config c = valid(
      "service: ${HOMEO_TEST_SERVICE}\n"
      "inputs:\n"
      "  - paths: ['${HOMEO_TEST_DIR}/*.log']\n"
      "    tags: ['$${HOMEO_TEST_DIR}']\n"
      "transports:\n"
      "  - type: postgres\n"
      "    dsn: postgresql://u:${HOMEO_TEST_PASSWORD}@db/x\n");
  CHECK(c.service == "from-env");
  CHECK(c.inputs[0].service == "from-env");
  CHECK(c.inputs[0].paths == std::vector<std::string>{"/srv/logs/*.log"});
  CHECK(c.inputs[0].tags == std::vector<std::string>{"${HOMEO_TEST_DIR}"});
  std::vector<Diagnostic> diags;
  CHECK(c.transports[0].options.getString("dsn", diags) == "postgresql://u:s3cret@db/x");
}

TEST_CASE("an unset or malformed ${NAME} is an error at the value", "[config]") {
  ScopedEnv unset("HOMEO_TEST_UNSET", nullptr);
  LoadResult r = parseConfig(
      "service: x\n"
      "state_dir: /var/${HOMEO_TEST_UNSET}/lib\n"
      "timezone: ${1BAD}\n"
      "transports:\n"
      "  - type: http\n"
      "    url: 'http://${HOST'\n",
      kName);
  CHECK_FALSE(r.config.has_value());
  CHECK(r.errors.size() == 3);
  CHECK(hasError(r, "test.yaml:2:12: environment variable 'HOMEO_TEST_UNSET' is not set"));
  CHECK(hasError(r, "test.yaml:3:11: invalid environment variable name in '${1BAD}'"));
  CHECK(hasError(r, "test.yaml:6:10: unterminated '${'"));
}

TEST_CASE("substituteEnv handles several references and escapes", "[config]") {
  ScopedEnv a("HOMEO_TEST_A", "1");
  ScopedEnv b("HOMEO_TEST_B", "");
  std::vector<std::string> errors;
  CHECK(substituteEnv("${HOMEO_TEST_A}-${HOMEO_TEST_B}-$HOME-$$x-$${y}", errors) ==
        "1--$HOME-$$x-${y}");
  CHECK(errors.empty());
  CHECK(substituteEnv("${}", errors).empty());
  CHECK(errors.size() == 1);
}

TEST_CASE("all errors are reported, in file order", "[config]") {
  LoadResult r = parseConfig(
      "service: ''\n"
      "inputs:\n"
      "  - paths: [relative/*.log, '/bad[.log', '']\n"
      "    exclude: ['x\\']\n"
      "  - format: json\n"
      "parsers: [{name: p, pattern: '('}]\n"
      "transports: []\n"
      "metrics: {listen: 9880, enabled: maybe}\n"
      "bogus: 1\n",
      kName);
  CHECK_FALSE(r.config.has_value());
  std::vector<std::string> expected = {
      "test.yaml:1:10: 'service' must not be empty",
      "test.yaml:3:13: path 'relative/*.log' must be absolute (start with '/')",
      "test.yaml:3:29: unclosed '[' in glob '/bad[.log'",
      "test.yaml:3:42: a glob must not be empty",
      "test.yaml:4:15: glob 'x\\' ends with a lone backslash",
      "test.yaml:5:5: missing required key 'paths' in input",
      "test.yaml:6:30: invalid pattern:",
      "test.yaml:7:13: at least one transport is required",
      "test.yaml:8:19: expected HOST:PORT",
      "test.yaml:8:34: expected true or false for 'enabled', got \"maybe\"",
      "test.yaml:9:1: unknown key 'bogus' in configuration",
  };
  std::vector<std::string> got = messages(r);
  INFO(joined(r));
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(got[i].rfind(expected[i], 0) == 0);
  }
}

TEST_CASE("an input needs at least one path", "[config]") {
  LoadResult r = parseConfig("inputs:\n  - paths: []\n", kName);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() == "test.yaml:2:12: an input needs at least one path");
}

TEST_CASE("transports: default, options and required type", "[config]") {
  SECTION("absent means one stdout transport") {
    Config c = valid("service: x\n");
    REQUIRE(c.transports.size() == 1);
    CHECK(c.transports[0].type == "stdout");
  }
  SECTION("options keep their locations and are not validated here") {
    Config c = valid(
        "transports:\n"
        "  - path: /tmp/x.jsonl\n"
        "    type: file\n"
        "    whatever: [1, 2]\n");
    REQUIRE(c.transports.size() == 1);
    const OptionMap& o = c.transports[0].options;
    REQUIRE(o.value().entries.size() == 2);
    CHECK(o.value().entries[0].first == "path");
    CHECK(o.value().entries[1].first == "whatever");
    REQUIRE(o.value().key_locations.size() == 2);
    CHECK(o.value().key_locations[1].line == 4);
    CHECK(o.value().key_locations[1].column == 5);
    std::vector<Diagnostic> diags;
    o.rejectUnknown({"path"}, "file transport", diags);
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].str() == "test.yaml:4:5: unknown key 'whatever' in file transport");
  }
  SECTION("type is required") {
    LoadResult r = parseConfig("transports:\n  - url: http://x\n", kName);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].str() == "test.yaml:2:5: missing required key 'type'");
  }
}

TEST_CASE("metrics: enabled and listen", "[config]") {
  Config c = valid("metrics: {enabled: false, listen: '[::1]:0'}\n");
  CHECK_FALSE(c.metrics.enabled);
  CHECK(c.metrics.listen == "[::1]:0");
  for (const char* bad : {"localhost", "::1:80", "host:99999", ":80", "host:x"}) {
    LoadResult r = parseConfig(std::string("metrics: {listen: '") + bad + "'}\n", kName);
    INFO(bad);
    CHECK(hasError(r, "test.yaml:1:19: expected HOST:PORT"));
  }
}

TEST_CASE("timezone names must exist in the zone database", "[config]") {
  TempDir dir;
  dir.write("Test/Zone", "TZif");
  ScopedEnv tzdir("TZDIR", dir.path.c_str());
  CHECK(valid("timezone: Test/Zone\n").timezone == "Test/Zone");
  LoadResult r = parseConfig("timezone: Test/Nowhere\n", kName);
  CHECK(hasError(r, "test.yaml:1:11: unknown time zone 'Test/Nowhere'"));
  r = parseConfig("timezone: ../etc/passwd\n", kName);
  CHECK(hasError(r, "test.yaml:1:11: invalid time zone name"));
}

TEST_CASE("YAML syntax errors carry their location", "[config]") {
  LoadResult r = parseConfig(
      "service: a\n"
      "inputs: [1, 2\n"
      "batch: {}\n",
      kName);
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.rfind("YAML syntax error: ", 0) == 0);
  CHECK(r.errors[0].where.line == 3);
  CHECK(r.errors[0].where.column == 6);

  r = parseConfig("a:\n\tb: 1\n", kName);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].where.line == 2);
}

TEST_CASE("empty, non-mapping and multi-document files are errors", "[config]") {
  LoadResult r = parseConfig("", kName);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() == "test.yaml:1:1: the configuration is empty");

  r = parseConfig("# only a comment\n", kName);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "the configuration is empty");

  r = parseConfig("\n- a\n- b\n", kName);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() ==
        "test.yaml:2:1: the configuration must be a mapping of keys to values");

  r = parseConfig("service: a\n---\nservice: b\n", kName);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "only one YAML document is allowed");
}

TEST_CASE("duplicate keys and recursive aliases are errors, not crashes", "[config]") {
  LoadResult r = parseConfig("service: a\nservice: b\n", kName);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() == "test.yaml:2:1: duplicate key 'service' (first at line 1, column 1)");

  r = parseConfig("inputs: &loop [*loop]\n", kName);
  CHECK_FALSE(r.config.has_value());
  CHECK_FALSE(r.errors.empty());

  // Anchors that are not cycles are ordinary values.
  Config c = valid(
      "inputs:\n"
      "  - paths: &p [/a.log]\n"
      "  - paths: *p\n");
  REQUIRE(c.inputs.size() == 2);
  CHECK(c.inputs[1].paths == std::vector<std::string>{"/a.log"});
}

TEST_CASE("loadConfig reads a file and sets the path", "[config]") {
  TempDir dir;
  fs::path file = dir.write("homeostasisd.yaml", "service: from-file\n");
  LoadResult r = loadConfig(file.string());
  INFO(joined(r));
  REQUIRE(r.config.has_value());
  CHECK(r.config->path == file.string());
  CHECK(r.config->service == "from-file");

  fs::path bad = dir.write("bad.yaml", "service: a\nnope: 1\n");
  r = loadConfig(bad.string());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() == bad.string() + ":2:1: unknown key 'nope' in configuration");
}

TEST_CASE("loadConfig reports an unreadable file at 1:1", "[config]") {
  TempDir dir;
  std::string missing = (dir.path / "missing.yaml").string();
  LoadResult r = loadConfig(missing);
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() ==
        missing + ":1:1: cannot read the configuration: No such file or directory");

  r = loadConfig(dir.path.string());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() ==
        dir.path.string() + ":1:1: cannot read the configuration: Is a directory");
}

TEST_CASE("Diagnostic::str formats FILE:LINE:COL: message", "[config]") {
  Diagnostic d{{"/etc/h.yaml", 12, 7}, "bad thing"};
  CHECK(d.str() == "/etc/h.yaml:12:7: bad thing");
}

TEST_CASE("OptionMap typed accessors", "[config][options]") {
  std::vector<Diagnostic> parse_diags;
  OptionMap m = optionsFrom(
      "name: svc\n"
      "count: 42\n"
      "negative: -3\n"
      "big: 99999999999999999999\n"
      "flag: yes\n"
      "off: Off\n"
      "list: [a, b]\n"
      "one: solo\n"
      "map: {k: v, n: 1}\n"
      "nested: {inner: 1}\n"
      "badmap: {k: [1]}\n",
      parse_diags);
  REQUIRE(parse_diags.empty());
  std::vector<Diagnostic> d;

  CHECK(m.has("name"));
  CHECK_FALSE(m.has("absent"));
  CHECK(m.find("absent") == nullptr);
  CHECK(m.where().line == 1);

  CHECK(m.getString("name", d) == "svc");
  CHECK(m.getString("count", d) == "42");
  CHECK_FALSE(m.getString("absent", d).has_value());
  CHECK(d.empty());
  CHECK_FALSE(m.getString("absent", d, /*required=*/true).has_value());
  REQUIRE(d.size() == 1);
  CHECK(d[0].str() == "test.yaml:1:1: missing required key 'absent'");
  d.clear();

  CHECK(m.getInt("count", d, 0, 100) == 42);
  CHECK(m.getInt("negative", d, -10, 10) == -3);
  CHECK(d.empty());
  CHECK_FALSE(m.getInt("count", d, 0, 41).has_value());
  CHECK_FALSE(m.getInt("big", d, 0, INT64_MAX).has_value());
  CHECK_FALSE(m.getInt("name", d, 0, 10).has_value());
  REQUIRE(d.size() == 3);
  CHECK(d[0].str() ==
        "test.yaml:2:8: expected an integer between 0 and 41 for 'count', got \"42\"");
  CHECK(d[1].where.line == 4);
  d.clear();

  CHECK(m.getBool("flag", d) == true);
  CHECK(m.getBool("off", d) == false);
  CHECK_FALSE(m.getBool("name", d).has_value());
  CHECK(d.size() == 1);
  d.clear();

  CHECK(m.getStringList("list", d) == std::vector<std::string>{"a", "b"});
  CHECK(m.getStringList("one", d) == std::vector<std::string>{"solo"});
  CHECK_FALSE(m.getStringList("map", d).has_value());
  REQUIRE(d.size() == 1);
  CHECK(d[0].str() == "test.yaml:9:6: expected a list of strings for 'map', got a mapping");
  d.clear();

  auto sm = m.getStringMap("map", d);
  REQUIRE(sm.has_value());
  CHECK(*sm == std::map<std::string, std::string>{{"k", "v"}, {"n", "1"}});
  CHECK_FALSE(m.getStringMap("badmap", d).has_value());
  CHECK_FALSE(m.getStringMap("list", d).has_value());
  CHECK(d.size() == 2);
  d.clear();

  auto nested = m.getMap("nested", d);
  REQUIRE(nested.has_value());
  CHECK(nested->getInt("inner", d, 0, 5) == 1);
  CHECK(nested->where().line == 10);
  CHECK_FALSE(m.getMap("list", d).has_value());
  CHECK(d.size() == 1);
}

TEST_CASE("OptionMap::rejectUnknown reports each unknown key at the key", "[config][options]") {
  std::vector<Diagnostic> d;
  OptionMap m = optionsFrom(
      "url: x\n"
      "Topic: y\n"
      "zzz: z\n",
      d);
  m.rejectUnknown({"url", "topic"}, "kafka transport", d);
  REQUIRE(d.size() == 2);
  CHECK(d[0].str() ==
        "test.yaml:2:1: unknown key 'Topic' in kafka transport (did you mean 'topic'?)");
  CHECK(d[1].str() == "test.yaml:3:1: unknown key 'zzz' in kafka transport");

  d.clear();
  m.rejectUnknown({"url", "Topic", "zzz"}, "kafka transport", d);
  CHECK(d.empty());
}

TEST_CASE("throttle: defaults, top level, and an input's keys over it", "[config]") {
  LoadResult r = parseConfig(
      "throttle:\n"
      "  window_ms: 30000\n"
      "inputs:\n"
      "  - paths: [/var/log/a.log]\n"
      "  - paths: [/var/log/b.log]\n"
      "    throttle: {limit: 50}\n"
      "  - paths: [/var/log/c.log]\n"
      "    throttle: {enabled: false}\n",
      kName);
  REQUIRE(r.config.has_value());
  const Config& c = *r.config;
  CHECK(c.throttle.enabled);
  CHECK(c.throttle.window_ms == 30000);
  CHECK(c.throttle.limit == 5);
  CHECK(c.inputs[0].throttle.window_ms == 30000);
  CHECK(c.inputs[0].throttle.limit == 5);
  CHECK(c.inputs[1].throttle.limit == 50);
  CHECK(c.inputs[1].throttle.window_ms == 30000);
  CHECK_FALSE(c.inputs[2].throttle.enabled);

  LoadResult none = parseConfig("service: a\n", kName);
  REQUIRE(none.config.has_value());
  CHECK(none.config->throttle.enabled);
  CHECK(none.config->throttle.window_ms == 60000);
  CHECK(none.config->throttle.limit == 5);
}

TEST_CASE("throttle: bad values and unknown keys are reported where they are", "[config]") {
  LoadResult r = parseConfig(
      "throttle:\n"
      "  window_ms: 10\n"
      "  limit: 0\n"
      "  burst: 3\n"
      "inputs:\n"
      "  - paths: [/var/log/a.log]\n"
      "    throttle: {enabled: maybe}\n",
      kName);
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 4);
  std::vector<std::string> lines;
  for (const auto& e : r.errors) lines.push_back(e.str());
  std::sort(lines.begin(), lines.end());
  CHECK(lines[0].rfind("test.yaml:2:14: ", 0) == 0);
  CHECK(lines[1].rfind("test.yaml:3:10: ", 0) == 0);
  CHECK(lines[2] == "test.yaml:4:3: unknown key 'burst' in throttle");
  CHECK(lines[3].rfind("test.yaml:7:25: ", 0) == 0);
}

}  // namespace
}  // namespace homeo::config
