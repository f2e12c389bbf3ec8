// Micro-benchmarks of common/timeutil.h: the timestamp at the start of a line is read for
// every line that reaches parsing.

#include <benchmark/benchmark.h>

#include <string_view>

#include "common/timeutil.h"

namespace {

void runParseTimestampPrefix(benchmark::State& state, std::string_view line) {
  size_t consumed = 0;
  for (auto _ : state) {
    auto t = homeo::parseTimestampPrefix(line, &consumed);
    benchmark::DoNotOptimize(t);
    benchmark::DoNotOptimize(consumed);
  }
  if (!homeo::parseTimestampPrefix(line, &consumed)) {
    state.SkipWithError("the timestamp did not parse");
    return;
  }
  // Bytes of timestamp read per second.
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(consumed));
}

// Python logging's default asctime.
void BM_ParseTimestampPrefix_Python(benchmark::State& state) {
  runParseTimestampPrefix(state, "2023-05-20 14:30:22,123 - app.users - ERROR - KeyError");
}
// RFC 3339 with fraction and Z (JSON loggers, RFC 5424).
void BM_ParseTimestampPrefix_Rfc3339Z(benchmark::State& state) {
  runParseTimestampPrefix(state, "2023-05-20T14:30:22.123Z web01 app 123 ID47 - msg");
}
// RFC 3339 with microseconds and a numeric offset.
void BM_ParseTimestampPrefix_Rfc3339Offset(benchmark::State& state) {
  runParseTimestampPrefix(state, "2023-05-20T14:30:22.123456+02:00 web01 app - - - msg");
}
// RFC 3164 (syslog): month abbreviation, no year.
void BM_ParseTimestampPrefix_Syslog(benchmark::State& state) {
  runParseTimestampPrefix(state, "May 20 14:30:22 web01 sshd[123]: Accepted publickey");
}
// A line that does not start with a timestamp: the common cost of a failed probe.
void BM_ParseTimestampPrefix_NoMatch(benchmark::State& state) {
  size_t consumed = 0;
  constexpr std::string_view kLine = "    user = users[user_id]";
  for (auto _ : state) {
    auto t = homeo::parseTimestampPrefix(kLine, &consumed);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

BENCHMARK(BM_ParseTimestampPrefix_Python);
BENCHMARK(BM_ParseTimestampPrefix_Rfc3339Z);
BENCHMARK(BM_ParseTimestampPrefix_Rfc3339Offset);
BENCHMARK(BM_ParseTimestampPrefix_Syslog);
BENCHMARK(BM_ParseTimestampPrefix_NoMatch);

}  // namespace
