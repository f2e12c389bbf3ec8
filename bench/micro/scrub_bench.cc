// Micro-benchmarks of the scrubber (daemon/scrub/): it runs over every string of every record,
// so text with nothing to scrub must cost about one RE2::Set scan, and text with secrets only
// the rules that match.

#include <benchmark/benchmark.h>

#include <string>

#include "daemon/scrub/scrubber.h"

namespace {

// A typical error line with nothing secret in it.
constexpr char kClean[] =
    "2024-03-11 09:20:00,000 - shop.api - ERROR - payment gateway refused order 81723 for "
    "customer 5521 after 3 retries (upstream 502 from 10.2.3.4, took 1532 ms)";

// The same shape with a password, a bearer token and a card number.
constexpr char kDirty[] =
    "2024-03-11 09:20:00,000 - shop.api - ERROR - login failed password=hunter2-Zq9 while "
    "calling with Authorization: Bearer abcdefghij0123456789 card 4111 1111 1111 1111";

void runScrub(benchmark::State& state, const std::string& text) {
  auto scrubber = homeo::Scrubber::createDefault();
  std::string work;
  for (auto _ : state) {
    work = text;  // reuses work's buffer after the first round
    benchmark::DoNotOptimize(scrubber->scrub(work));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}

void BM_Scrub_Clean(benchmark::State& state) { runScrub(state, kClean); }
void BM_Scrub_Dirty(benchmark::State& state) { runScrub(state, kDirty); }

// A 4 KiB raw log (a traceback) without secrets.
void BM_Scrub_CleanLong(benchmark::State& state) {
  std::string text;
  while (text.size() < 4096) {
    text +=
        "  File \"/app/shop/payments/gateway.py\", line 120, in charge\n    resp = "
        "self.session.post(url, json=payload, timeout=5)\n";
  }
  runScrub(state, text);
}

// Copying a string of the same size, for scale: the floor of any per-record work.
void BM_Scrub_CopyOnly(benchmark::State& state) {
  const std::string text = kClean;
  std::string work;
  for (auto _ : state) {
    work = text;
    benchmark::DoNotOptimize(work.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}

}  // namespace

BENCHMARK(BM_Scrub_Clean);
BENCHMARK(BM_Scrub_Dirty);
BENCHMARK(BM_Scrub_CleanLong);
BENCHMARK(BM_Scrub_CopyOnly);
