#include <fcntl.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <vector>

#include "collecting_sink.h"
#include "tail/file_follower.h"
#include "tail_test_util.h"

using namespace homeo;
using homeo::testing::appendTo;
using homeo::testing::CollectingSink;
using homeo::testing::ScratchDir;
using Step = FileFollower::Step;
using Clock = FileFollower::Clock;

namespace {

struct Fixture {
  ScratchDir dir;
  std::string path = dir / "app.log";
  CollectingSink* sink = nullptr;
  ReadCounters counters;
  std::vector<char> buf = std::vector<char>(16);
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);

  std::unique_ptr<FileFollower> follow(uint64_t offset = 0) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    auto s = std::make_unique<CollectingSink>();
    sink = s.get();
    FileFollower::Start start{FileId{st.st_dev, st.st_ino},
                              path,
                              fd,
                              offset,
                              readFingerprint(fd).value_or(Fingerprint{}),
                              {},
                              0};
    return std::make_unique<FileFollower>(
        start, FileFollower::Settings{1024, std::chrono::seconds(5)}, std::move(s), &counters, now);
  }
  // Reads until the follower has nothing more; returns the last step.
  Step drain(FileFollower& f) {
    Step step;
    for (int i = 0; i < 1000; ++i) {
      step = f.read(buf, now);
      if (step != Step::kMore) return step;
    }
    FAIL("the follower never stopped reading");
    return step;
  }
};

}  // namespace

TEST_CASE("follower: reads lines in bounded chunks, with their offsets", "[follower]") {
  Fixture fx;
  appendTo(fx.path, "first line\nsecond line\nthird");
  auto f = fx.follow();
  CHECK(f->read(fx.buf, fx.now) == Step::kMore);  // 16 of 28 bytes
  CHECK(fx.drain(*f) == Step::kIdle);
  REQUIRE(fx.sink->texts() == std::vector<std::string>{"first line", "second line"});
  CHECK(fx.sink->lines[1].offset == 11);
  CHECK(fx.sink->lines[1].end == 23);
  CHECK(f->hasPartialLine());
  CHECK(f->readOffset() == 28);
  CHECK(f->done() == 23);
  CHECK(fx.counters.bytes == 28);
  CHECK(fx.counters.lines == 2);

  f->finishPartialLine();
  CHECK(fx.sink->texts().back() == "third");
  CHECK(f->done() == 28);
  CHECK(f->position().fp.len == 28);  // grows with the file up to kFingerprintBytes
}

TEST_CASE("follower: starts at the offset it is given", "[follower]") {
  Fixture fx;
  appendTo(fx.path, "old\nnew\n");
  auto f = fx.follow(4);
  CHECK(fx.drain(*f) == Step::kIdle);
  CHECK(fx.sink->texts() == std::vector<std::string>{"new"});
}

TEST_CASE("follower: a truncation is noticed, and the file read again from its start",
          "[follower]") {
  Fixture fx;
  const std::string head(100, 'a');
  appendTo(fx.path, head + "\nline two\n");
  auto f = fx.follow();
  fx.drain(*f);
  const Fingerprint before = f->fingerprint();
  REQUIRE(before.len >= kMinCopyFingerprintBytes);

  ::truncate(fx.path.c_str(), 0);
  appendTo(fx.path, "fresh\n");
  CHECK(f->read(fx.buf, fx.now) == Step::kIdle);  // not checked without a reason
  f->verifyNext();
  CHECK(f->read(fx.buf, fx.now) == Step::kTruncated);
  f->restart();
  CHECK(f->previousFingerprint() == before);
  CHECK(f->previousOffset() == 110);
  CHECK(f->readOffset() == 0);
  fx.drain(*f);
  CHECK(fx.sink->texts().back() == "fresh");
}

TEST_CASE("follower: after a copytruncate the last lines come from the copy", "[follower]") {
  Fixture fx;
  const std::string head(100, 'a');
  appendTo(fx.path, head + "\n");
  auto f = fx.follow();
  fx.drain(*f);
  // Lines written after the last read, then logrotate copies and truncates.
  appendTo(fx.path, "late 1\nlate 2\n");
  // logrotate's copytruncate: a copy under a new name, then the original truncated.
  const std::string copy = fx.dir / "app.log.1";
  std::ofstream(copy) << testing::readAll(fx.path);
  ::truncate(fx.path.c_str(), 0);
  appendTo(fx.path, "after\n");

  f->verifyNext();
  REQUIRE(f->read(fx.buf, fx.now) == Step::kTruncated);
  REQUIRE(f->readCopy(copy));
  CHECK(f->readingCopy());
  Step step = Step::kMore;
  for (int i = 0; i < 100 && step != Step::kRestarted; ++i) step = f->read(fx.buf, fx.now);
  REQUIRE(step == Step::kRestarted);
  CHECK_FALSE(f->readingCopy());
  fx.drain(*f);
  CHECK(fx.sink->texts() == std::vector<std::string>{head, "late 1", "late 2", "after"});
}

TEST_CASE("follower: an idle file is closed and opened again, also under a new name",
          "[follower]") {
  Fixture fx;
  appendTo(fx.path, "one\n");
  auto f = fx.follow();
  fx.drain(*f);
  f->closeIdle();
  CHECK_FALSE(f->isOpen());
  appendTo(fx.path, "two\n");
  fx.drain(*f);
  CHECK(f->isOpen());
  CHECK(fx.sink->texts().back() == "two");

  f->closeIdle();
  const std::string moved = fx.dir / "app.log.1";
  REQUIRE(std::rename(fx.path.c_str(), moved.c_str()) == 0);
  appendTo(fx.path, "someone else's\n");  // a new file under the old name
  CHECK(f->read(fx.buf, fx.now) == Step::kMissing);
  CHECK_FALSE(f->reopenAt(fx.path));  // another inode
  REQUIRE(f->reopenAt(moved));
  CHECK(f->path() == moved);
  appendTo(moved, "three\n");
  fx.drain(*f);
  CHECK(fx.sink->texts().back() == "three");
}

TEST_CASE("follower: a file handed over to its copy reads nothing until truncated", "[follower]") {
  Fixture fx;
  appendTo(fx.path, "kept\nheld back\n");
  auto f = fx.follow();
  fx.sink->hold = true;
  fx.drain(*f);
  REQUIRE(f->holdsEvent());
  f->handOver(5, fx.now);  // the copy reads from offset 5
  CHECK_FALSE(f->holdsEvent());
  CHECK(f->done() == 5);
  appendTo(fx.path, "more\n");
  CHECK(f->read(fx.buf, fx.now) == Step::kIdle);
  CHECK(fx.sink->texts() == std::vector<std::string>{"kept"});

  SECTION("its truncation ends the wait") {
    ::truncate(fx.path.c_str(), 0);
    CHECK(f->read(fx.buf, fx.now) == Step::kTruncated);
    CHECK_FALSE(f->handedOver());
  }
  SECTION("without one, it reads on after rotate_wait") {
    fx.now += std::chrono::seconds(6);
    fx.drain(*f);
    fx.sink->flush();
    CHECK(fx.sink->texts() == std::vector<std::string>{"kept", "held back", "more"});
  }
}
