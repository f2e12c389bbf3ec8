#include "transports/file/file_transport.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

namespace fs = std::filesystem;
using testing::makeBatch;
using testing::makeTransportConfig;
using testing::runUntil;
using testing::ScratchDir;

using testing::readAll;

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

TEST_CASE("FileTransport appends exact NDJSON, creating the directory", "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "out" / "sub" / "errors.jsonl";
  boost::asio::io_context io;
  FileTransport t(io.get_executor(), path.string(), true);

  Sent sent = sendAndWait(io, t, makeBatch(1, {R"({"a":1})", R"({"b":"x y"})"}));
  CHECK(sent.result == SendResult::kAccepted);
  CHECK(readAll(path) == "{\"a\":1}\n{\"b\":\"x y\"}\n");

  sent = sendAndWait(io, t, makeBatch(2, {R"({"c":3})"}));
  CHECK(sent.result == SendResult::kAccepted);
  CHECK(readAll(path) == "{\"a\":1}\n{\"b\":\"x y\"}\n{\"c\":3}\n");

  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((st.st_mode & 0777) == (0640 & ~mask));
  t.stop();
}

TEST_CASE("FileTransport reopens the path after the file is rotated away", "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "errors.jsonl";
  boost::asio::io_context io;
  FileTransport t(io.get_executor(), path.string(), false);

  REQUIRE(sendAndWait(io, t, makeBatch(1, {"{\"n\":1}"})).result == SendResult::kAccepted);
  fs::rename(path, fs::path(dir.path) / "errors.jsonl.1");
  REQUIRE(sendAndWait(io, t, makeBatch(2, {"{\"n\":2}"})).result == SendResult::kAccepted);
  CHECK(readAll(fs::path(dir.path) / "errors.jsonl.1") == "{\"n\":1}\n");
  CHECK(readAll(path) == "{\"n\":2}\n");

  // Removed outright, and replaced by another file: both are noticed.
  fs::remove(path);
  REQUIRE(sendAndWait(io, t, makeBatch(3, {"{\"n\":3}"})).result == SendResult::kAccepted);
  CHECK(readAll(path) == "{\"n\":3}\n");
  fs::rename(path, fs::path(dir.path) / "errors.jsonl.2");
  std::ofstream(path) << "new\n";
  REQUIRE(sendAndWait(io, t, makeBatch(4, {"{\"n\":4}"})).result == SendResult::kAccepted);
  CHECK(readAll(path) == "new\n{\"n\":4}\n");
  CHECK(readAll(fs::path(dir.path) / "errors.jsonl.2") == "{\"n\":3}\n");
}

TEST_CASE("FileTransport reports an unwritable path as retryable", "[transports]") {
  ScratchDir dir;
  std::ofstream(fs::path(dir.path) / "plain") << "x";
  const fs::path path = fs::path(dir.path) / "plain" / "errors.jsonl";  // parent is not a directory
  boost::asio::io_context io;
  FileTransport t(io.get_executor(), path.string(), true);
  const Sent sent = sendAndWait(io, t, makeBatch(1, {"{}"}));
  CHECK(sent.result == SendResult::kRetryable);
  CHECK_THAT(sent.reason, Catch::Contains(path.string()));
  CHECK_THAT(sent.reason, Catch::Contains("directory"));
}

TEST_CASE("file transport factory validates options and opens nothing", "[transports]") {
  ScratchDir dir;
  boost::asio::io_context io;
  const TransportContext ctx{io.get_executor(), dir.path};
  std::vector<config::Diagnostic> diags;
  const TransportFactory factory = fileTransportFactory();
  CHECK(factory.type == "file");

  SECTION("valid") {
    const fs::path path = fs::path(dir.path) / "later" / "errors.jsonl";
    auto t = factory.create(
        ctx, makeTransportConfig("file", {{"path", path.string()}, {"fsync", "false"}}), diags);
    REQUIRE(t != nullptr);
    CHECK(diags.empty());
    CHECK(t->type() == "file");
    auto* file = dynamic_cast<FileTransport*>(t.get());
    REQUIRE(file != nullptr);
    CHECK(file->path() == path.string());
    CHECK_FALSE(file->fsyncEnabled());
    CHECK_FALSE(fs::exists(path.parent_path()));
  }
  SECTION("fsync defaults to true") {
    auto t = factory.create(
        ctx, makeTransportConfig("file", {{"path", (fs::path(dir.path) / "e.jsonl").string()}}),
        diags);
    REQUIRE(t != nullptr);
    CHECK(dynamic_cast<FileTransport&>(*t).fsyncEnabled());
  }
  SECTION("relative path") {
    CHECK(factory.create(ctx, makeTransportConfig("file", {{"path", "errors.jsonl"}}), diags) ==
          nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("absolute"));
    CHECK(diags[0].where.line == 3);
  }
  SECTION("missing path") {
    CHECK(factory.create(ctx, makeTransportConfig("file", {}), diags) == nullptr);
    CHECK_FALSE(diags.empty());
  }
  SECTION("unknown key") {
    CHECK(factory.create(ctx, makeTransportConfig("file", {{"path", "/tmp/x.jsonl"}, {"pth", "y"}}),
                         diags) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("pth"));
  }
  SECTION("fsync not a bool") {
    CHECK(factory.create(
              ctx, makeTransportConfig("file", {{"path", "/tmp/x.jsonl"}, {"fsync", "often"}}),
              diags) == nullptr);
    CHECK_FALSE(diags.empty());
  }
}

}  // namespace
}  // namespace homeo
