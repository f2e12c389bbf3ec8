#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "tailer_harness.h"

using namespace homeo;
using homeo::testing::TailerHarness;

TEST_CASE("tailer: follows a file from its start and what is appended", "[tailer]") {
  TailerHarness h({{"app.log"}});
  h.write("app.log", 3);
  h.start();
  h.sync();
  h.write("app.log", 4);
  h.sync();
  CHECK(h.duplicates() == 0);
  CHECK(h.tailer().files() == 1);
  CHECK(h.tailer().counters().begin()->second.lines == 7);
}

TEST_CASE("tailer: a renamed file is read to its end, then closed", "[tailer]") {
  TailerHarness h({{"app.log"}});
  h.start();
  h.write("app.log", 2);
  h.sync();
  REQUIRE(std::rename(h.log("app.log").c_str(), h.log("app.log.1").c_str()) == 0);
  h.write("app.log", 2);
  h.sync();
  h.runUntilTrue([&] { return h.tailer().files() == 1; }, "the rotated file is closed");
  CHECK(h.duplicates() == 0);
}

TEST_CASE("tailer: after a copytruncate the unread lines come from the copy", "[tailer]") {
  const bool copy_matched = GENERATE(false, true);
  INFO("the globs match the copy: " << copy_matched);
  TailerHarness h(
      {copy_matched ? std::vector<std::string>{"app.log*"} : std::vector<std::string>{"app.log"}});
  h.start();
  h.write("app.log", 3);
  h.sync();
  h.tailer().pause();  // the next lines are not read before the rotation
  h.write("app.log", 3);
  std::ofstream(h.log("app.log.1")) << homeo::testing::readAll(h.log("app.log"));
  homeo::testing::truncateFile(h.log("app.log"));
  h.write("app.log", 2);
  h.tailer().resume();
  h.sync();
  CHECK(h.duplicates() == 0);
}

TEST_CASE("tailer: a restart neither rereads nor skips", "[tailer]") {
  TailerHarness h({{"app.log*"}});
  h.start();
  h.write("app.log", 7);
  h.sync();
  h.stop();
  h.write("app.log", 3);
  REQUIRE(std::rename(h.log("app.log").c_str(), h.log("app.log.1").c_str()) == 0);
  h.write("app.log", 2);  // rotated while stopped
  h.start();
  h.sync();
  CHECK(h.duplicates() == 0);
}

TEST_CASE("tailer: a kill repeats at most the batch being delivered", "[tailer]") {
  TailerHarness h({{"app.log"}});
  h.start();
  h.write("app.log", 23);
  for (int i = 0; i < 3; ++i) h.step();
  h.kill();
  h.start();
  h.sync();
  CHECK(h.duplicates() <= h.batchSize());
}
