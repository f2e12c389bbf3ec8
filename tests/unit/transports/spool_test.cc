#include "transports/spool.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/unit/transports/fake_transport.h"
#include "tests/unit/transports/test_util.h"
#include "transports/dispatcher.h"

namespace homeo {
namespace {

using testing::FakeTransport;
using testing::makeBatch;
using testing::readAll;
using testing::runUntil;
using testing::ScratchDir;
using namespace std::chrono_literals;

// A destination the test switches off and on; it keeps the records it accepted, in order.
struct Destination {
  bool down = true;
  std::vector<std::string> received;
};

struct SpoolSetup {
  boost::asio::io_context io;
  FakeTransport* fake = nullptr;
  std::unique_ptr<Dispatcher> dispatcher;

  SpoolSetup(Destination& dest, const std::string& dir, SpoolOptions spool) {
    auto t =
        std::make_unique<FakeTransport>(io.get_executor(), "fake", 1, [&dest](const Batch& b, int) {
          if (dest.down) return SendResult::kRetryable;
          for (const auto& r : b.records) {
            dest.received.push_back(r);
          }
          return SendResult::kAccepted;
        });
    t->setSpoolOptions(spool);
    fake = t.get();
    std::vector<std::unique_ptr<Transport>> owned;
    owned.push_back(std::move(t));
    DispatcherOptions options;
    options.initial_backoff = 1ms;
    options.max_backoff = 5ms;
    options.max_queued_batches = 1000;
    options.spool_dir = dir;
    dispatcher = std::make_unique<Dispatcher>(io.get_executor(), std::move(owned), options);
  }
};

std::vector<std::string> numbered(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("{\"n\":" + std::to_string(i) + "}");
  return out;
}

SpoolOptions spoolNow() {
  SpoolOptions o;
  o.after = 0ms;
  return o;
}

TEST_CASE("Spool takes batches while the destination is down and replays them in order",
          "[transports][spool]") {
  ScratchDir dir;
  Destination dest;
  SpoolSetup s(dest, dir.path, spoolNow());
  for (int seq = 1; seq <= 10; ++seq) {
    s.dispatcher->dispatch(makeBatch(seq, numbered((seq - 1) * 3, seq * 3)));
  }
  // Every batch counts as acknowledged once it is on disk.
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 10; }));
  CHECK(dest.received.empty());
  CHECK(s.dispatcher->stats()[0].spooled_records == 30);
  CHECK(dir.files("0-fake") == 10);
  CHECK(s.dispatcher->stats()[0].spool_bytes > 0);

  // More arrive while it is still down: they go behind the spooled ones.
  s.dispatcher->dispatch(makeBatch(11, numbered(30, 33)));
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 11; }));
  dest.down = false;
  s.dispatcher->dispatch(makeBatch(12, numbered(33, 36)));
  REQUIRE(runUntil(s.io, [&] { return dest.received.size() == 36; }));
  CHECK(dest.received == numbered(0, 36));
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->stats()[0].spool_bytes == 0; }));
  REQUIRE(runUntil(s.io, [&] { return dir.files("0-fake") == 0; }));
  CHECK(s.dispatcher->ackedThrough() == 12);
}

TEST_CASE("Spooled batches are sent after a restart, before new ones", "[transports][spool]") {
  ScratchDir dir;
  Destination dest;
  {
    SpoolSetup s(dest, dir.path, spoolNow());
    for (int seq = 1; seq <= 5; ++seq)
      s.dispatcher->dispatch(makeBatch(seq, numbered(seq * 10, seq * 10 + 2)));
    REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 5; }));
    s.dispatcher->stop();
  }
  CHECK(dir.files("0-fake") == 5);
  dest.down = false;
  SpoolSetup s(dest, dir.path, spoolNow());
  s.dispatcher->dispatch(makeBatch(1, numbered(100, 102)));  // a new run numbers from 1 again
  REQUIRE(runUntil(s.io, [&] { return dest.received.size() == 12; }));
  std::vector<std::string> want;
  for (int seq = 1; seq <= 5; ++seq) {
    for (auto& r : numbered(seq * 10, seq * 10 + 2)) want.push_back(r);
  }
  for (auto& r : numbered(100, 102)) want.push_back(r);
  CHECK(dest.received == want);
  REQUIRE(runUntil(s.io, [&] { return dir.files("0-fake") == 0; }));
}

TEST_CASE("A full spool blocks (saturating) or drops the oldest (counted)", "[transports][spool]") {
  const std::string big(1000, 'x');
  auto batchOf = [&](uint64_t seq) {
    return makeBatch(seq, {"{\"n\":" + std::to_string(seq) + ",\"pad\":\"" + big + "\"}"});
  };
  SECTION("block") {
    ScratchDir dir;
    Destination dest;
    SpoolOptions o = spoolNow();
    o.max_bytes = 4 * (1017 + Spool::headerSize(1017));  // four batches of 1017 bytes
    SpoolSetup s(dest, dir.path, o);
    for (uint64_t seq = 1; seq <= 8; ++seq) s.dispatcher->dispatch(batchOf(seq));
    REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 4; }));
    s.io.restart();
    s.io.run_for(50ms);
    CHECK(s.dispatcher->ackedThrough() == 4);  // the rest waits in memory
    CHECK(s.dispatcher->queuedBatches() == 4);
    CHECK(s.dispatcher->stats()[0].dropped_records == 0);
    dest.down = false;
    REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 8; }));
    REQUIRE(runUntil(s.io, [&] { return dest.received.size() == 8; }));
    for (size_t i = 0; i < 8; ++i) {
      CHECK(dest.received[i].rfind("{\"n\":" + std::to_string(i + 1) + ",", 0) == 0);
    }
  }
  SECTION("drop_oldest") {
    ScratchDir dir;
    Destination dest;
    SpoolOptions o = spoolNow();
    o.max_bytes = 4 * (1017 + Spool::headerSize(1017));
    o.policy = SpoolOptions::Policy::kDropOldest;
    SpoolSetup s(dest, dir.path, o);
    for (uint64_t seq = 1; seq <= 8; ++seq) s.dispatcher->dispatch(batchOf(seq));
    REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 8; }));
    const uint64_t dropped = s.dispatcher->stats()[0].dropped_records;
    CHECK(dropped >= 4);
    CHECK(s.dispatcher->stats()[0].spool_bytes <= o.max_bytes);
    dest.down = false;
    REQUIRE(runUntil(s.io, [&] { return dest.received.size() + dropped == 8; }));
    REQUIRE(runUntil(s.io, [&] { return s.dispatcher->stats()[0].spool_bytes == 0; }));
    CHECK(dest.received.size() + dropped == 8);
    // What is left arrives in order and ends with the newest.
    std::vector<int> ns;
    for (const auto& r : dest.received) ns.push_back(std::stoi(r.substr(5)));
    CHECK(std::is_sorted(ns.begin(), ns.end()));
    CHECK(ns.back() == 8);
  }
}

TEST_CASE("A batch read back from the spool has its records' levels, services and tags",
          "[transports][spool]") {
  ScratchDir dir;
  boost::asio::io_context io;
  Spool spool(io.get_executor(), dir.path, 1 << 20, Spool::Policy::kBlock);
  std::string error;
  REQUIRE(spool.open(error));
  bool written = false;
  spool.append(makeBatch(1, {R"({"level":"WARNING","service":"billing","tags":["web","eu"]})",
                             R"({"level":"CRITICAL","service":"auth"})", "not json"}),
               [&](bool ok, std::string) { written = ok; });
  REQUIRE(runUntil(io, [&] { return written; }));
  std::shared_ptr<const Batch> back;
  spool.readOldest([&](std::shared_ptr<const Batch> b, std::string, bool) { back = std::move(b); });
  REQUIRE(runUntil(io, [&] { return back != nullptr; }));
  REQUIRE(back->records.size() == 3);
  REQUIRE(back->levels.size() == 3);
  REQUIRE(back->routes.size() == 3);
  CHECK(back->levels[0] == Level::kWarning);
  CHECK(back->routes[0].service == "billing");
  CHECK(back->routes[0].tags == std::vector<std::string>{"web", "eu"});
  CHECK(back->levels[1] == Level::kCritical);
  CHECK(back->routes[1].service == "auth");
  CHECK(back->routes[1].tags.empty());
  CHECK(back->levels[2] == Level::kError);  // what cannot be read stays an error
  CHECK(back->routes[2].service.empty());
  spool.stop();
}

TEST_CASE("A spool file's header checks its body", "[transports][spool][quarantine]") {
  const std::string body = "{\"n\":1}\n{\"n\":2}\n";
  const std::string head = Spool::header(body);
  CHECK(head.size() == Spool::headerSize(body.size()));
  CHECK(head.rfind("#homeostasisd-spool v1 len=16 crc32c=", 0) == 0);
  std::string_view got;  // a view into the file passed in, so each file is a named string
  const std::string file = head + body;
  CHECK(Spool::check(file, got).empty());
  CHECK(got == body);
  // The layout before the header: accepted when every line is a JSON object.
  CHECK(Spool::check(body, got).empty());
  CHECK(got == body);

  CHECK(Spool::check("", got) == "empty file");
  CHECK(got.empty());
  CHECK(Spool::check(head + body.substr(0, 10), got) == "cut short: 10 of 16 bytes");
  CHECK(Spool::check(head.substr(0, 20), got) == "cut short inside its header");
  CHECK(Spool::check(head + body + "{}\n", got) == "19 bytes where its header says 16");
  std::string junk = body;
  junk[3] = '9';
  CHECK(Spool::check(head + junk, got).rfind("checksum mismatch: crc32c ", 0) == 0);
  CHECK(Spool::check("#homeostasisd-spool v2 len=16 crc32c=00000000\n" + body, got)
            .rfind("unknown header", 0) == 0);
  CHECK(Spool::check("{\"n\":1}\nhello\n", got).find("line 2 is not a JSON record") !=
        std::string::npos);
  CHECK(Spool::check("[1,2]\n", got).find("line 1 is not a JSON record") != std::string::npos);
  CHECK(got.empty());
}

std::vector<std::filesystem::path> sortedFiles(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void overwrite(const std::filesystem::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Spools `batches` batches of two numbered records each (seq*10, seq*10+1) while `dest` is
// down, stops, and returns the spool's files in order.
std::vector<std::filesystem::path> spoolWhileDown(Destination& dest, const ScratchDir& dir,
                                                  int batches) {
  {
    SpoolSetup s(dest, dir.path, spoolNow());
    for (int seq = 1; seq <= batches; ++seq) {
      s.dispatcher->dispatch(makeBatch(seq, numbered(seq * 10, seq * 10 + 2)));
    }
    REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == uint64_t(batches); }));
    s.dispatcher->stop();
  }
  return sortedFiles(dir / "0-fake");
}

TEST_CASE("Damaged and foreign spool files are quarantined, counted, and the rest sent in order",
          "[transports][spool][quarantine]") {
  ScratchDir dir;
  Destination dest;
  const std::string spool_dir = dir / "0-fake";
  const auto files = spoolWhileDown(dest, dir, 7);
  REQUIRE(files.size() == 7);
  const std::string good = readAll(files[0]);
  REQUIRE(good.rfind("#homeostasisd-spool v1 ", 0) == 0);
  // 2: cut short, 3: emptied, 4: junk over the body, 5: foreign, 6: the older headerless layout.
  const std::string cut = readAll(files[1]);
  overwrite(files[1], cut.substr(0, cut.size() - 5));
  overwrite(files[2], "");
  std::string junk = readAll(files[3]);
  for (size_t i = junk.find('\n') + 1; i < junk.size(); ++i) junk[i] = '?';
  overwrite(files[3], junk);
  overwrite(files[4], "PK\x03\x04 not a spool batch\n");
  overwrite(files[5], "{\"n\":60}\n{\"n\":61}\n");

  dest.down = false;
  SpoolSetup s(dest, dir.path, spoolNow());
  s.dispatcher->dispatch(makeBatch(1, numbered(100, 102)));
  REQUIRE(runUntil(s.io, [&] { return dest.received.size() == 8; }));
  std::vector<std::string> want = numbered(10, 12);
  for (auto& r : numbered(60, 62)) want.push_back(r);
  for (auto& r : numbered(70, 72)) want.push_back(r);
  for (auto& r : numbered(100, 102)) want.push_back(r);
  CHECK(dest.received == want);
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->stats()[0].spool_bytes == 0; }));
  const auto stats = s.dispatcher->stats()[0];
  CHECK(stats.quarantined_batches == 4);
  CHECK(stats.quarantined_records == 8);
  CHECK(stats.dropped_records == 0);

  // Moved, never deleted: the damaged files are in quarantine/ as they were found.
  const auto quarantined = sortedFiles(spool_dir + "/quarantine");
  REQUIRE(quarantined.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(quarantined[i].filename() == files[i + 1].filename());
  CHECK(readAll(quarantined[0]) == cut.substr(0, cut.size() - 5));
  CHECK(readAll(quarantined[1]).empty());
  CHECK(readAll(quarantined[2]) == junk);
  REQUIRE(runUntil(s.io, [&] { return sortedFiles(spool_dir).empty(); }));
}

TEST_CASE("A spool file that cannot be read is counted as dropped and left in place",
          "[transports][spool][quarantine]") {
  ScratchDir dir;
  Destination dest;
  const std::string spool_dir = dir / "0-fake";
  const auto files = spoolWhileDown(dest, dir, 3);
  REQUIRE(files.size() == 3);
  // Something that is not a file where the second batch was: reading it fails.
  std::filesystem::remove(files[1]);
  std::filesystem::create_directory(files[1]);
  dest.down = false;
  SpoolSetup s(dest, dir.path, spoolNow());
  REQUIRE(runUntil(s.io, [&] { return dest.received.size() == 4; }));
  std::vector<std::string> want = numbered(10, 12);
  for (auto& r : numbered(30, 32)) want.push_back(r);
  CHECK(dest.received == want);
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->stats()[0].spool_bytes == 0; }));
  CHECK(s.dispatcher->stats()[0].dropped_records == 2);
  CHECK(s.dispatcher->stats()[0].quarantined_batches == 0);
  CHECK(std::filesystem::is_directory(files[1]));  // not removed
  // The sent files are removed by the spool's writer after they are counted as sent.
  REQUIRE(runUntil(s.io, [&] { return sortedFiles(spool_dir).empty(); }));
}

TEST_CASE("A quarantined file keeps an earlier one of the same name",
          "[transports][spool][quarantine]") {
  ScratchDir dir;
  Destination dest;
  const std::string spool_dir = dir / "0-fake";
  for (int run = 0; run < 2; ++run) {
    {
      dest.down = true;
      SpoolSetup s(dest, dir.path, spoolNow());
      s.dispatcher->dispatch(makeBatch(1, numbered(run, run + 1)));
      REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 1; }));
      s.dispatcher->stop();
    }
    const auto files = sortedFiles(spool_dir);
    REQUIRE(files.size() == 1);
    overwrite(files[0], "junk " + std::to_string(run) + "\n");
    dest.down = false;
    SpoolSetup s(dest, dir.path, spoolNow());
    REQUIRE(runUntil(s.io, [&] { return s.dispatcher->stats()[0].quarantined_batches == 1; }));
    s.dispatcher->stop();
  }
  CHECK(dest.received.empty());
  const auto quarantined = sortedFiles(spool_dir + "/quarantine");
  REQUIRE(quarantined.size() == 2);
  CHECK(readAll(quarantined[0]) == "junk 0\n");
  CHECK(readAll(quarantined[1]) == "junk 1\n");
  CHECK(quarantined[1].filename().string() == quarantined[0].filename().string() + ".1");
}

}  // namespace
}  // namespace homeo
