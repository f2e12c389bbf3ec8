// Micro-benchmarks of the line formats of the format library and of format detection, in
// bytes of log per second. Each parser runs on lines of its own format at min_level ERROR,
// the daemon's default, where most lines are below the level (the cheap path) and a few are
// errors (the full parse).

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/parser_set.h"

namespace {

using homeo::ErrorRecord;
using homeo::Level;
using homeo::LogEvent;
using homeo::Parser;

std::unique_ptr<homeo::ParserSet> makeSet() {
  homeo::ParserRegistry reg;
  homeo::registerBuiltinParsers(reg);
  std::vector<homeo::config::Diagnostic> diags;
  return homeo::ParserSet::create(reg, {}, diags);
}

// Nine INFO-ish lines and one error line of each format.
struct Sample {
  const char* format;
  std::string_view info;
  std::string_view error;
};

constexpr Sample kSamples[] = {
    {"logfmt", "ts=2024-01-01T10:00:00Z level=info msg=\"request served\" path=/a dur=12ms",
     "ts=2024-01-01T10:00:01Z level=error msg=\"db down\" caller=db.go:42 err=\"timeout\""},
    {"java", "2024-01-01 10:00:00.123  INFO 1234 --- [main] c.e.OrderService : order 17 placed",
     "2024-01-01 10:00:00.124 ERROR 1234 --- [main] c.e.OrderService : order 18 failed"},
    {"klog", "I0102 15:04:05.123456   1234 controller.go:42] synced 17 objects",
     "E0102 15:04:05.123457   1234 reflector.go:138] watch of *v1.Pod ended with error"},
    {"logcat", "01-02 15:04:05.123  1234  5678 I ActivityManager: Start proc 4242 for activity",
     "01-02 15:04:05.124  1234  5678 E ActivityManager: ANR in com.example.app"},
    {"apache_error",
     "[Tue Jan 02 15:04:05.123456 2024] [core:notice] [pid 1234] AH00094: Command line",
     "[Tue Jan 02 15:04:05.123457 2024] [proxy:error] [pid 1234] [client 1.2.3.4:5] AH00898"},
    {"nginx_error", "2024/01/02 15:04:05 [notice] 1234#0: signal process started",
     "2024/01/02 15:04:05 [error] 1234#0: *5 upstream timed out, client: 1.2.3.4, server: x, "
     "request: \"GET /a HTTP/1.1\", host: \"x\""},
    {"access_log",
     "1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] \"GET /index.html HTTP/1.1\" 200 5120 \"-\" "
     "\"Mozilla/5.0\"",
     "1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] \"POST /api/pay HTTP/1.1\" 502 157 \"-\" "
     "\"curl/8.0\""},
    {"postgres", "2024-01-02 15:04:05.123 UTC [4242] LOG:  checkpoint complete: wrote 17 buffers",
     "2024-01-02 15:04:05.124 UTC [4242] ERROR:  relation \"orders\" does not exist at character "
     "15"},
    {"mysql_error", "2024-01-02T15:04:05.123456Z 0 [Note] [MY-010051] [Server] Event Scheduler: up",
     "2024-01-02T15:04:05.123457Z 12 [ERROR] [MY-010055] [Server] Unknown database 'shop'"},
    {"redis", "1:M 02 Jan 2024 15:04:05.123 * Background saving started by pid 4242",
     "1:M 02 Jan 2024 15:04:05.124 # Can't save in background: fork: Cannot allocate memory"},
    {"w3c",
     "2024-01-02 15:04:05 10.0.0.1 GET /index.html - 443 - 10.0.0.9 Mozilla/5.0 - 200 0 0 12",
     "2024-01-02 15:04:05 10.0.0.1 POST /api/pay id=7 443 - 10.0.0.9 Mozilla/5.0 - 500 0 0 31"},
    {"uwsgi",
     "[pid: 4242|app: 0|req: 1/7] 10.0.0.5 () {38 vars in 696 bytes} [Tue Jan  2 15:04:05 2024] "
     "GET /health => generated 2 bytes in 1 msecs (HTTP/1.1 200) 2 headers in 64 bytes (1 "
     "switches on core 0)",
     "[pid: 4242|app: 0|req: 2/8] 10.0.0.5 () {38 vars in 696 bytes} [Tue Jan  2 15:04:05 2024] "
     "POST /api/pay => generated 47 bytes in 129 msecs (HTTP/1.1 502) 9 headers in 378 bytes (1 "
     "switches on core 3)"},
    {"tai64n", "@40000000659425ef0000007b tcpserver: status: 1/30",
     "@40000000659425ef0000007c qmail: ERROR: unable to bind port 25"},
    {"generic", "2024-01-01 10:00:00 [INFO] worker 3 picked up job 8812",
     "2024-01-01 10:00:01 [ERROR] worker 3 failed job 8813"},
    {"json",
     R"({"level":30,"time":1704189845123,"pid":4242,"hostname":"web-3","req":{"id":17,)"
     R"("method":"GET","url":"/orders/7"},"res":{"statusCode":200},"responseTime":12,)"
     R"("msg":"request completed"})",
     R"({"asctime": "2024-01-02 15:04:05,124", "name": "billing.worker", "levelname": "ERROR", )"
     R"("message": "charge failed", "exc_info": "Traceback (most recent call last):\n  File )"
     R"(\"/srv/billing/worker.py\", line 88, in charge\n    amount = order[\"total\"]\n)"
     R"(KeyError: 'total'", "order_id": 4411})"},
    {"homeostasis",
     R"(2024-01-02 15:04:05,123 - homeostasis.shop-api - INFO - {"timestamp": )"
     R"("2024-01-02T15:04:05.123456", "service": "shop-api", "level": "INFO", "message": )"
     R"("order 17 placed", "system_info": {"hostname": "web-3", "os_name": "posix", )"
     R"("python_version": "3.11.7", "architecture": "64bit", "service_name": "shop-api"}})",
     R"(2024-01-02 15:04:05,124 - homeostasis.shop-api - ERROR - {"timestamp": )"
     R"("2024-01-02T15:04:05.124001", "service": "shop-api", "level": "ERROR", "message": )"
     R"("Failed to load user", "error_details": {"exception_type": "KeyError", "message": )"
     R"("'user_id'", "traceback": ["Traceback (most recent call last):\n", "  File )"
     R"(\"/srv/shop/users.py\", line 9, in get_user\n    return users[user_id]\n", )"
     R"("KeyError: 'user_id'\n"], "detailed_frames": [{"file": "/srv/shop/users.py", "line": 9, )"
     R"("function": "get_user", "locals": {"user_id": "user_id"}}], "error_id": )"
     R"("KeyError-20240102150405-140072514904288"}, "tags": ["api"]})"},
};

void runParser(benchmark::State& state, const Sample& sample) {
  auto set = makeSet();
  Parser* p = set->find(sample.format);
  std::vector<std::string_view> lines(9, sample.info);
  lines.push_back(sample.error);
  size_t bytes = 0;
  for (auto l : lines) bytes += l.size() + 1;
  ErrorRecord rec;
  for (auto _ : state) {
    for (const auto& line : lines) {
      if (!p->startsEvent(line)) state.SkipWithError("a sample line is not a header");
      rec.clear();
      LogEvent ev{std::span<const std::string_view>(&line, 1), 0};
      benchmark::DoNotOptimize(p->parse(ev, Level::kError, rec));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void runDetect(benchmark::State& state, const Sample& sample) {
  auto set = makeSet();
  std::vector<std::string_view> lines;
  for (int i = 0; i < 50; ++i) lines.push_back(i % 10 == 9 ? sample.error : sample.info);
  size_t bytes = 0;
  for (auto l : lines) bytes += l.size() + 1;
  for (auto _ : state) {
    const auto d = homeo::detectFormat(*set, lines);
    if (d.parser->name() != sample.format) state.SkipWithError("detected another format");
    benchmark::DoNotOptimize(d.confidence);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void registerAll() {
  for (const auto& s : kSamples) {
    benchmark::RegisterBenchmark((std::string("BM_Parse/") + s.format).c_str(),
                                 [&s](benchmark::State& st) { runParser(st, s); });
    benchmark::RegisterBenchmark((std::string("BM_Detect/") + s.format).c_str(),
                                 [&s](benchmark::State& st) { runDetect(st, s); });
  }
}

// Registered at load time through a function called from an initializer: benchmark_main
// provides main(), so there is no other place to call registerAll() from.
const int kRegistered = (registerAll(), 0);

}  // namespace
