#include "daemon/seen/seen_store.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "../test_support.h"

using namespace homeo;
using homeo::testing::readAll;
using homeo::testing::ScratchDir;

namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;
constexpr int64_t kNow = 1700000000000;  // 2023-11-14

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("A fingerprint is first seen once, and remembered once its batch is acknowledged",
          "[seen]") {
  ScratchDir dir;
  const std::string path = dir / "seen";
  {
    SeenStore s(path, {});
    std::string error;
    REQUIRE(s.load(kNow, &error));
    auto a = s.observe("aaaa", kNow - 5000, kNow);
    CHECK(a.first);
    CHECK(a.first_at_ms == kNow - 5000);
    auto again = s.observe("aaaa", kNow, kNow + 10);
    CHECK_FALSE(again.first);
    CHECK(again.first_at_ms == kNow - 5000);
    s.assign(1);
    CHECK(s.observe("bbbb", kNow, kNow).first);
    s.assign(2);
    s.acked(1, kNow + 20);
    s.flush();  // the file is written off the caller's thread
    // Batch 2 is not acknowledged: "bbbb" is not in the file (a crash now would read its
    // line again, and its record would be first seen again, as the first copy was).
    const std::string text = readAll(path);
    CHECK(text.find("aaaa\t") != std::string::npos);
    CHECK(text.find("bbbb\t") == std::string::npos);
  }
  SeenStore after(path, {});
  std::string error;
  REQUIRE(after.load(kNow + 1000, &error));
  CHECK(after.size() == 1);
  auto a = after.observe("aaaa", kNow + 2000, kNow + 2000);
  CHECK_FALSE(a.first);
  CHECK(a.first_at_ms == kNow - 5000);
  CHECK(after.observe("bbbb", kNow + 2000, kNow + 2000).first);
}

TEST_CASE("mark sets first_seen and first_seen_at in the record's metadata", "[seen]") {
  SeenStore s("", {});  // no file: parse's store, for one run
  ErrorRecord r;
  r.fingerprint = "f00d";
  r.time = 1684593022000000000;  // 2023-05-20T14:30:22Z
  CHECK(s.mark(r, kNow).first);
  const JsonValue* first = findField(r.metadata_extra, "first_seen");
  REQUIRE(first);
  CHECK(std::get<bool>(first->storage()));
  const JsonValue* at = findField(r.metadata_extra, "first_seen_at");
  REQUIRE(at);
  REQUIRE(at->asString());
  CHECK(*at->asString() == "2023-05-20T14:30:22Z");

  ErrorRecord later;
  later.fingerprint = "f00d";  // no time in the log: now, but it is not new
  CHECK_FALSE(s.mark(later, kNow).first);
  CHECK(*findField(later.metadata_extra, "first_seen_at")->asString() == "2023-05-20T14:30:22Z");
  CHECK_FALSE(std::get<bool>(findField(later.metadata_extra, "first_seen")->storage()));
}

TEST_CASE("A damaged seen file loses only its damaged lines, counted", "[seen]") {
  ScratchDir dir;
  const std::string path = dir / "seen";
  writeFile(path,
            "homeostasisd seen fingerprints v1\n"
            "good1\t1699990000000\t1699990000000\n"
            "junk line without tabs\n"
            "bad\tnot-a-number\t1\n"
            "far\t99999999999999999\t1\n"  // beyond a nanosecond timestamp
            "good2\t1699990000001\t1699990000002\n"
            "cut\t16999");  // the last line, cut by a crash while appending
  SeenStore s(path, {});
  std::string error;
  REQUIRE(s.load(kNow, &error));
  CHECK(s.size() == 2);
  CHECK(s.damagedLines() == 4);
  CHECK_FALSE(s.observe("good1", kNow, kNow).first);
  CHECK_FALSE(s.observe("good2", kNow, kNow).first);
  CHECK(s.observe("cut", kNow, kNow).first);
  // Rewritten clean at load.
  const std::string text = readAll(path);
  CHECK(text.find("junk") == std::string::npos);
  CHECK(text.find("cut") == std::string::npos);

  writeFile(path,
            "\x7f"
            "ELF binary garbage\n");
  SeenStore foreign(path, {});
  REQUIRE(foreign.load(kNow, &error));
  CHECK(foreign.size() == 0);
  CHECK(foreign.damagedLines() == 1);
}

TEST_CASE("Fingerprints not seen for a while are forgotten, and the store is bounded", "[seen]") {
  ScratchDir dir;
  const std::string path = dir / "seen";
  SeenStore::Options opts;
  opts.max_entries = 100;
  opts.forget_after = std::chrono::milliseconds(30 * kDay);
  writeFile(path,
            "homeostasisd seen fingerprints v1\n"
            "old\t1000\t" +
                std::to_string(kNow - 31 * kDay) +
                "\n"
                "recent\t1000\t" +
                std::to_string(kNow - 29 * kDay) + "\n");
  SeenStore s(path, opts);
  std::string error;
  REQUIRE(s.load(kNow, &error));
  CHECK(s.size() == 1);
  CHECK(s.observe("old", kNow, kNow).first);
  CHECK_FALSE(s.observe("recent", kNow, kNow).first);
  s.assign(1);
  s.acked(1, kNow);
  // 200 more, each seen later than the one before: the least recently seen go first.
  for (int i = 0; i < 200; ++i) {
    CHECK(s.observe("fp" + std::to_string(i), kNow + i, kNow + i).first);
    s.assign(2 + i);
    s.acked(2 + i, kNow + i);
  }
  CHECK(s.size() <= 110);
  CHECK(s.size() >= 100);
  CHECK_FALSE(s.observe("fp199", kNow + 500, kNow + 500).first);
  CHECK(s.observe("fp0", kNow + 500, kNow + 500).first);
}

TEST_CASE("A seen file that cannot be written is reported and counted, and the store works",
          "[seen]") {
  SeenStore s("/nonexistent-dir-homeo/seen", {});
  std::string error;
  CHECK_FALSE(s.load(kNow, &error));
  CHECK(error.find("cannot write the seen fingerprints") != std::string::npos);
  CHECK(s.writeFailures() == 1);
  CHECK(s.observe("x", kNow, kNow).first);
  CHECK_FALSE(s.observe("x", kNow, kNow).first);
}
