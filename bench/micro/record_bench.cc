// Micro-benchmarks of common/record.h: normalizeMessage runs for every record without frames
// (it feeds the fingerprint).

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "common/record.h"

namespace {

void runNormalizeMessage(benchmark::State& state, std::string_view message) {
  for (auto _ : state) {
    std::string normalized = homeo::normalizeMessage(message);
    benchmark::DoNotOptimize(normalized.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(message.size()));
}

// Mostly words: little to replace.
void BM_NormalizeMessage_Words(benchmark::State& state) {
  runNormalizeMessage(state, "Database connection lost during transaction, retrying later");
}
// Numbers, a quoted value, an IP and a path.
void BM_NormalizeMessage_Mixed(benchmark::State& state) {
  runNormalizeMessage(state,
                      "Payment 81723 for user 'alice' from 10.2.3.4 failed reading "
                      "/var/lib/app/orders-5521.csv after 3 retries");
}
// Ids: a UUID and hex.
void BM_NormalizeMessage_Ids(benchmark::State& state) {
  runNormalizeMessage(state,
                      "Task app.tasks.sync[3f6c2b1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f] raised at "
                      "0x7f3a9c0012ab: request deadbeefcafebabe");
}
// A long message (1 KiB).
void BM_NormalizeMessage_Long(benchmark::State& state) {
  std::string message;
  while (message.size() < 1024) {
    message.append("GET /api/v1/users/42 status=500 in 123 ms from 10.0.0.7 id=9f1c2e4a; ");
  }
  runNormalizeMessage(state, message);
}

BENCHMARK(BM_NormalizeMessage_Words);
BENCHMARK(BM_NormalizeMessage_Mixed);
BENCHMARK(BM_NormalizeMessage_Ids);
BENCHMARK(BM_NormalizeMessage_Long);

}  // namespace
