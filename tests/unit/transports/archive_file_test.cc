#include "transports/homeostasis/archive_file.h"

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

TEST_CASE("ArchiveFile rotates by size and keeps the newest files", "[transports][homeostasis]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "errors.log.archive";
  ArchiveFile archive(path.string(), 20, 2);
  std::string reason;
  off_t start = -1;
  auto append = [&](const std::string& lines) { REQUIRE(archive.append(lines, start, reason)); };
  append("aaaaaaaa\n");  // 9 bytes
  append("bbbbbbbb\n");  // 18
  CHECK(start == 9);
  append("cccccccc\n");  // would be 27: PATH becomes PATH.1
  CHECK(start == 0);
  CHECK(readAll(path) == "cccccccc\n");
  CHECK(readAll(archive.rotatedPath(1)) == "aaaaaaaa\nbbbbbbbb\n");
  append("dddddddd\n");
  append("eeeeeeee\n");
  CHECK(readAll(path) == "eeeeeeee\n");
  CHECK(readAll(archive.rotatedPath(1)) == "cccccccc\ndddddddd\n");
  CHECK(readAll(archive.rotatedPath(2)) == "aaaaaaaa\nbbbbbbbb\n");
  append("ffffffff\ngggggggg\n");
  append("0123456789012345678901234\n");  // larger than max_bytes: whole, in a file of its own
  CHECK(readAll(path) == "0123456789012345678901234\n");
  CHECK(readAll(archive.rotatedPath(1)) == "ffffffff\ngggggggg\n");
  CHECK(readAll(archive.rotatedPath(2)) == "eeeeeeee\n");
  CHECK_FALSE(fs::exists(archive.rotatedPath(3)));  // the oldest files are gone

  SECTION("truncate() takes back the last append, also one into a file just rotated") {
    append("hhhh\n");
    REQUIRE(archive.truncate(start, reason));
    CHECK(readAll(path).empty());
    CHECK(readAll(archive.rotatedPath(1)) == "0123456789012345678901234\n");
    ArchiveFile roomy(path.string(), 40, 2);
    REQUIRE(roomy.append("iiii\n", start, reason));
    REQUIRE(roomy.append("jjjj\n", start, reason));
    CHECK(start == 5);
    REQUIRE(roomy.truncate(start, reason));
    CHECK(readAll(path) == "iiii\n");
  }
  SECTION("a new archive object goes on with the file as it is") {
    ArchiveFile again(path.string(), 40, 2);
    REQUIRE(again.append("iiii\n", start, reason));
    CHECK(start == 26);
    CHECK(readAll(path) == "0123456789012345678901234\niiii\n");
  }
}

}  // namespace
}  // namespace homeo
