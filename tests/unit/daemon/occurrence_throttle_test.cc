#include "daemon/throttle/occurrence_throttle.h"

#include <catch2/catch.hpp>
#include <string>

using namespace homeo;

namespace {

constexpr FileId kA{1, 1};
constexpr FileId kB{1, 2};
constexpr int64_t kT0 = 1684593022000;  // 2023-05-20T14:30:22Z

ErrorRecord occurrence(const std::string& fp, uint64_t offset, int64_t time_ms = 0) {
  ErrorRecord r;
  r.fingerprint = fp;
  r.message = "occurrence at " + std::to_string(offset);
  r.source_offset = offset;
  r.time = time_ms * 1000000;
  return r;
}

}  // namespace

TEST_CASE("The first records of an error in a window go out, the rest make one summary",
          "[throttle]") {
  OccurrenceThrottle t;
  config::ThrottleConfig cfg;  // 5 per 60 s
  int holds = 0;
  auto hold = [&] { return static_cast<uint64_t>(++holds); };
  uint64_t full = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    ErrorRecord r = occurrence("storm", i * 100, kT0 + static_cast<int64_t>(i));
    if (t.admit(r, cfg, kT0)) {
      ++full;
    } else {
      t.suppress(r, i % 2 ? kA : kB, kT0, hold);
    }
    ErrorRecord other = occurrence("other" + std::to_string(i % 3), i * 100 + 50);
    // Three errors taking turns: the first five of each (i < 15) go out.
    const bool admitted = t.admit(other, cfg, kT0);
    CHECK(admitted == (i < 15));
    if (!admitted) t.suppress(other, kA, kT0, hold);
  }
  CHECK(full == 5);
  CHECK(t.throttled() == 995 + 985);
  CHECK(holds == 2 + 3);  // one per window and file: storm in A and B, each other in A
  CHECK(t.expire(kT0 + 59999).empty());  // the windows are open

  auto out = t.expire(kT0 + 60000);
  REQUIRE(out.size() == 4);
  const auto& storm = out[0];  // in the order their first occurrences were counted
  CHECK(storm.count == 995);
  CHECK(storm.holds.size() == 2);
  CHECK(storm.record.message == "occurrence at 99900");  // the last one
  const JsonValue* occ = findField(storm.record.metadata_extra, "occurrences");
  REQUIRE(occ);
  REQUIRE(occ->asObject());
  CHECK(std::get<int64_t>(findField(*occ->asObject(), "count")->storage()) == 995);
  CHECK(*findField(*occ->asObject(), "first_at")->asString() == "2023-05-20T14:30:22.005Z");
  CHECK(*findField(*occ->asObject(), "last_at")->asString() == "2023-05-20T14:30:22.999Z");
  uint64_t others = 0;
  for (size_t i = 1; i < out.size(); ++i) others += out[i].count;
  CHECK(others == 985);
  CHECK(t.summaries() == 4);
  CHECK(t.windows() == 0);

  // A new window: the first five go out again.
  ErrorRecord r = occurrence("storm", 200000);
  CHECK(t.admit(r, cfg, kT0 + 61000));
}

TEST_CASE("A drain summarises what is counted and keeps the window's count", "[throttle]") {
  OccurrenceThrottle t;
  config::ThrottleConfig cfg;
  cfg.limit = 2;
  cfg.window_ms = 10000;
  auto hold = [] { return uint64_t{7}; };
  for (uint64_t i = 0; i < 4; ++i) {
    ErrorRecord r = occurrence("e", i);
    if (!t.admit(r, cfg, kT0)) t.suppress(r, kA, kT0 + static_cast<int64_t>(i), hold);
  }
  auto drained = t.expire(kT0 + 1000, /*all=*/true);
  REQUIRE(drained.size() == 1);
  CHECK(drained[0].count == 2);
  CHECK(t.windows() == 1);  // goes on in the next generation
  ErrorRecord next = occurrence("e", 10);
  CHECK_FALSE(t.admit(next, cfg, kT0 + 2000));  // its limit is spent in this window
  t.suppress(next, kA, kT0 + 2000, hold);
  auto closed = t.expire(kT0 + 10000);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].count == 1);
}

TEST_CASE("Throttling off, or too many errors at once, sends everything", "[throttle]") {
  OccurrenceThrottle t;
  config::ThrottleConfig off;
  off.enabled = false;
  for (int i = 0; i < 100; ++i) {
    ErrorRecord r = occurrence("same", static_cast<uint64_t>(i));
    CHECK(t.admit(r, off, kT0));
  }
  config::ThrottleConfig on;
  for (size_t i = 0; i < OccurrenceThrottle::kMaxWindows; ++i) {
    ErrorRecord r = occurrence("fp" + std::to_string(i), i);
    REQUIRE(t.admit(r, on, kT0));
  }
  for (int i = 0; i < 10; ++i) {
    ErrorRecord r = occurrence("one-too-many", static_cast<uint64_t>(i));
    CHECK(t.admit(r, on, kT0));
  }
}
