// Micro-benchmarks of stack-trace reading: analyzeTrace per language, and the text format's
// grouping and parsing of a plain log with traces in it (the fallback path of every unknown
// file).

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "parsers/text/text_parser.h"
#include "parsers/trace.h"

namespace {

constexpr std::string_view kPython =
    "Traceback (most recent call last):\n"
    "  File \"/app/handlers.py\", line 30, in get_user\n"
    "    user = fetch(key)\n"
    "  File \"/app/db.py\", line 15, in fetch\n"
    "    raise LookupError(key)\n"
    "LookupError: no cached entry for user:42";

constexpr std::string_view kJava =
    "java.lang.IllegalStateException: cart 7 is closed\n"
    "\tat com.shop.Cart.add(Cart.java:42)\n"
    "\tat com.shop.Api.handle(Api.java:7)\n"
    "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n"
    "Caused by: java.io.IOException: disk full\n"
    "\tat com.shop.Store.write(Store.java:19)\n"
    "\t... 4 more";

constexpr std::string_view kGo =
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x45a1af]\n"
    "\n"
    "goroutine 1 [running]:\n"
    "main.(*Pipeline).flush(0x0?, {0xc000112000, 0x800, 0x800})\n"
    "\t/app/pipeline.go:87 +0x1d\n"
    "main.run()\n"
    "\t/app/main.go:32 +0x9a\n"
    "main.main()\n"
    "\t/app/main.go:14 +0x20";

constexpr std::string_view kNode =
    "TypeError: Cannot read properties of undefined (reading 'id')\n"
    "    at getUser (/app/src/users.js:10:5)\n"
    "    at async Promise.all (index 0)\n"
    "    at /app/src/routes.js:22:13\n"
    "    at Layer.handle [as handle_request] (/app/node_modules/express/lib/layer.js:95:5)";

constexpr std::string_view kDotnet =
    "System.InvalidOperationException: Order 4411 cannot be shipped\n"
    " ---> System.Collections.Generic.KeyNotFoundException: The given key was not present.\n"
    "   at Shop.Rates.For(String zone) in /src/Shop/Rates.cs:line 27\n"
    "   --- End of inner exception stack trace ---\n"
    "   at Shop.Shipper.Ship(Order order) in /src/Shop/Shipper.cs:line 52";

void runAnalyze(benchmark::State& state, std::string_view trace) {
  std::vector<std::string_view> lines;
  homeo::splitLines(trace, lines);
  homeo::ErrorRecord r;
  for (auto _ : state) {
    r.clear();
    benchmark::DoNotOptimize(homeo::analyzeTrace(lines, r));
    benchmark::DoNotOptimize(r.frames.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(trace.size()));
}

void BM_AnalyzeTrace_Python(benchmark::State& state) { runAnalyze(state, kPython); }
void BM_AnalyzeTrace_Java(benchmark::State& state) { runAnalyze(state, kJava); }
void BM_AnalyzeTrace_Go(benchmark::State& state) { runAnalyze(state, kGo); }
void BM_AnalyzeTrace_Node(benchmark::State& state) { runAnalyze(state, kNode); }
void BM_AnalyzeTrace_Dotnet(benchmark::State& state) { runAnalyze(state, kDotnet); }
BENCHMARK(BM_AnalyzeTrace_Python);
BENCHMARK(BM_AnalyzeTrace_Java);
BENCHMARK(BM_AnalyzeTrace_Go);
BENCHMARK(BM_AnalyzeTrace_Node);
BENCHMARK(BM_AnalyzeTrace_Dotnet);

// A plain log: nine of ten lines are messages, with a trace now and then. Groups the lines
// as SourceParser does for the text format and parses every event at min level ERROR.
std::string plainLog() {
  std::string log;
  const std::string_view traces[] = {kPython, kJava, kGo, kNode, kDotnet};
  for (int i = 0; i < 200; ++i) {
    log += "2024-05-01T10:00:00Z worker " + std::to_string(i) + " handled request in 12ms\n";
    if (i % 10 == 9) {
      log += traces[(i / 10) % 5];
      log += '\n';
    }
  }
  return log;
}

void BM_TextParser_PlainLogWithTraces(benchmark::State& state) {
  const std::string log = plainLog();
  std::vector<std::string_view> lines;
  homeo::splitLines(log, lines);
  auto parser = homeo::makeTextParser();
  homeo::ErrorRecord r;
  std::vector<std::string_view> event;
  int64_t records = 0;
  auto complete = [&] {
    if (event.empty()) return;
    r.clear();
    homeo::LogEvent ev{event, 0};
    if (parser->parse(ev, homeo::Level::kError, r) == homeo::ParseStatus::kRecord) ++records;
  };
  for (auto _ : state) {
    event.clear();
    for (std::string_view line : lines) {
      if (!event.empty() && parser->continuesEvent(event, line)) {
        event.push_back(line);
        continue;
      }
      complete();
      event.assign(1, line);
    }
    complete();
  }
  benchmark::DoNotOptimize(records);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(log.size()));
}
BENCHMARK(BM_TextParser_PlainLogWithTraces);

}  // namespace
