#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include "daemon/checkpoint_store.h"

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
  CHECK(s.findByFingerprint(64, 0xabcdef)->ino == 3u);
  CHECK(s.existed());
  CHECK_FALSE(s.find(9, 9).has_value());
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
