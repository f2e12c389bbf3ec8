#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "tail/checkpoint_store.h"
#include "tail/checkpoint_tracker.h"
#include "tail_test_util.h"

using namespace homeo;
using homeo::testing::readAll;
using homeo::testing::runUntil;
using homeo::testing::ScratchDir;

namespace {

const std::string kKey = "journald:/srv/journal:checkout.service";

std::string cursor(int i) { return "s=abc;i=" + std::to_string(i) + ";b=def;m=1;t=2;x=3"; }

// Every entry up to cursor(i) done, none held.
JournalCheckpoint doneThrough(int i) { return {cursor(i), cursor(i), 1000u + i, {}}; }

JournalPosition pos(uint64_t n, const JournalCheckpoint& at) { return {n, n, at}; }

// The `done` cursor the checkpoint file on disk holds for kKey; nullopt when none.
std::optional<std::string> onDisk(const std::string& dir) {
  CheckpointStore s(dir);
  std::string error;
  if (!s.load(&error)) return std::string("<corrupt>");
  auto j = s.findJournal(kKey);
  if (!j) return std::nullopt;
  return j->done;
}

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

TEST_CASE("checkpoints: journal cursors are saved beside file checkpoints", "[checkpoint]") {
  ScratchDir dir;
  {
    CheckpointStore s(dir.path);
    std::string err;
    REQUIRE(s.load(&err));
    s.set({1, 2, 300, 0, 0, "/var/log/a.log"});
    REQUIRE(s.save(&err));
    // Without journal cursors the file stays in the format older versions read.
    CHECK(readAll(dir.path + "/checkpoints").rfind("homeostasisd-checkpoints v2\n", 0) == 0);
    s.setJournal(kKey, {cursor(3), cursor(7), 1700000000000007, {cursor(4), cursor(6)}});
    s.setJournal("journald:system:", {});
    REQUIRE(s.save(&err));
    CHECK(readAll(dir.path + "/checkpoints").rfind("homeostasisd-checkpoints v3\n", 0) == 0);
    // Setting the same cursor again changes nothing.
    s.setJournal(kKey, {cursor(3), cursor(7), 1700000000000007, {cursor(4), cursor(6)}});
    CHECK_FALSE(s.snapshot().has_value());
  }
  CheckpointStore s(dir.path);
  std::string err;
  REQUIRE(s.load(&err));
  CHECK(s.find(1, 2)->offset == 300u);
  const auto j = s.findJournal(kKey);
  REQUIRE(j.has_value());
  CHECK(j->resume == cursor(3));
  CHECK(j->done == cursor(7));
  CHECK(j->done_realtime_usec == 1700000000000007u);
  CHECK(j->held == std::vector<std::string>{cursor(4), cursor(6)});
  // An empty checkpoint (read from the head) is kept as such, unlike an absent one.
  CHECK(s.findJournal("journald:system:") == JournalCheckpoint{});
  CHECK_FALSE(s.findJournal("journald:other:").has_value());
  CHECK(s.journals().size() == 2);
}

TEST_CASE("checkpoints: a journal line without its key is corrupt", "[checkpoint]") {
  ScratchDir dir;
  {
    std::ofstream out(dir.path + "/checkpoints");
    out << "homeostasisd-checkpoints v3\n"
        << "journal\ts=abc;i=1\ts=abc;i=1\t12\n"
        << "end 1\n";
  }
  CheckpointStore s(dir.path);
  std::string err;
  CHECK_FALSE(s.load(&err));
  CHECK(err.find("corrupt") != std::string::npos);
  CHECK(s.journals().empty());
}

TEST_CASE("tracker: a journal cursor moves only once its batches are acknowledged",
          "[tracker][journald]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  t.setJournal(kKey, doneThrough(0));
  t.followJournal(kKey, pos(0, doneThrough(0)));
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == cursor(0); }));

  // Entries 0..9 read; records at entries 2 (batch 1), 5 (batch 2) and 8 (batch 3): each
  // reported at the position before which nothing is held, which is the record's own here.
  t.recordedJournal(kKey, pos(2, doneThrough(1)), 1);
  t.recordedJournal(kKey, pos(5, doneThrough(4)), 2);
  t.recordedJournal(kKey, pos(8, doneThrough(7)), 3);
  t.reachedJournal(kKey, pos(10, doneThrough(9)));
  CHECK(t.journalLag(kKey, 10) == 10u);

  t.acked(1);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == cursor(4); }));
  CHECK(t.journalLag(kKey, 10) == 5u);
  t.acked(2);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == cursor(7); }));
  // Batch 3 holds the last record; once it is acknowledged every entry read is done.
  t.acked(3);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == cursor(9); }));
  CHECK(t.journalLag(kKey, 10) == 0u);
}

TEST_CASE("tracker: a journal read from its head keeps no cursor until an entry is done",
          "[tracker][journald]") {
  Fixture fx;
  auto& [io, dir, t] = fx;
  t.followJournal(kKey, pos(0, {}));
  t.recordedJournal(kKey, pos(0, {}), 1);
  t.reachedJournal(kKey, pos(3, doneThrough(2)));
  t.commit();
  t.flush();
  CHECK_FALSE(onDisk(dir.path).has_value());
  t.acked(1);
  REQUIRE(runUntil(io, [&] { return onDisk(dir.path) == cursor(2); }));
  // The file's own checkpoints are untouched by the journal's.
  CheckpointStore s(dir.path);
  std::string err;
  REQUIRE(s.load(&err));
  CHECK(s.size() == 0u);
}
