#include <catch2/catch.hpp>

#include <vector>

#include "tail/start_position.h"
#include "tail_test_util.h"

using namespace homeo;
using homeo::testing::ScratchDir;

namespace {

const std::string kText(600, 'c');
const std::string kOtherText(600, 'o');
const Fingerprint kContent = ContentPrefix::of(kText).fingerprint();
const Fingerprint kOther = ContentPrefix::of(kOtherText).fingerprint();

NewFile fileWith(FileId id, uint64_t size, const std::string& text) {
  NewFile f;
  f.id = id;
  f.path = "/logs/app.log.1";
  f.size = size;
  f.content = ContentPrefix::of(text);
  return f;
}

}  // namespace

TEST_CASE("start: a file whose content matches its checkpoint resumes there", "[start]") {
  ScratchDir dir;
  CheckpointStore store(dir.path);
  store.set({1, 7, 300, kContent.len, kContent.hash, "/logs/app.log", 9000, 512, 0xfeed});
  NewFile f = fileWith({1, 7}, 1000, kText);
  f.matches_checkpoint = true;
  const StartDecision d = decideStart(f, store, {}, {});
  CHECK(d.offset == 300);
  CHECK_FALSE(d.replaced);
  CHECK_FALSE(d.handover_from);
  CHECK(d.previous_fp == Fingerprint{512, 0xfeed});
  CHECK(d.previous_offset == 9000);
  CHECK(d.note.empty());

  SECTION("a checkpoint past the end means the file was cut: read from the start") {
    f.size = 200;
    CHECK(decideStart(f, store, {}, {}).offset == 0);
  }
}

TEST_CASE("start: a known inode with other content drops its checkpoint", "[start]") {
  ScratchDir dir;
  CheckpointStore store(dir.path);
  store.set({1, 7, 300, kContent.len, kContent.hash, "/logs/app.log"});
  NewFile f = fileWith({1, 7}, 50, kOtherText);
  f.matches_checkpoint = false;
  const StartDecision d = decideStart(f, store, {}, {});
  CHECK(d.offset == 0);
  REQUIRE(d.replaced);
  CHECK(d.replaced->offset == 300);
  CHECK(d.note.find("new content under a known inode") != std::string::npos);
  CHECK(store.find(1, 7).has_value());  // decides only: the caller erases it

  SECTION("unless the inode was reused for a copy of content read before") {
    store.set({1, 2, 10, 0, 0, "/logs/app.log", 450, kOther.len, kOther.hash});
    const StartDecision copy = decideStart(fileWith({1, 7}, 600, kOtherText), store, {}, {});
    CHECK(copy.offset == 450);
    REQUIRE(copy.replaced);
    CHECK(copy.replaced->offset == 300);
    CHECK(copy.note.find("copy of what /logs/app.log held") != std::string::npos);
  }
}

TEST_CASE("start: a copy of a followed file", "[start]") {
  ScratchDir dir;
  CheckpointStore store(dir.path);
  std::vector<FollowedFile> followed = {{{1, 2}, "/logs/app.log", kContent, 4000, false, {}, 0}};

  SECTION("shorter than what was read: everything in it was read, start at its end") {
    const StartDecision d = decideStart(fileWith({1, 9}, 3000, kText), store, followed, {});
    CHECK(d.offset == 3000);
    CHECK_FALSE(d.handover_from);
    CHECK(d.note.find("all read") != std::string::npos);
  }
  SECTION("longer: it takes over where the original's records stop") {
    const StartDecision d = decideStart(fileWith({1, 9}, 5000, kText), store, followed, {});
    CHECK(d.offset == 4000);
    REQUIRE(d.handover_from);
    CHECK(*d.handover_from == FileId{1, 2});
    CHECK(d.handover_at == 4000);
  }
  SECTION("a gone original is not handed over from") {
    followed[0].gone = true;
    const StartDecision d = decideStart(fileWith({1, 9}, 5000, kText), store, followed, {});
    CHECK(d.offset == 0);
    CHECK_FALSE(d.handover_from);
  }
  SECTION("a copy of what a follower held before its truncation starts where that stopped") {
    followed[0].fp = kOther;
    followed[0].old_fp = kContent;
    followed[0].old_offset = 2500;
    CHECK(decideStart(fileWith({1, 9}, 5000, kText), store, followed, {}).offset == 2500);
    CHECK(decideStart(fileWith({1, 9}, 1000, kText), store, followed, {}).offset == 1000);
  }
  SECTION("a short fingerprint identifies no copy") {
    followed[0].fp = ContentPrefix::of(kText.substr(0, 20)).fingerprint();
    CHECK(decideStart(fileWith({1, 9}, 5000, kText), store, followed, {}).offset == 0);
  }
  SECTION("the original was shorter when it was last read: its fingerprint is a prefix") {
    followed[0].fp = ContentPrefix::of(kText.substr(0, 180)).fingerprint();
    followed[0].done = 180;
    const StartDecision d =
        decideStart(fileWith({1, 9}, 400, kText.substr(0, 400)), store, followed, {});
    CHECK(d.offset == 180);
    CHECK(d.handover_from);
  }
}

TEST_CASE("start: copies of checkpointed content", "[start]") {
  ScratchDir dir;
  CheckpointStore store(dir.path);

  SECTION("an orphan (truncated away while stopped) gives its offset") {
    const std::vector<Checkpoint> orphans = {
        {1, 2, 700, kContent.len, kContent.hash, "/logs/app.log"}};
    CHECK(decideStart(fileWith({1, 9}, 800, kText), store, {}, orphans).offset == 700);
    CHECK(decideStart(fileWith({1, 9}, 600, kText), store, {}, orphans).offset == 0);
  }
  SECTION("and so does what the orphan's file held before its own last truncation") {
    const std::vector<Checkpoint> orphans = {
        {1, 2, 40, kOther.len, kOther.hash, "/logs/app.log", 420, kContent.len, kContent.hash}};
    CHECK(decideStart(fileWith({1, 9}, 800, kText), store, {}, orphans).offset == 420);
  }
  SECTION("a checkpoint of a file not followed any more") {
    store.set({1, 2, 700, kContent.len, kContent.hash, "/logs/app.log"});
    CHECK(decideStart(fileWith({1, 9}, 800, kText), store, {}, {}).offset == 700);
    const std::vector<FollowedFile> followed = {
        {{1, 2}, "/logs/app.log", kOther, 10, false, {}, 0}};
    CHECK(decideStart(fileWith({1, 9}, 800, kText), store, followed, {}).offset == 0);
  }
  SECTION("what a checkpointed file held before its last truncation") {
    store.set(
        {1, 2, 10, kOther.len, kOther.hash, "/logs/app.log", 650, kContent.len, kContent.hash});
    CHECK(decideStart(fileWith({1, 9}, 800, kText), store, {}, {}).offset == 650);
  }
}

TEST_CASE("start: read_from end applies only without a checkpoint file", "[start]") {
  ScratchDir dir;
  NewFile f = fileWith({1, 9}, 900, kOtherText);
  f.read_from_end = true;
  f.size_at_start = 800;  // it grew while it settled: what came since is read
  {
    CheckpointStore store(dir.path);
    CHECK(decideStart(f, store, {}, {}).offset == 800);
    f.read_from_end = false;
    CHECK(decideStart(f, store, {}, {}).offset == 0);
    f.read_from_end = true;
    store.set({1, 2, 1, 0, 0, "/x"});
    std::string error;
    REQUIRE(store.save(&error));
  }
  CheckpointStore again(dir.path);
  std::string error;
  REQUIRE(again.load(&error));
  CHECK(decideStart(f, again, {}, {}).offset == 0);
}
