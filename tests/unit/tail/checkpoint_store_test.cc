#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#include "tail/checkpoint_store.h"
#include "tail/checkpoint_writer.h"

using namespace homeo;

namespace {
std::string tempDir() {
  char tmpl[] = "/tmp/homeo-cp-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}
}  // namespace

TEST_CASE("checkpoints: save and load round trip", "[checkpoint]") {
  const std::string dir = tempDir();
  {
    CheckpointStore s(dir);
    std::string err;
    REQUIRE(s.load(&err));
    s.set({1, 2, 300, 0, 0, "/var/log/a.log"});
    s.set({1, 3, 0, 64, 0xabcdef, "/var/log/with\ttab.log"});
    REQUIRE(s.save(&err));
  }
  CheckpointStore s(dir);
  std::string err;
  REQUIRE(s.load(&err));
  CHECK(s.find(1, 2)->offset == 300u);
  CHECK(s.find(1, 3)->offset == 0u);
  CHECK(s.find(1, 3)->fp_hash == 0xabcdefu);
  CHECK(s.find(1, 3)->fp_len == 64u);
  CHECK(s.existed());
  CHECK_FALSE(s.find(9, 9).has_value());
}

TEST_CASE("checkpoints: the content before a truncation is kept and found", "[checkpoint]") {
  const std::string dir = tempDir();
  {
    CheckpointStore s(dir);
    std::string err;
    REQUIRE(s.load(&err));
    s.set({1, 2, 40, 40, 0x1234, "/var/log/a.log", 9000, 512, 0xfeed});
    REQUIRE(s.save(&err));
  }
  CheckpointStore s(dir);
  std::string err;
  REQUIRE(s.load(&err));
  const auto cp = s.find(1, 2);
  REQUIRE(cp.has_value());
  CHECK(cp->prev_offset == 9000u);
  CHECK(cp->prev_fp_len == 512u);
  CHECK(cp->prev_fp_hash == 0xfeedu);
  CHECK(cp->fp_len == 40u);
  CHECK(cp->fp_hash == 0x1234u);
}

TEST_CASE("checkpoints: a file written by the first version is still read", "[checkpoint]") {
  const std::string dir = tempDir();
  {
    std::ofstream out(dir + "/checkpoints");
    out << "homeostasisd-checkpoints v1\n"
        << "1\t2\t300\t64\t0000000000abcdef\t/var/log/a.log\n"
        << "end 1\n";
  }
  CheckpointStore s(dir);
  std::string err;
  REQUIRE(s.load(&err));
  REQUIRE(s.find(1, 2).has_value());
  CHECK(s.find(1, 2)->offset == 300u);
  CHECK(s.find(1, 2)->fp_hash == 0xabcdefu);
  CHECK(s.find(1, 2)->path == "/var/log/a.log");
  CHECK(s.find(1, 2)->prev_fp_len == 0u);
}

TEST_CASE("checkpoints: a file cut in half is set aside, not fatal", "[checkpoint]") {
  const std::string dir = tempDir();
  {
    CheckpointStore s(dir);
    std::string err;
    for (uint64_t i = 0; i < 50; ++i) s.set({1, i, i * 10, 0, 0, "/x/" + std::to_string(i)});
    REQUIRE(s.save(&err));
  }
  const std::string file = dir + "/checkpoints";
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  REQUIRE(::truncate(file.c_str(), st.st_size / 2) == 0);
  CheckpointStore s(dir);
  std::string err;
  CHECK_FALSE(s.load(&err));
  CHECK(err.find("corrupt") != std::string::npos);
  CHECK(s.size() == 0);
  CHECK(::access((file + ".corrupt").c_str(), F_OK) == 0);
  // And the next save works again.
  s.set({1, 1, 5, 0, 0, "/x"});
  REQUIRE(s.save(&err));
  CheckpointStore again(dir);
  REQUIRE(again.load(&err));
  CHECK(again.find(1, 1)->offset == 5u);
}

TEST_CASE("state dir: created when missing, refused when not writable", "[checkpoint]") {
  const std::string dir = tempDir() + "/a/b";
  std::string err;
  CHECK(prepareStateDir(dir, &err));
  if (::geteuid() != 0) {
    REQUIRE(::chmod(dir.c_str(), 0500) == 0);
    CHECK_FALSE(prepareStateDir(dir, &err));
  }
  CHECK_FALSE(prepareStateDir("/proc/homeostasisd-state", &err));
  CHECK_FALSE(err.empty());
}

TEST_CASE("checkpoint writer: writes the newest snapshot off the caller's thread", "[checkpoint]") {
  const std::string dir = tempDir();
  CheckpointStore store(dir);
  std::string err;
  REQUIRE(store.load(&err));
  std::mutex mu;
  uint64_t reported = 0;
  CheckpointWriter writer(dir, store.path(), [&](uint64_t tag) {
    std::lock_guard lock(mu);
    reported = std::max(reported, tag);
  });
  // Nothing to write and nothing being written: covered at once.
  CHECK(writer.submit(std::nullopt, 7));
  for (uint64_t i = 1; i <= 100; ++i) {
    store.set({1, 2, i * 10, 0, 0, "/var/log/a.log"});
    auto data = store.snapshot();
    REQUIRE(data.has_value());
    CHECK_FALSE(writer.submit(std::move(*data), i));
  }
  CHECK_FALSE(store.snapshot().has_value());  // nothing changed since
  writer.flush();
  CHECK(writer.writes() >= 1);
  CHECK(writer.writes() <= 100);
  CHECK(writer.failures() == 0);
  {
    std::lock_guard lock(mu);
    CHECK(reported == 100u);
  }
  CheckpointStore reread(dir);
  REQUIRE(reread.load(&err));
  CHECK(reread.find(1, 2)->offset == 1000u);
}

TEST_CASE("checkpoint writer: a failed write is counted and the last snapshot still lands",
          "[checkpoint]") {
  const std::string dir = tempDir();
  const std::string sub = dir + "/state";
  // The directory does not exist yet: writes fail until it does.
  CheckpointWriter writer(sub, sub + "/checkpoints");
  writer.submit("homeostasisd-checkpoints v2\nend 0\n", 1);
  writer.flush();
  CHECK(writer.failures() >= 1);
  CHECK(writer.writes() == 0);
  REQUIRE(::mkdir(sub.c_str(), 0750) == 0);
  writer.stop();  // retries what is waiting once more before it returns
  CHECK(writer.writes() == 1);
  CheckpointStore s(sub);
  std::string err;
  CHECK(s.load(&err));
}
