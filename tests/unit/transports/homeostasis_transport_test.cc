#include "transports/homeostasis/homeostasis_transport.h"

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/record.h"
#include "common/timeutil.h"
#include "tests/unit/transports/test_util.h"
#include "transports/record_keys.h"

namespace homeo {
namespace {

namespace fs = std::filesystem;
using testing::makeTransportConfig;
using testing::runUntil;
using testing::ScratchDir;

struct LocalZone {
  explicit LocalZone(const char* zone) { setLocalZone(zone); }
  ~LocalZone() { setLocalZone(""); }
};

using testing::readAll;

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// 2023-05-20T14:30:22.123Z plus `seconds`.
constexpr UnixNanos kBase = 1684593022'123'000'000;

struct Rec {
  std::string id;       // error_id
  std::string message;  // the fingerprint follows it
  Level level = Level::kError;
  std::string service = "api";
  std::string source = "/var/log/app/app.log";
};

std::string serialize(const Rec& rec, int seconds) {
  ErrorRecord r;
  r.time = kBase + int64_t{seconds} * 1'000'000'000;
  r.service = rec.service;
  r.level = rec.level;
  r.message = rec.message;
  r.error_id = rec.id;
  r.source_path = rec.source;
  r.format = "python";
  r.raw_log = rec.message;
  r.fingerprint = computeFingerprint(r);
  std::string out;
  serializeRecord(r, out);
  return out;
}

std::shared_ptr<const Batch> batchOf(const std::vector<Rec>& recs, int first_second = 0) {
  auto batch = std::make_shared<Batch>();
  int second = first_second;
  for (const Rec& rec : recs) {
    batch->records.push_back(serialize(rec, second++));
    batch->levels.push_back(rec.level);
    batch->bytes += batch->records.back().size();
  }
  return batch;
}

// The error_id of each line of a file, in file order.
std::vector<std::string> idsIn(const fs::path& path) {
  std::vector<std::string> ids;
  RecordKeyReader reader;
  for (const std::string& line : linesOf(readAll(path))) {
    RecordKeys keys;
    if (!reader.read(line, keys)) {
      ids.push_back("(not json)");
      continue;
    }
    ids.emplace_back(keys.error_id);
  }
  return ids;
}

using Ids = std::vector<std::string>;

struct Sent {
  SendResult result;
  std::string reason;
};

Sent sendAndWait(boost::asio::io_context& io, Transport& t, std::shared_ptr<const Batch> batch) {
  std::optional<Sent> sent;
  t.send(std::move(batch), [&](SendResult r, std::string reason) { sent = Sent{r, reason}; });
  REQUIRE(runUntil(io, [&] { return sent.has_value(); }));
  return *sent;
}

HomeostasisOptions windowOptions(const ScratchDir& dir, size_t window = 3) {
  HomeostasisOptions o;
  o.path = (fs::path(dir.path) / "hs" / "errors.log").string();
  o.archive = o.path + ".archive";
  o.window = window;
  return o;
}

TEST_CASE("the window holds the newest distinct errors first, the archive every record",
          "[transports][homeostasis]") {
  LocalZone zone("UTC");
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);

  Sent sent = sendAndWait(
      io, t, batchOf({{"a1", "KeyError: user"}, {"b1", "disk full"}, {"a2", "KeyError: user"}}));
  REQUIRE(sent.result == SendResult::kAccepted);
  CHECK(idsIn(o.path) == Ids{"a2", "b1"});
  CHECK(idsIn(o.archive) == Ids{"a1", "b1", "a2"});

  const std::vector<std::string> window = linesOf(readAll(o.path));
  REQUIRE(window.size() == 2);
  // a2 is the third record: two seconds after the first.
  CHECK_THAT(window[0], Catch::StartsWith(R"({"timestamp":"2023-05-20T14:30:24.123000",)"
                                          R"("timestamp_utc":"2023-05-20T14:30:24.123Z",)"
                                          R"("service":"api","level":"ERROR")"));
  CHECK(linesOf(readAll(o.archive))[2] == window[0]);

  sent = sendAndWait(
      io, t,
      batchOf({{"c1", "timeout calling billing"}, {"d1", "ValueError: bad"}, {"b2", "disk full"}},
              10));
  REQUIRE(sent.result == SendResult::kAccepted);
  CHECK(idsIn(o.path) == Ids{"b2", "d1", "c1"});  // a2 is out: three errors are newer
  CHECK(idsIn(o.archive) == Ids{"a1", "b1", "a2", "c1", "d1", "b2"});
  CHECK_FALSE(fs::exists(fs::path(dir.path) / "hs" / ".errors.log.tmp"));
  t.stop();
}

TEST_CASE("records below ERROR go to the archive only", "[transports][homeostasis]") {
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  REQUIRE(sendAndWait(io, t, batchOf({{"e1", "boom"}, {"c1", "down", Level::kCritical}})).result ==
          SendResult::kAccepted);
  const std::string window = readAll(o.path);
  REQUIRE(
      sendAndWait(io, t, batchOf({{"w1", "slow", Level::kWarning}, {"i1", "hello", Level::kInfo}}))
          .result == SendResult::kAccepted);
  CHECK(readAll(o.path) == window);
  CHECK(idsIn(o.path) == Ids{"c1", "e1"});
  CHECK(idsIn(o.archive) == Ids{"e1", "c1", "w1", "i1"});
}

TEST_CASE("the window is read back from its file after a restart", "[transports][homeostasis]") {
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  {
    boost::asio::io_context io;
    HomeostasisTransport t(io.get_executor(), o);
    REQUIRE(sendAndWait(io, t, batchOf({{"a1", "A"}, {"b1", "B"}, {"c1", "C"}})).result ==
            SendResult::kAccepted);
  }
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  REQUIRE(sendAndWait(io, t, batchOf({{"a2", "A"}}, 5)).result == SendResult::kAccepted);
  CHECK(idsIn(o.path) == Ids{"a2", "c1", "b1"});
  CHECK(idsIn(o.archive) == Ids{"a1", "b1", "c1", "a2"});

  SECTION("a smaller window after the restart keeps the newest") {
    HomeostasisOptions smaller = o;
    smaller.window = 1;
    HomeostasisTransport t2(io.get_executor(), smaller);
    REQUIRE(sendAndWait(io, t2, batchOf({{"w1", "W", Level::kWarning}})).result ==
            SendResult::kAccepted);
    CHECK(idsIn(o.path) == Ids{"a2", "c1", "b1"});  // nothing entered the window: not rewritten
    REQUIRE(sendAndWait(io, t2, batchOf({{"d1", "D"}})).result == SendResult::kAccepted);
    CHECK(idsIn(o.path) == Ids{"d1"});
  }
}

TEST_CASE("a window read back after a change of zone is written in the new zone",
          "[transports][homeostasis]") {
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  {
    LocalZone zone("UTC");
    boost::asio::io_context io;
    HomeostasisTransport t(io.get_executor(), o);
    REQUIRE(sendAndWait(io, t, batchOf({{"a1", "A"}})).result == SendResult::kAccepted);
    CHECK_THAT(readAll(o.path), Catch::StartsWith(R"({"timestamp":"2023-05-20T14:30:22.123000",)"));
  }
  LocalZone zone("Asia/Tokyo");
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  REQUIRE(sendAndWait(io, t, batchOf({{"b1", "B"}}, 1)).result == SendResult::kAccepted);
  const std::vector<std::string> lines = linesOf(readAll(o.path));
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0], Catch::StartsWith(R"({"timestamp":"2023-05-20T23:30:23.123000",)"));
  CHECK_THAT(lines[1], Catch::StartsWith(R"({"timestamp":"2023-05-20T23:30:22.123000",)"
                                         R"("timestamp_utc":"2023-05-20T14:30:22.123Z",)"));
}

TEST_CASE("a window file that another program writes is not overwritten",
          "[transports][homeostasis]") {
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  fs::create_directories(fs::path(o.path).parent_path());
  const std::string theirs =
      "2024-03-11 09:20:00,000 - homeostasis.orchestrator - INFO - {\"message\": \"start\"}\n";
  std::ofstream(o.path) << theirs;
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  const Sent sent = sendAndWait(io, t, batchOf({{"a1", "A"}}));
  CHECK(sent.result == SendResult::kRetryable);
  CHECK_THAT(sent.reason, Catch::Contains("mode: append") && Catch::Contains(o.path));
  CHECK(readAll(o.path) == theirs);
  CHECK_FALSE(fs::exists(o.archive));
}

TEST_CASE("a window that cannot be written takes back the archive's lines",
          "[transports][homeostasis]") {
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  REQUIRE(sendAndWait(io, t, batchOf({{"a1", "A"}})).result == SendResult::kAccepted);
  const std::string window = readAll(o.path);
  const std::string archive = readAll(o.archive);

  // A directory where the temporary file goes: the new window cannot be written.
  const fs::path temp = fs::path(o.path).parent_path() / ".errors.log.tmp";
  fs::create_directory(temp);
  const Sent sent = sendAndWait(io, t, batchOf({{"b1", "B"}}, 1));
  CHECK(sent.result == SendResult::kRetryable);
  CHECK_THAT(sent.reason, Catch::Contains(temp.string()));
  CHECK(readAll(o.path) == window);
  CHECK(readAll(o.archive) == archive);

  fs::remove(temp);
  REQUIRE(sendAndWait(io, t, batchOf({{"b1", "B"}}, 1)).result == SendResult::kAccepted);
  CHECK(idsIn(o.path) == Ids{"b1", "a1"});
  CHECK(idsIn(o.archive) == Ids{"a1", "b1"});
}

TEST_CASE("the window file keeps a mode given to it", "[transports][homeostasis]") {
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  REQUIRE(sendAndWait(io, t, batchOf({{"a1", "A"}})).result == SendResult::kAccepted);
  struct stat st;
  REQUIRE(::stat(o.path.c_str(), &st) == 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((st.st_mode & 0777) == (0640 & ~mask));

  fs::permissions(o.path, fs::perms(0644));
  REQUIRE(sendAndWait(io, t, batchOf({{"b1", "B"}}, 1)).result == SendResult::kAccepted);
  REQUIRE(::stat(o.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(idsIn(o.path) == Ids{"b1", "a1"});
}

TEST_CASE("append mode appends beside Homeostasis' own lines", "[transports][homeostasis]") {
  LocalZone zone("Europe/Berlin");
  ScratchDir dir;
  HomeostasisOptions o;
  o.mode = HomeostasisOptions::Mode::kAppend;
  o.path = (fs::path(dir.path) / "homeostasis.log").string();
  const std::string theirs =
      "2023-05-20 16:30:00,001 - homeostasis.orchestrator - ERROR - {\"timestamp\": "
      "\"2023-05-20T16:30:00.001000\", \"service\": \"orchestrator\", \"level\": \"ERROR\", "
      "\"message\": \"x\"}\n";
  std::ofstream(o.path) << theirs;
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  REQUIRE(sendAndWait(io, t, batchOf({{"a1", "A"}, {"w1", "W", Level::kWarning}, {"a2", "A"}}))
              .result == SendResult::kAccepted);
  const std::vector<std::string> lines = linesOf(readAll(o.path));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] + "\n" == theirs);
  CHECK_THAT(lines[1], Catch::StartsWith(R"({"timestamp":"2023-05-20T16:30:22.123000",)"
                                         R"("timestamp_utc":"2023-05-20T14:30:22.123Z",)"));
  CHECK(idsIn(o.path) == Ids{"(not json)", "a1", "w1", "a2"});
  CHECK_FALSE(fs::exists(o.path + ".archive"));
}

TEST_CASE("records read from the transport's own files are not written back",
          "[transports][homeostasis]") {
  ScratchDir dir;
  SECTION("append mode") {
    HomeostasisOptions o;
    o.mode = HomeostasisOptions::Mode::kAppend;
    o.path = (fs::path(dir.path) / "homeostasis.log").string();
    boost::asio::io_context io;
    HomeostasisTransport t(io.get_executor(), o);
    Rec echo{"x1", "X"};
    echo.source = o.path;
    REQUIRE(sendAndWait(io, t, batchOf({echo, {"a1", "A"}})).result == SendResult::kAccepted);
    CHECK(idsIn(o.path) == Ids{"a1"});
    REQUIRE(sendAndWait(io, t, batchOf({echo})).result == SendResult::kAccepted);
    CHECK(idsIn(o.path) == Ids{"a1"});
  }
  SECTION("window mode: the window and the archive, rotated ones too") {
    const HomeostasisOptions o = windowOptions(dir);
    boost::asio::io_context io;
    HomeostasisTransport t(io.get_executor(), o);
    Rec from_window{"x1", "X"}, from_archive{"x2", "Y"}, from_rotated{"x3", "Z"}, beside{"b1", "B"};
    from_window.source = o.path;
    from_archive.source = o.archive;
    from_rotated.source = o.archive + ".1";
    beside.source = o.archive + "2";
    REQUIRE(sendAndWait(io, t, batchOf({from_window, from_archive, from_rotated, beside})).result ==
            SendResult::kAccepted);
    CHECK(idsIn(o.path) == Ids{"b1"});
    CHECK(idsIn(o.archive) == Ids{"b1"});
  }
}

TEST_CASE("a record without a leading timestamp is archived as it is, not windowed",
          "[transports][homeostasis]") {
  ScratchDir dir;
  const HomeostasisOptions o = windowOptions(dir);
  boost::asio::io_context io;
  HomeostasisTransport t(io.get_executor(), o);
  auto batch = std::make_shared<Batch>(*batchOf({{"a1", "A"}}));
  batch->records.push_back(R"({"service":"api","level":"ERROR","error_id":"odd"})");
  batch->levels.push_back(Level::kError);
  REQUIRE(sendAndWait(io, t, batch).result == SendResult::kAccepted);
  CHECK(idsIn(o.path) == Ids{"a1"});
  CHECK(idsIn(o.archive) == Ids{"a1", "odd"});
  CHECK(linesOf(readAll(o.archive))[1] == batch->records[1]);
}

TEST_CASE("homeostasis transport factory validates options and opens nothing",
          "[transports][homeostasis]") {
  ScratchDir dir;
  boost::asio::io_context io;
  const TransportContext ctx{io.get_executor(), dir.path};
  std::vector<config::Diagnostic> diags;
  const TransportFactory factory = homeostasisTransportFactory();
  CHECK(factory.type == "homeostasis");
  const std::string path = (fs::path(dir.path) / "later" / "errors.log").string();
  auto create = [&](const std::vector<std::pair<std::string, std::string>>& entries) {
    return factory.create(ctx, makeTransportConfig("homeostasis", entries), diags);
  };

  SECTION("defaults") {
    auto t = create({{"path", path}});
    REQUIRE(t != nullptr);
    CHECK(diags.empty());
    CHECK(t->type() == "homeostasis");
    CHECK(t->localDestination());
    const HomeostasisOptions& o = dynamic_cast<HomeostasisTransport&>(*t).options();
    CHECK(o.path == path);
    CHECK(o.mode == HomeostasisOptions::Mode::kWindow);
    CHECK(o.window == 10);
    CHECK(o.archive == path + ".archive");
    CHECK(o.archive_max_bytes == 64u << 20);
    CHECK(o.archive_keep == 5);
    CHECK_FALSE(fs::exists(fs::path(path).parent_path()));
  }
  SECTION("every key") {
    const std::string archive = (fs::path(dir.path) / "archive" / "all.jsonl").string();
    auto t = create({{"path", path},
                     {"mode", "window"},
                     {"window", "25"},
                     {"archive", archive},
                     {"archive_max_bytes", "1048576"},
                     {"archive_keep", "2"}});
    REQUIRE(t != nullptr);
    const HomeostasisOptions& o = dynamic_cast<HomeostasisTransport&>(*t).options();
    CHECK(o.window == 25);
    CHECK(o.archive == archive);
    CHECK(o.archive_max_bytes == 1048576);
    CHECK(o.archive_keep == 2);
  }
  SECTION("append mode") {
    auto t = create({{"path", path}, {"mode", "append"}});
    REQUIRE(t != nullptr);
    CHECK(dynamic_cast<HomeostasisTransport&>(*t).options().mode ==
          HomeostasisOptions::Mode::kAppend);
  }
  SECTION("window keys in append mode") {
    CHECK(create({{"path", path}, {"mode", "append"}, {"window", "5"}, {"archive_keep", "2"}}) ==
          nullptr);
    REQUIRE(diags.size() == 2);
    CHECK_THAT(diags[0].message, Catch::Contains("window") && Catch::Contains("mode window"));
    CHECK(diags[0].where.line == 5);
    CHECK_THAT(diags[1].message, Catch::Contains("archive_keep"));
  }
  SECTION("a mode that does not exist") {
    CHECK(create({{"path", path}, {"mode", "rotate"}}) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("window or append") && Catch::Contains("rotate"));
    CHECK(diags[0].where.line == 4);
  }
  SECTION("relative paths") {
    CHECK(create({{"path", "errors.log"}, {"archive", "x/"}}) == nullptr);
    REQUIRE(diags.size() == 2);
    CHECK_THAT(diags[0].message, Catch::Contains("path must be absolute"));
    CHECK(diags[0].where.line == 3);
    CHECK_THAT(diags[1].message, Catch::Contains("archive must be absolute"));
    CHECK(diags[1].where.line == 4);
  }
  SECTION("a path naming a directory, an archive equal to the path") {
    CHECK(create({{"path", "/var/lib/x/"}}) == nullptr);
    CHECK(create({{"path", path}, {"archive", path}}) == nullptr);
    REQUIRE(diags.size() == 2);
    CHECK_THAT(diags[0].message, Catch::Contains("must name a file"));
    CHECK_THAT(diags[1].message, Catch::Contains("archive must differ from path"));
  }
  SECTION("numbers out of range") {
    CHECK(create({{"path", path},
                  {"window", "0"},
                  {"archive_max_bytes", "100"},
                  {"archive_keep", "0"}}) == nullptr);
    CHECK(diags.size() == 3);
  }
  SECTION("missing path, unknown key") {
    CHECK(create({{"windw", "3"}}) == nullptr);
    REQUIRE(diags.size() == 2);
    CHECK_THAT(diags[0].message + diags[1].message, Catch::Contains("windw"));
  }
}

}  // namespace
}  // namespace homeo
