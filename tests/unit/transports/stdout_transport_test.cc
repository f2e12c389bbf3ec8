#include "transports/stdout/stdout_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <optional>
#include <string>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

using testing::makeBatch;
using testing::makeTransportConfig;
using testing::runUntil;

struct Pipe {
  Pipe() { REQUIRE(::pipe2(fds, O_CLOEXEC) == 0); }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  std::string readAvailable() {
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  int fds[2] = {-1, -1};
};

TEST_CASE("stdout transport factory rejects unknown keys", "[transports]") {
  boost::asio::io_context io;
  const TransportContext ctx{io.get_executor(), "/nonexistent"};
  const TransportFactory factory = stdoutTransportFactory();
  CHECK(factory.type == "stdout");
  std::vector<config::Diagnostic> diags;

  CHECK(factory.create(ctx, makeTransportConfig("stdout", {{"format", "pretty"}}), diags) ==
        nullptr);
  REQUIRE(diags.size() == 1);
  CHECK_THAT(diags[0].message, Catch::Contains("format"));
  CHECK(diags[0].where.line == 3);

  diags.clear();
  auto t = factory.create(ctx, makeTransportConfig("stdout", {}), diags);
  REQUIRE(t != nullptr);
  CHECK(diags.empty());
  CHECK(t->type() == "stdout");
}

TEST_CASE("StdoutTransport writes NDJSON to its descriptor", "[transports]") {
  Pipe pipe;
  boost::asio::io_context io;
  StdoutTransport t(io.get_executor(), pipe.fds[1]);
  std::optional<SendResult> result;
  t.send(makeBatch(1, {R"({"a":1})", R"({"b":2})"}),
         [&](SendResult r, std::string) { result = r; });
  REQUIRE(runUntil(io, [&] { return result.has_value(); }));
  CHECK(*result == SendResult::kAccepted);
  CHECK(pipe.readAvailable() == "{\"a\":1}\n{\"b\":2}\n");
}

TEST_CASE("StdoutTransport gives up for good when nobody reads", "[transports]") {
  std::signal(SIGPIPE, SIG_IGN);
  Pipe pipe;
  ::close(pipe.fds[0]);
  pipe.fds[0] = -1;
  boost::asio::io_context io;
  StdoutTransport t(io.get_executor(), pipe.fds[1]);
  std::optional<SendResult> result;
  std::string reason;
  t.send(makeBatch(1, {"{}"}), [&](SendResult r, std::string why) {
    result = r;
    reason = why;
  });
  REQUIRE(runUntil(io, [&] { return result.has_value(); }));
  CHECK(*result == SendResult::kPermanent);
  CHECK_THAT(reason, Catch::Contains("pipe"));
}

}  // namespace
}  // namespace homeo
