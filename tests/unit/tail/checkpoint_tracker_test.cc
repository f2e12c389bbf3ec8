#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <vector>

#include "tail/checkpoint_tracker.h"
#include "tail_test_util.h"

using namespace homeo;
using homeo::testing::runUntil;
using homeo::testing::ScratchDir;

namespace {

constexpr FileId kFile{1, 42};
constexpr Fingerprint kFp{512, 0xabc};

FilePosition at(uint64_t offset) { return {offset, kFp, {}, 0}; }

// The offset the checkpoint file on disk holds for kFile, or -1.
int64_t onDisk(const std::string& dir) {
  CheckpointStore s(dir);
  std::string error;
  if (!s.load(&error)) return -2;
  auto cp = s.find(kFile.dev, kFile.ino);
  return cp ? static_cast<int64_t>(cp->offset) : -1;
}

// A tracker on a loop of its own, over a fresh state directory.
struct Fixture {
  boost::asio::io_context io;
  ScratchDir dir;
  CheckpointTracker t{io.get_executor(), dir.path};
  Fixture() {
    std::string error;
    REQUIRE(t.load(&error));
  }
};

}  // namespace

TEST_CASE("tracker: a checkpoint moves batch by batch, after acknowledgement", "[tracker]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  std::vector<uint64_t> gates;
  t.onGateMoved([&](uint64_t through) { gates.push_back(through); });
  CHECK(t.sendableThrough() == 1);

  t.follow(kFile, "/logs/app.log", at(0));
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 0; }));

  // Three records in batches 1, 2, 3; the file read to 500.
  t.recorded(kFile, at(100), 1);
  t.recorded(kFile, at(300), 2);
  t.recorded(kFile, at(400), 3);
  t.reached(kFile, at(500));
  CHECK(t.waitingForAck(kFile));
  CHECK_FALSE(t.settled(kFile));

  // Batch 1 holds what lies before the record of batch 2.
  t.acked(1);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 300; }));
  REQUIRE(runUntil(io, [&] { return t.durableThrough() == 1; }));
  CHECK(t.sendableThrough() == 2);
  CHECK(t.committedOffset(kFile) == 300);
  REQUIRE_FALSE(gates.empty());
  CHECK(gates.back() == 2);

  t.acked(2);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 400; }));
  t.acked(3);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 500; }));
  REQUIRE(runUntil(io, [&] { return t.sendableThrough() == 4; }));
  CHECK(t.settled(kFile));
  CHECK_FALSE(t.waitingForAck(kFile));
}

TEST_CASE("tracker: the gate waits for the checkpoint on disk, not for the ack", "[tracker]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  t.follow(kFile, "/logs/app.log", at(0));
  t.recorded(kFile, at(0), 1);
  t.reached(kFile, at(80));
  t.acked(1);
  CHECK(t.ackedThrough() == 1);
  CHECK(t.sendableThrough() == 1);  // acknowledged, but its checkpoint is not written yet
  REQUIRE(runUntil(io, [&] { return t.sendableThrough() == 2; }));
  CHECK(onDisk(dir.path) == 80);

  SECTION("a drain opens the gate for every batch") {
    uint64_t through = 0;
    t.onGateMoved([&](uint64_t n) { through = n; });
    t.openGate();
    CHECK(through == UINT64_MAX);
    CHECK(t.sendableThrough() == UINT64_MAX);
  }
}

TEST_CASE("tracker: a mark at an offset seen before counts again after a restart", "[tracker]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  t.follow(kFile, "/logs/app.log", at(0));
  t.recorded(kFile, at(0), 1);
  t.reached(kFile, at(200));
  t.acked(1);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 200; }));

  // Truncated and read again: 200 is now an offset into other content.
  const FilePosition again{200, {40, 0x77}, kFp, 200};
  t.reached(kFile, again);
  CHECK(t.settled(kFile));  // the same offset: taken as no progress
  t.restarted(kFile);
  t.reached(kFile, at(0));
  t.reached(kFile, again);
  REQUIRE(runUntil(io, [&] {
    CheckpointStore s(dir.path);
    std::string e;
    auto cp = s.load(&e) ? s.find(kFile.dev, kFile.ino) : std::nullopt;
    return cp && cp->fp_hash == 0x77 && cp->prev_offset == 200 && cp->prev_fp_hash == kFp.hash;
  }));
}

TEST_CASE("tracker: forgetting a file keeps what was acknowledged of it", "[tracker]") {
  boost::asio::io_context io;
  ScratchDir dir;
  {
    CheckpointTracker t(io.get_executor(), dir.path);
    std::string error;
    REQUIRE(t.load(&error));
    t.follow(kFile, "/logs/app.log", at(0));
    t.moved(kFile, "/logs/app.log.1");
    t.reached(kFile, at(120));  // no record: nothing waits for a batch
    t.forget(kFile);
    CHECK(t.settled(kFile));
    REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 120; }));
  }
  CheckpointStore s(dir.path);
  std::string error;
  REQUIRE(s.load(&error));
  CHECK(s.find(kFile.dev, kFile.ino)->path == "/logs/app.log.1");
}

TEST_CASE("tracker: a skipped file's checkpoint is written without a follower", "[tracker]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  t.set({kFile.dev, kFile.ino, 999, kFp.len, kFp.hash, "/logs/old.log"});
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 999; }));
  t.erase(kFile);
  t.commit();
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == -1; }));
}

TEST_CASE("tracker: a held event keeps the checkpoint before it until its batch is acked",
          "[tracker]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  t.follow(kFile, "/logs/app.log", at(0));
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 0; }));
  CHECK(t.hold(FileId{9, 9}, 10) == 0);  // a file not followed

  // A record in batch 1, an event at 200 held back (to be counted into a summary), records
  // at 300 (batch 2) and 400 (batch 3); read to 500.
  t.recorded(kFile, at(100), 1);
  const uint64_t token = t.hold(kFile, 200);
  REQUIRE(token != 0);
  t.recorded(kFile, at(300), 2);
  t.recorded(kFile, at(400), 3);
  t.reached(kFile, at(500));
  t.acked(3);
  runUntil(
      io, [] { return false; }, std::chrono::milliseconds(50));
  CHECK(onDisk(dir.path) == 0);  // nothing beyond the held event
  CHECK_FALSE(t.settled(kFile));

  // Its summary goes into batch 5: the marks wait for batch 5 now.
  t.release(kFile, token, 5);
  t.acked(4);
  runUntil(
      io, [] { return false; }, std::chrono::milliseconds(50));
  CHECK(onDisk(dir.path) == 0);
  t.acked(5);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 500; }));
  CHECK(t.settled(kFile));
}

TEST_CASE("tracker: marks before a held event move on; a restart lets its holds go", "[tracker]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  t.follow(kFile, "/logs/app.log", at(0));
  t.recorded(kFile, at(100), 1);
  t.recorded(kFile, at(200), 2);  // mark: before 200 in batch 1
  const uint64_t token = t.hold(kFile, 250);
  t.recorded(kFile, at(300), 3);  // mark: before 300 in batch 2, beyond the hold
  t.acked(3);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 200; }));
  runUntil(
      io, [] { return false; }, std::chrono::milliseconds(50));
  CHECK(onDisk(dir.path) == 200);

  // Truncated: the held content is gone, the new content is checkpointed as acked.
  t.restarted(kFile);
  t.recorded(kFile, at(10), 4);
  t.reached(kFile, at(50));
  t.acked(4);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == 50; }));
  t.release(kFile, token, 6);  // too late: ignored
  CHECK(t.settled(kFile));
}
