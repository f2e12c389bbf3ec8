#include "transports/append_file.h"

#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

using testing::readAll;

// Lowers this process's file size limit for one scope, so that a write past `bytes` is cut
// short (a partial write, then EFBIG): a disk filling up mid-batch.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit lower = saved_;
    lower.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &lower) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
};

TEST_CASE("AppendFile takes back a partial append by cutting its own file", "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "own.jsonl";
  AppendFile file(path.string(), true, AppendFile::Sharing::kExclusive, "test");
  std::string reason;
  off_t start = -1;
  REQUIRE(file.append("{\"a\":1}\n", reason, &start));
  CHECK(start == 0);
  {
    FileSizeLimit limit(12);
    CHECK_FALSE(file.append("{\"b\":2222222}\n", reason, &start));
  }
  CHECK(start == 8);
  CHECK_THAT(reason, Catch::Contains("write " + path.string()));
  CHECK(readAll(path) == "{\"a\":1}\n");
  REQUIRE(file.append("{\"c\":3}\n", reason));
  CHECK(readAll(path) == "{\"a\":1}\n{\"c\":3}\n");

  SECTION("truncate() takes back a whole append") {
    REQUIRE(file.append("{\"d\":4}\n", reason, &start));
    REQUIRE(file.truncate(start, reason));
    CHECK(readAll(path) == "{\"a\":1}\n{\"c\":3}\n");
    REQUIRE(file.append("{\"e\":5}\n", reason));
    CHECK(readAll(path) == "{\"a\":1}\n{\"c\":3}\n{\"e\":5}\n");
  }
}

TEST_CASE("AppendFile never cuts a shared file; it ends a partial line instead", "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "shared.log";
  std::ofstream(path) << "2024-03-11 09:20:00,000 - homeostasis - INFO - {}\n";
  const size_t theirs = readAll(path).size();
  AppendFile file(path.string(), true, AppendFile::Sharing::kShared, "test");
  std::string reason;
  {
    FileSizeLimit limit(theirs + 5);
    CHECK_FALSE(file.append("{\"b\":2222222}\n", reason));
  }
  CHECK(readAll(path).size() == theirs + 5);  // the other writer's lines are all there
  off_t start = 0;
  REQUIRE(file.append("{\"b\":2222222}\n", reason, &start));
  CHECK(start == static_cast<off_t>(theirs + 6));  // after the newline ending the partial line
  CHECK(readAll(path) ==
        "2024-03-11 09:20:00,000 - homeostasis - INFO - {}\n{\"b\":\n{\"b\":2222222}\n");
  REQUIRE(file.append("{}\n", reason, &start));
  CHECK_FALSE(file.truncate(start, reason));
  CHECK_THAT(reason, Catch::Contains("shared"));
}

TEST_CASE("AppendFile reports its size, creating the file", "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "new" / "x.jsonl";
  AppendFile file(path.string(), false, AppendFile::Sharing::kExclusive, "test");
  std::string reason;
  CHECK(file.size(reason) == 0);
  CHECK(fs::exists(path));
  REQUIRE(file.append("{}\n", reason));
  CHECK(file.size(reason) == 3);
}

}  // namespace
}  // namespace homeo
