#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "config/config.h"
#include "daemon/context/sampler.h"
#include "daemon/context/system_metrics_provider.h"
#include "daemon/setup.h"

using namespace homeo;
using namespace std::chrono_literals;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "homeo-ctx-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
  }
};

void writeFakeProc(const TempDir& d) {
  d.write("proc/stat", "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n");
  d.write("proc/loadavg", "0.50 0.25 0.10 1/100 4242\n");
  d.write("proc/meminfo", "MemTotal:  1000 kB\nMemFree: 100 kB\nMemAvailable:  250 kB\n");
}

config::Config configFrom(const std::string& yaml) {
  auto res = config::parseConfig(yaml, "test.yaml");
  for (const auto& e : res.errors) FAIL(e.str());
  REQUIRE(res.config);
  return *res.config;
}

std::unique_ptr<RecordPipeline> pipelineFrom(const std::string& yaml) {
  const Registries reg = Registries::builtin();
  std::vector<config::Diagnostic> diags;
  auto p = makeRecordPipeline(configFrom(yaml), reg, diags);
  for (const auto& e : diags) FAIL(e.str());
  REQUIRE(p);
  return p;
}

const JsonValue* path(const JsonObject& o, std::initializer_list<std::string_view> keys) {
  const JsonObject* cur = &o;
  const JsonValue* v = nullptr;
  for (auto k : keys) {
    if (!cur) return nullptr;
    v = findField(*cur, k);
    if (!v) return nullptr;
    cur = v->asObject();
  }
  return v;
}

std::string str(const JsonValue* v) { return v && v->asString() ? *v->asString() : ""; }

// A provider that hangs in its sample until released: registered only here.
class HangingProvider final : public ContextProvider {
 public:
  explicit HangingProvider(std::chrono::milliseconds timeout)
      : release_(std::make_shared<std::promise<void>>()),
        sampler_(
            [f = release_->get_future().share()](JsonObject& out, std::string&) {
              f.wait();
              out.emplace_back("value", JsonValue("late"));
              return true;
            },
            1h, timeout) {}
  ~HangingProvider() override { release_->set_value(); }
  std::string_view name() const override { return "hang"; }
  void start(bool periodic) override { sampler_.start(periodic); }
  void waitReady(std::chrono::steady_clock::time_point deadline) override {
    sampler_.waitReady(deadline);
  }
  void apply(ErrorRecord& r) override {
    auto snap = sampler_.snapshot();
    if (!snap.value) return addContextError(r, name(), snap.error);
    setField(r.context, "hang", JsonValue(*snap.value));
  }

 private:
  std::shared_ptr<std::promise<void>> release_;
  Sampler<JsonObject> sampler_;
};

}  // namespace

TEST_CASE("context: defaults are the host provider", "[context]") {
  auto p = pipelineFrom("service: s\n");
  REQUIRE(p->providers().size() == 1);
  CHECK(p->providers()[0]->name() == "host");
  REQUIRE(p->scrubber());
  p->start(false);
  ErrorRecord r;
  r.message = "password=hunter2";
  std::string out;
  p->finish(r, out);
  for (auto key : {"hostname", "os_name", "architecture", "platform"}) {
    INFO(key);
    CHECK_FALSE(str(findField(r.system_info, key)).empty());
  }
  CHECK(out.find("hunter2") == std::string::npos);
}

TEST_CASE("context: a record's own system_info keeps its keys, the host fills the rest",
          "[context]") {
  setenv("HOMEO_TEST_APP_VERSION", "1.2.3", 1);
  auto p = pipelineFrom(
      "context:\n"
      "  providers:\n"
      "    - type: host\n"
      "    - type: environment\n"
      "      allow: [HOMEO_TEST_APP_VERSION]\n");
  p->start(false);
  // As a Homeostasis logger record says it: Python's os.name, its own variables.
  ErrorRecord r;
  r.service = "shop-api";
  setField(r.system_info, "os_name", JsonValue("posix"));
  setField(r.system_info, "python_version", JsonValue("3.11.7"));
  setField(r.system_info, "environment_variables", JsonValue(JsonObject{{"LANG", "C"}}));
  std::string out;
  p->finish(r, out);
  CHECK(str(findField(r.system_info, "os_name")) == "posix");
  CHECK(str(findField(r.system_info, "python_version")) == "3.11.7");
  CHECK(str(path(r.system_info, {"environment_variables", "LANG"})) == "C");
  CHECK(path(r.system_info, {"environment_variables", "HOMEO_TEST_APP_VERSION"}) == nullptr);
  CHECK_FALSE(str(findField(r.system_info, "hostname")).empty());
  CHECK_FALSE(str(findField(r.system_info, "architecture")).empty());
  CHECK(str(findField(r.system_info, "service_name")) == "shop-api");
}

TEST_CASE("context: labels, per-input labels, environment, file", "[context]") {
  TempDir d;
  d.write("logs/a.log", "x\n");
  setenv("HOMEO_TEST_APP_VERSION", "1.2.3", 1);
  setenv("HOMEO_TEST_DB_PASSWORD", "envsecret", 1);
  auto p = pipelineFrom(
      "inputs:\n"
      "  - paths: [\"" +
      (d.path / "logs" / "*.log").string() +
      "\"]\n"
      "    context: {labels: {region: eu-2, tier: web}}\n"
      "context:\n"
      "  providers:\n"
      "    - type: host\n"
      "    - type: labels\n"
      "      labels: {team: payments, region: eu-1}\n"
      "    - type: environment\n"
      "      allow: [HOMEO_TEST_APP_VERSION, HOMEO_TEST_DB_PASSWORD, HOMEO_TEST_UNSET]\n"
      "    - type: file\n");
  p->start(false);
  ErrorRecord in_input;
  in_input.source_path = (d.path / "logs" / "a.log").string();
  in_input.source_offset = 42;
  std::string out;
  p->finish(in_input, out);
  CHECK(str(path(in_input.context, {"labels", "team"})) == "payments");
  CHECK(str(path(in_input.context, {"labels", "region"})) == "eu-2");
  CHECK(str(path(in_input.context, {"labels", "tier"})) == "web");
  const JsonValue* offset = path(in_input.context, {"file", "offset"});
  REQUIRE(offset);
  CHECK(std::get<int64_t>(offset->storage()) == 42);
  CHECK(path(in_input.context, {"file", "inode"}) != nullptr);
  CHECK(str(path(in_input.system_info, {"environment_variables", "HOMEO_TEST_APP_VERSION"})) ==
        "1.2.3");
  CHECK(path(in_input.system_info, {"environment_variables", "HOMEO_TEST_UNSET"}) == nullptr);
  CHECK(out.find("envsecret") == std::string::npos);

  ErrorRecord elsewhere;
  elsewhere.source_path = "/elsewhere/b.log";
  out.clear();
  p->finish(elsewhere, out);
  CHECK(str(path(elsewhere.context, {"labels", "region"})) == "eu-1");
  CHECK(path(elsewhere.context, {"labels", "tier"}) == nullptr);
}

TEST_CASE("context: system_metrics reads /proc per interval, not per record", "[context]") {
  TempDir d;
  writeFakeProc(d);
  d.write("logs/app.log", "x\n");
  SystemMetricsProvider::Options o;
  o.proc_root = (d.path / "proc").string();
  o.interval = 100ms;
  o.dirs = {(d.path / "logs").string()};
  SystemMetricsProvider p(o);
  p.start(true);
  p.waitReady(std::chrono::steady_clock::now() + 2s);
  REQUIRE(p.samples() >= 1);

  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t before = p.samples();
  ErrorRecord r;
  r.source_path = (d.path / "logs" / "app.log").string();
  // 100,000 records spread over at least four intervals.
  for (int i = 0; i < 100000; ++i) {
    r.context.clear();
    p.apply(r);
    if (i % 1000 == 999) std::this_thread::sleep_for(o.interval / 25);
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  const uint64_t taken = p.samples() - before;
  const uint64_t allowed = static_cast<uint64_t>(elapsed / o.interval) + 1;
  INFO("samples " << taken << " in " << std::chrono::duration<double>(elapsed).count() << " s");
  CHECK(taken <= allowed);
  CHECK(taken >= 1);  // and the timer kept sampling meanwhile
  CHECK(path(r.context, {"system_metrics", "load_1m"}) != nullptr);
  CHECK(path(r.context, {"system_metrics", "memory_total_bytes"}) != nullptr);
  CHECK(str(path(r.context, {"system_metrics", "disk", "path"})) == (d.path / "logs").string());

  // The next interval brings a new sample, and with two of them CPU use.
  d.write("proc/stat", "cpu  200 0 200 800 100 0 0 0 0 0\n");
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!path(r.context, {"system_metrics", "cpu_percent"}) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
    r.context.clear();
    p.apply(r);
  }
  const JsonValue* cpu = path(r.context, {"system_metrics", "cpu_percent"});
  REQUIRE(cpu);
  // (200 busy ticks of 300) since the first sample
  CHECK(std::get<double>(cpu->storage()) == Approx(66.67).epsilon(0.01));
}

TEST_CASE("context: a failing provider adds context_error_<name>", "[context]") {
  TempDir d;  // no proc files at all
  SystemMetricsProvider::Options o;
  o.proc_root = (d.path / "proc").string();
  SystemMetricsProvider p(o);
  p.start(false);
  p.waitReady(std::chrono::steady_clock::now() + 2s);
  ErrorRecord r;
  p.apply(r);
  CHECK(str(findField(r.context, "context_error_system_metrics")).find("cannot read") == 0);
  CHECK(findField(r.context, "system_metrics") == nullptr);
}

TEST_CASE("context: process provider from a pid file", "[context]") {
  TempDir d;
  d.write("app.pid", std::to_string(::getpid()) + "\n");
  ProcessProvider::Options o;
  o.pid_file = (d.path / "app.pid").string();
  o.timeout = 2s;
  ProcessProvider p(o);
  p.start(false);
  p.waitReady(std::chrono::steady_clock::now() + 2s);
  ErrorRecord r;
  p.apply(r);
  const JsonValue* pid = path(r.context, {"process", "pid"});
  REQUIRE(pid);
  CHECK(std::get<int64_t>(pid->storage()) == ::getpid());
  CHECK(path(r.context, {"process", "rss_bytes"}) != nullptr);
  CHECK(path(r.context, {"process", "threads"}) != nullptr);
  CHECK(path(r.context, {"process", "open_files"}) != nullptr);
  CHECK(path(r.context, {"process", "uptime_seconds"}) != nullptr);

  ProcessProvider::Options missing;
  missing.pid_file = (d.path / "none.pid").string();
  ProcessProvider q(missing);
  q.start(false);
  q.waitReady(std::chrono::steady_clock::now() + 2s);
  ErrorRecord r2;
  q.apply(r2);
  CHECK(str(findField(r2.context, "context_error_process")).find("pid file") != std::string::npos);
}

TEST_CASE("context: a hanging provider delays no record beyond its timeout", "[context]") {
  constexpr auto kTimeout = 50ms;
  std::vector<std::unique_ptr<ContextProvider>> providers;
  providers.push_back(std::make_unique<HangingProvider>(kTimeout));
  RecordPipeline pipeline(std::move(providers), Scrubber::createDefault(), kTimeout);

  auto t0 = std::chrono::steady_clock::now();
  pipeline.start(true);  // waits for the first sample at most the timeout
  CHECK(std::chrono::steady_clock::now() - t0 < kTimeout + 200ms);

  ErrorRecord r;
  std::string out;
  t0 = std::chrono::steady_clock::now();
  pipeline.finish(r, out);
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < kTimeout);
  CHECK(out.find("context_error_hang") != std::string::npos);

  // Once the sample is overdue the reason says so; records still go straight through.
  std::this_thread::sleep_for(kTimeout + 20ms);
  ErrorRecord r2;
  t0 = std::chrono::steady_clock::now();

  out.clear();
  pipeline.finish(r2, out);
  CHECK(std::chrono::steady_clock::now() - t0 < kTimeout);
  CHECK(str(findField(r2.context, "context_error_hang")).find("timed out") == 0);
}

TEST_CASE("context: invalid provider configs are reported", "[context]") {
  const Registries reg = Registries::builtin();
  auto bad = [&](const std::string& yaml, const std::string& expect) {
    std::vector<config::Diagnostic> diags;
    auto p = makeRecordPipeline(configFrom(yaml), reg, diags);
    CHECK_FALSE(p);
    std::string all;
    for (const auto& e : diags) all += e.str() + "\n";
    INFO(all);
    CHECK(all.find(expect) != std::string::npos);
  };
  bad("context:\n  providers:\n    - type: nope\n", "test.yaml:3:7: unknown context provider");
  bad("context:\n  providers:\n    - type: process\n", "exactly one of 'pid_file' or 'unit'");
  bad("context:\n  providers:\n    - type: system_metrics\n      interval_ms: 1\n",
      "test.yaml:4:20");
  bad("context:\n  providers:\n    - type: host\n      extra: 1\n", "unknown key 'extra'");
  bad("scrub:\n  disable: [card_number, nope]\n", "test.yaml:2:26: unknown built-in scrub rule");
  bad("scrub:\n  rules:\n    - name: jwt\n      pattern: x\n", "name of a built-in rule");
  bad("scrub:\n  hash_key_file: /nonexistent/key\n  rules:\n    - {name: h, pattern: x, "
      "action: hash}\n",
      "cannot read the hash key file");
}

TEST_CASE("context: scrub section drives the scrubber", "[context]") {
  TempDir d;
  d.write("key", "topsecretkey\n");
  auto p = pipelineFrom(
      "scrub:\n  disable: [card_number]\n  hash_key_file: " + (d.path / "key").string() +
      "\n  rules:\n    - name: order_email\n      pattern: '[\\w.+-]+@example\\.com'\n"
      "      action: hash\n");
  ErrorRecord r;
  r.message = "card 4111 1111 1111 1111 mail bob@example.com";
  std::string out;
  p->finish(r, out);
  CHECK(r.message.find("4111 1111 1111 1111") != std::string::npos);
  CHECK(r.message.find("bob@example.com") == std::string::npos);
  CHECK(r.message.find("[HASH:") != std::string::npos);
  CHECK(p->scrubber()->count("order_email") == 1);

  auto off = pipelineFrom("scrub:\n  enabled: false\n");
  CHECK(off->scrubber() == nullptr);
}
