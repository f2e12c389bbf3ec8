#include <unistd.h>
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "journal/journal_reader.h"
#include "tests/unit/test_support.h"

using namespace homeo;
using homeo::testing::runUntil;
using homeo::testing::ScratchDir;

namespace {

constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";
constexpr const char* kBoot = "0123456789abcdef0123456789abcdef";

struct Written {
  std::string unit;
  int pid;
  std::string message;
};

// Appends entries to dir/x.journal as systemd-journal-remote writes them from the export
// format; false when it is not installed.
bool writeJournal(const ScratchDir& dir, const std::vector<Written>& entries, int& clock) {
  if (::access(kJournalRemote, X_OK) != 0) return false;
  const std::string exp = dir / "entries.export";
  {
    std::ofstream out(exp, std::ios::binary);
    for (const Written& e : entries) {
      ++clock;
      out << "__REALTIME_TIMESTAMP=" << 1700000000000000 + clock << "\n"
          << "__MONOTONIC_TIMESTAMP=" << 1000 + clock << "\n"
          << "_BOOT_ID=" << kBoot << "\n"
          << "_SYSTEMD_UNIT=" << e.unit << "\n"
          << "_PID=" << e.pid << "\n_COMM=app\n_HOSTNAME=web01\nPRIORITY=3\n"
          << "MESSAGE=" << e.message << "\n\n";
    }
  }
  const std::string cmd = std::string(kJournalRemote) + " --output=" + (dir / "x.journal") +
                          " - < " + exp + " 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

JournalReader::Start from(JournalReader::Start::Kind kind, std::string cursor = {}) {
  JournalReader::Start s;
  s.kind = kind;
  s.cursor = std::move(cursor);
  return s;
}

struct Reading {
  boost::asio::io_context io;
  std::vector<JournalEntry> got;
  int turns = 0;
  JournalReader reader;
  Reading(const std::string& dir, std::vector<std::string> units)
      : reader(
            io.get_executor(), JournalReader::Options{dir, std::move(units), 1 << 20},
            [this](const JournalEntry& e) { got.push_back(e); }, [this] { ++turns; }) {}
};

}  // namespace

TEST_CASE("journal reader: entries, unit matches, cursors, appended entries", "[journal]") {
  ScratchDir dir;
  int clock = 0;
  if (!writeJournal(
          dir, {{"a.service", 10, "one"}, {"b.service", 11, "two"}, {"a.service", 10, "three"}},
          clock)) {
    WARN("systemd-journal-remote is not installed: the journal reader is not tested");
    return;
  }

  SECTION("every entry from the head, then what is appended") {
    Reading r(dir.path, {});
    std::string error;
    REQUIRE(r.reader.open(&error));
    r.reader.start(from(JournalReader::Start::Kind::kHead));
    REQUIRE(runUntil(r.io, [&] { return r.got.size() == 3; }));
    CHECK(r.got[0].message == "one");
    CHECK(r.got[0].has_message);
    CHECK(r.got[0].unit == "a.service");
    CHECK(r.got[0].pid == "10");
    CHECK(r.got[0].comm == "app");
    CHECK(r.got[0].hostname == "web01");
    CHECK(r.got[0].boot_id == kBoot);
    CHECK(r.got[0].priority == 3);
    CHECK(r.got[0].realtime_usec == 1700000000000001u);
    CHECK(r.got[0].cursor.rfind("s=", 0) == 0);
    CHECK(r.got[1].message == "two");
    // Woken by the journal's descriptor when entries are appended.
    REQUIRE(writeJournal(dir, {{"b.service", 11, "four"}}, clock));
    REQUIRE(runUntil(r.io, [&] { return r.got.size() == 4; }));
    CHECK(r.got[3].message == "four");
    CHECK(r.reader.entries() == 4u);
  }

  SECTION("a unit filter keeps the other units out") {
    Reading r(dir.path, {"a.service"});
    std::string error;
    REQUIRE(r.reader.open(&error));
    r.reader.start(from(JournalReader::Start::Kind::kHead));
    REQUIRE(runUntil(r.io, [&] { return r.turns > 0 && r.got.size() >= 2; }));
    REQUIRE(writeJournal(dir, {{"b.service", 11, "b again"}, {"a.service", 10, "a again"}}, clock));
    REQUIRE(runUntil(r.io, [&] { return r.got.size() == 3; }));
    CHECK(r.got[0].message == "one");
    CHECK(r.got[1].message == "three");
    CHECK(r.got[2].message == "a again");
  }

  SECTION("after a cursor: the entry itself is done, the next ones are read") {
    std::string second;
    {
      Reading r(dir.path, {});
      std::string error;
      REQUIRE(r.reader.open(&error));
      r.reader.start(from(JournalReader::Start::Kind::kHead));
      REQUIRE(runUntil(r.io, [&] { return r.got.size() == 3; }));
      second = r.got[1].cursor;
    }
    Reading r(dir.path, {});
    std::string error;
    REQUIRE(r.reader.open(&error));
    r.reader.start(from(JournalReader::Start::Kind::kAfterCursor, second));
    REQUIRE(runUntil(r.io, [&] { return r.got.size() == 1 && r.turns > 0; }));
    CHECK(r.got[0].message == "three");
  }

  SECTION("entries done after the resume cursor are handed on as done, held ones read") {
    std::vector<std::string> cursors;
    {
      Reading r(dir.path, {});
      std::string error;
      REQUIRE(r.reader.open(&error));
      r.reader.start(from(JournalReader::Start::Kind::kHead));
      REQUIRE(runUntil(r.io, [&] { return r.got.size() == 3; }));
      for (const auto& e : r.got) cursors.push_back(e.cursor);
    }
    Reading r(dir.path, {});
    std::string error;
    REQUIRE(r.reader.open(&error));
    // "one" is done; "two" was held (its record not acknowledged); "three" done.
    JournalReader::Start start = from(JournalReader::Start::Kind::kAfterCursor, cursors[0]);
    start.done = cursors[2];
    start.done_realtime_usec = 1700000000000003;
    start.held = {cursors[1]};
    r.reader.start(start);
    REQUIRE(runUntil(r.io, [&] { return r.got.size() == 2 && r.turns > 0; }));
    CHECK(r.got[0].has_message);
    CHECK(r.got[0].message == "two");
    CHECK_FALSE(r.got[1].has_message);
    CHECK(r.got[1].cursor == cursors[2]);
    // What comes after `done` is read as usual.
    REQUIRE(writeJournal(dir, {{"a.service", 10, "five"}}, clock));
    REQUIRE(runUntil(r.io, [&] { return r.got.size() == 3; }));
    CHECK(r.got[2].message == "five");
  }

  SECTION("from the tail: the last entry's cursor, then only new entries") {
    Reading r(dir.path, {});
    std::string error;
    REQUIRE(r.reader.open(&error));
    const auto tail = r.reader.start(from(JournalReader::Start::Kind::kTail));
    REQUIRE(tail.has_value());
    REQUIRE(writeJournal(dir, {{"a.service", 10, "after start"}}, clock));
    REQUIRE(runUntil(r.io, [&] { return r.got.size() == 1; }));
    CHECK(r.got[0].message == "after start");
  }
}

TEST_CASE("journal reader: a directory that cannot be opened is an error", "[journal]") {
  boost::asio::io_context io;
  JournalReader reader(
      io.get_executor(), {"/nonexistent/journal/dir", {}, 1 << 20}, [](const JournalEntry&) {},
      [] {});
  std::string error;
  CHECK_FALSE(reader.open(&error));
  CHECK(error.find("cannot open journal directory /nonexistent/journal/dir") != std::string::npos);
  CHECK_FALSE(reader.isOpen());
}
