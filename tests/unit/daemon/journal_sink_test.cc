#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "daemon/journal_sink.h"
#include "parsers/parser.h"
#include "parsers/parser_set.h"

using namespace homeo;
using namespace std::chrono_literals;

namespace {

const ParserSet& parsers() {
  static const std::unique_ptr<ParserSet> set = [] {
    ParserRegistry reg;
    registerBuiltinParsers(reg);
    std::vector<config::Diagnostic> diags;
    return ParserSet::create(reg, {}, diags);
  }();
  return *set;
}

struct Shipped {
  ErrorRecord record;
  JournalPosition pos;
};

// A sink over the built-in formats, collecting what it ships, with a clock of its own.
struct Fixture {
  ParseTotals totals;
  std::vector<Shipped> shipped;
  JournalSink::Clock::time_point now{};
  int serial = 0;
  std::unique_ptr<JournalSink> sink;

  explicit Fixture(JournalSinkSettings s = {}, std::string start = "c-start") {
    s.service = "shop";
    s.host = "web01";
    sink = std::make_unique<JournalSink>(
        parsers(), s, JournalCheckpoint{start, start, 0, {}},
        [this](ErrorRecord& r) {
          shipped.push_back({r, sink->position()});
        },
        totals);
  }

  // Adds an entry of unit/pid; its cursor is "c<number>".
  void add(const std::string& message, int priority = 6, const std::string& pid = "100",
           const std::string& unit = "checkout.service") {
    JournalEntry e;
    e.cursor = "c" + std::to_string(serial++);
    e.realtime_usec = 1700000000000000 + serial;
    e.has_message = true;
    e.message = message;
    e.priority = priority;
    e.pid = pid;
    e.comm = "python3";
    e.unit = unit;
    e.hostname = "web01";
    e.boot_id = "b0";
    sink->add(e, now);
  }
  void quiet(std::chrono::milliseconds d) {
    now += d;
    sink->tick(now);
  }
};

const JsonValue* field(const JsonObject& o, std::string_view key) { return findField(o, key); }

std::string str(const JsonObject& o, std::string_view key) {
  const JsonValue* v = findField(o, key);
  return v && v->asString() ? *v->asString() : "<none>";
}

}  // namespace

TEST_CASE("journal sink: a traceback logged entry by entry is one record", "[journald]") {
  Fixture fx;
  fx.add("handling request");
  fx.add("Traceback (most recent call last):", 3);
  fx.add("  File \"/app/api.py\", line 42, in get_user", 3);
  fx.add("    return users[user_id]", 3);
  fx.add("KeyError: 'user_id'", 3);
  CHECK(fx.shipped.empty());
  // Held while the event may go on (and the format is still to be detected): a restart would
  // read every entry again.
  JournalPosition open = fx.sink->position();
  CHECK(open.entries == 5u);
  CHECK(open.at.resume == "c-start");
  CHECK(open.at.done == "c4");
  CHECK(open.at.held == std::vector<std::string>{"c0", "c1", "c2", "c3", "c4"});
  fx.quiet(600ms);
  REQUIRE(fx.shipped.size() == 1);
  const ErrorRecord& r = fx.shipped[0].record;
  CHECK(r.exception_type == "KeyError");
  CHECK(r.traceback.size() == 4);
  CHECK(r.level == Level::kError);
  CHECK(r.service == "shop");
  // The time and cursor are the first entry's.
  CHECK(r.time == (1700000000000000 + 2) * 1000);
  CHECK(str(r.source, "type") == "journald");
  CHECK(str(r.source, "unit") == "checkout.service");
  CHECK(str(r.source, "cursor") == "c1");
  const JsonValue* journal = field(r.context, "journal");
  REQUIRE(journal);
  REQUIRE(journal->asObject());
  CHECK(str(*journal->asObject(), "comm") == "python3");
  CHECK(str(*journal->asObject(), "boot_id") == "b0");
  CHECK(str(*journal->asObject(), "hostname") == "web01");
  CHECK(field(*journal->asObject(), "pid") != nullptr);
  // Shipped while its own entries were held: they are read again after a crash before its
  // batch is acknowledged; the INFO line before it is done.
  CHECK(fx.shipped[0].pos.at.resume == "c0");
  CHECK(fx.shipped[0].pos.at.done == "c4");
  CHECK(fx.shipped[0].pos.at.held == std::vector<std::string>{"c1", "c2", "c3", "c4"});
  // Once complete, nothing is held.
  const JournalPosition done = fx.sink->position();
  CHECK(done.at.held.empty());
  CHECK(done.at.resume == "c4");
  CHECK(done.at.done == "c4");
  CHECK(done.offset > open.offset);
}

TEST_CASE("journal sink: PRIORITY gives the level where the message has none", "[journald]") {
  Fixture fx;
  fx.add("payment gateway refused card", 3);  // err
  fx.add("cache warmed", 6);                  // info: below ERROR
  fx.add("INFO all good", 2);                 // its own level wins over crit
  fx.add("ERROR: ledger out of balance", 6);  // and here too
  fx.add("disk on fire", 0);                  // emerg
  fx.quiet(600ms);
  REQUIRE(fx.shipped.size() == 3);
  CHECK(fx.shipped[0].record.message == "payment gateway refused card");
  CHECK(fx.shipped[0].record.level == Level::kError);
  CHECK(fx.shipped[1].record.message == "ledger out of balance");
  CHECK(fx.shipped[1].record.level == Level::kError);
  CHECK(fx.shipped[2].record.level == Level::kCritical);
  CHECK(fx.sink->stats().below_level == 2u);  // "cache warmed" and "INFO all good"
}

TEST_CASE("journal sink: processes are assembled apart, and what each holds is held",
          "[journald]") {
  Fixture fx;
  fx.add("Traceback (most recent call last):", 3, "100");
  fx.add("worker A failed hard", 3, "200");
  fx.add("  File \"/app/a.py\", line 1, in f", 3, "100");
  fx.add("ValueError: bad", 3, "100");
  fx.add("worker B failed hard", 3, "200");
  // Both are held (detection samples, pid 100's open traceback).
  CHECK(fx.sink->position().at.resume == "c-start");
  CHECK(fx.sink->position().at.held.size() == 5u);
  fx.quiet(600ms);
  REQUIRE(fx.shipped.size() == 3);
  size_t tracebacks = 0;
  for (const auto& s : fx.shipped) {
    if (s.record.exception_type == "ValueError") {
      ++tracebacks;
      CHECK(s.record.traceback.size() == 3);
      CHECK(str(s.record.source, "cursor") == "c0");
    }
  }
  CHECK(tracebacks == 1);
  CHECK(fx.sink->sources() == 2u);
  CHECK(fx.sink->position().at.held.empty());
  CHECK(fx.sink->position().at.done == "c4");
}

TEST_CASE("journal sink: a message of several lines is read as lines", "[journald]") {
  Fixture fx;
  fx.add(
      "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in <module>\n"
      "ZeroDivisionError: division by zero\n",
      6);
  fx.quiet(600ms);
  REQUIRE(fx.shipped.size() == 1);
  CHECK(fx.shipped[0].record.exception_type == "ZeroDivisionError");
  CHECK(fx.shipped[0].record.traceback.size() == 3);
}

TEST_CASE("journal sink: record ids come from cursors, not from entry numbers", "[journald]") {
  // The same entry read in two runs that number it differently gets the same id.
  Fixture a, b;
  a.add("payment gateway refused card", 3);
  b.serial = 0;
  b.add("some earlier line", 6, "300");
  b.serial = 0;  // the same cursor as a's entry, at entry number 1
  b.add("payment gateway refused card", 3);
  a.quiet(600ms);
  b.quiet(600ms);
  REQUIRE(a.shipped.size() == 1);
  REQUIRE(b.shipped.size() == 1);
  CHECK(a.shipped[0].record.error_id == b.shipped[0].record.error_id);
  CHECK(a.shipped[0].record.error_id.size() == 36);
}

TEST_CASE("journal sink: idle sources are forgotten, and their number is bounded", "[journald]") {
  JournalSinkSettings s;
  s.idle_source = 10s;
  s.max_sources = 3;
  Fixture fx(s);
  for (int pid = 1; pid <= 5; ++pid) fx.add("worker failed hard", 3, std::to_string(pid));
  CHECK(fx.sink->sources() == 3u);
  // The two evicted were completed first, not dropped, while the entry that made room for
  // itself was not read yet.
  REQUIRE(fx.shipped.size() == 2u);
  CHECK(fx.shipped[0].pos.at.done == "c2");
  CHECK(fx.shipped[1].pos.at.done == "c3");
  fx.quiet(600ms);
  CHECK(fx.shipped.size() == 5u);
  fx.quiet(11s);
  CHECK(fx.sink->sources() == 0u);
  CHECK(fx.totals.sum().events == 5u);
}

TEST_CASE("journal sink: entries without a message only move the position", "[journald]") {
  Fixture fx;
  JournalEntry e;
  e.cursor = "c-nomsg";
  fx.sink->add(e, fx.now);
  CHECK(fx.sink->stats().without_message == 1u);
  CHECK(fx.sink->position().entries == 1u);
  CHECK(fx.sink->position().at.done == "c-nomsg");
  CHECK(fx.sink->position().at.resume == "c-nomsg");
  CHECK(fx.sink->position().at.held.empty());
}

TEST_CASE("journal sink: a line longer than max_line_bytes is cut and counted", "[journald]") {
  JournalSinkSettings s;
  s.max_line_bytes = 1024;
  Fixture fx(s);
  fx.add("ERROR " + std::string(5000, 'x'), 3);
  fx.quiet(600ms);
  REQUIRE(fx.shipped.size() == 1);
  CHECK(fx.sink->stats().truncated == 1u);
  CHECK(fx.shipped[0].record.raw_log.size() == 1024u);
}

TEST_CASE("journal sink: a process's held entries among another's done ones", "[journald]") {
  JournalSinkSettings s;
  s.format = "text";  // no detection sample: what is held is the open events alone
  Fixture fx(s);
  fx.add("Traceback (most recent call last):", 3, "100");  // c0
  fx.add("worker B failed hard", 3, "200");                // c1
  fx.add("worker B failed again", 3, "200");               // c2: completes c1
  fx.add("  File \"/app/a.py\", line 1, in f", 3, "100");  // c3
  REQUIRE(fx.shipped.size() == 1);
  // c1's record was made as c2 came in: c0 (pid 100's traceback), c1 itself and c2 were held.
  CHECK(fx.shipped[0].pos.at.held == std::vector<std::string>{"c0", "c1", "c2"});
  CHECK(fx.shipped[0].pos.at.done == "c2");
  const JournalPosition p = fx.sink->position();
  CHECK(p.at.resume == "c-start");
  CHECK(p.at.done == "c3");
  // c1 is done; c2 (pid 200's open line) and pid 100's traceback are read again.
  CHECK(p.at.held == std::vector<std::string>{"c0", "c2", "c3"});
}

TEST_CASE("journal sink: past kMaxHeld held entries, a position lists none", "[journald]") {
  Fixture fx;
  // 30 processes with 40 lines each in their detection samples: 1200 held entries.
  for (int line = 0; line < 40; ++line) {
    for (int pid = 0; pid < 30; ++pid) fx.add("worker failed hard", 3, std::to_string(pid));
  }
  const JournalPosition p = fx.sink->position();
  CHECK(p.at.held.empty());
  // Everything from the oldest held entry on is read again.
  CHECK(p.at.resume == "c-start");
  CHECK(p.at.done == "c-start");
}
