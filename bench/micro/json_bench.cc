// Micro-benchmarks of common/json.h: the serializer's string escaping, which every string of
// every record goes through.

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "common/json.h"

namespace {

constexpr std::string_view kPlainMessage =
    "Processed order 81723 for customer 5521 in 123 ms (cart 9f1c2e4a, 3 items)";

constexpr std::string_view kTraceback =
    "Traceback (most recent call last):\n"
    "  File \"/usr/local/lib/python3.11/site-packages/flask/app.py\", line 1823, in "
    "full_dispatch_request\n"
    "    rv = self.dispatch_request()\n"
    "  File \"/app/api/users.py\", line 42, in get_user\n"
    "    user = users[user_id]\n"
    "\tKeyError: 'user_id'\n";

constexpr std::string_view kUtf8Message =
    "Benutzer «Jürgen» hat die Bestellung storniert — 注文はキャンセルされました ✓";

// Invalid UTF-8 (a lone continuation byte, a truncated sequence, an overlong form) between
// ASCII, as found in logs of binary payloads.
constexpr std::string_view kInvalidUtf8 =
    "payload \x80\xbf bytes \xe2\x82 cut \xc0\xaf overlong \xff end of the line here";

void runAppendJsonString(benchmark::State& state, std::string_view input) {
  std::string out;
  out.reserve(input.size() * 2 + 16);
  for (auto _ : state) {
    out.clear();
    homeo::appendJsonString(out, input);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(input.size()));
}

void BM_AppendJsonString_Plain(benchmark::State& state) {
  runAppendJsonString(state, kPlainMessage);
}
void BM_AppendJsonString_Traceback(benchmark::State& state) {
  runAppendJsonString(state, kTraceback);
}
void BM_AppendJsonString_Utf8(benchmark::State& state) { runAppendJsonString(state, kUtf8Message); }
void BM_AppendJsonString_InvalidUtf8(benchmark::State& state) {
  runAppendJsonString(state, kInvalidUtf8);
}

// A long raw_log (a 4 KiB multi-line event), the biggest string a record usually carries.
void BM_AppendJsonString_Long(benchmark::State& state) {
  std::string input;
  while (input.size() < 4096) input.append(kTraceback);
  runAppendJsonString(state, input);
}

BENCHMARK(BM_AppendJsonString_Plain);
BENCHMARK(BM_AppendJsonString_Traceback);
BENCHMARK(BM_AppendJsonString_Utf8);
BENCHMARK(BM_AppendJsonString_InvalidUtf8);
BENCHMARK(BM_AppendJsonString_Long);

}  // namespace
