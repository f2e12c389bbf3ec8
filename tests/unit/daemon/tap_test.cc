#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "daemon/tap/tap_filter.h"
#include "daemon/tap/tap_server.h"

using namespace homeo;
using namespace std::chrono_literals;

namespace {

std::string tempSocketPath() {
  char dir[] = "/tmp/homeo-tap-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  return std::string(dir) + "/tap.sock";
}

// A tap server on a loop of its own thread; everything it is asked runs on the loop.
struct Fixture {
  boost::asio::io_context io;
  TapServer server;
  std::string path = tempSocketPath();
  std::thread loop;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};

  explicit Fixture(TapServer::Limits limits = {}) : server(io.get_executor(), limits) {
    std::string error;
    REQUIRE(server.listen(path, &error));
    loop = std::thread([this] { io.run(); });
  }
  template <class F>
  auto onLoop(F f) {
    std::promise<decltype(f())> p;
    boost::asio::post(io, [&] {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        p.set_value();
      } else {
        p.set_value(f());
      }
    });
    return p.get_future().get();
  }

  ~Fixture() {
    onLoop([this] { server.stop(); });
    work.reset();
    loop.join();
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
  }

  TapServer::Stats stats() {
    return onLoop([this] { return server.stats(); });
  }

  void publish(std::string_view json, std::string_view service, Level level,
               std::string_view fingerprint = "fp") {
    onLoop([&] { server.publish(json, service, level, fingerprint); });
  }

  void awaitClients(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (stats().clients != n) {
      INFO("clients " << stats().clients << ", waiting for " << n);
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(1ms);
    }
  }
};

sockaddr_un unixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

int connectTo(const std::string& path) {
  const sockaddr_un addr = unixAddress(path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

// Reads one line (without its newline), failing after 5 s; "" at end of stream.
struct LineReader {
  int fd;
  std::string buf;
  std::string line() {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      if (const size_t nl = buf.find('\n'); nl != std::string::npos) {
        std::string out = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        return out;
      }
      pollfd p{fd, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      INFO("waiting for a line from the tap server");
      REQUIRE(left.count() > 0);
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[65536];
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) return "";
      buf.append(chunk, static_cast<size_t>(n));
    }
  }
};

void send(int fd, std::string_view s) {
  REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
}

}  // namespace

TEST_CASE("A tap filter travels as one line and takes what it names", "[tap]") {
  TapFilter f;
  f.service = "billing eu";
  f.min_level = Level::kError;
  f.fingerprint = "ab12";
  const std::string line = f.encode();
  CHECK(line == "TAP1\tservice=billing eu\tlevel=ERROR\tfingerprint=ab12\n");
  std::string error;
  auto back = TapFilter::decode(std::string_view(line).substr(0, line.size() - 1), &error);
  REQUIRE(back);
  CHECK(back->service == "billing eu");
  CHECK(back->min_level == Level::kError);
  CHECK(back->fingerprint == "ab12");
  CHECK(back->matches("billing eu", Level::kCritical, "ab12"));
  CHECK_FALSE(back->matches("billing eu", Level::kWarning, "ab12"));
  CHECK_FALSE(back->matches("billing", Level::kError, "ab12"));
  CHECK_FALSE(back->matches("billing eu", Level::kError, "ab13"));

  auto all = TapFilter::decode("TAP1", &error);
  REQUIRE(all);
  CHECK(all->matches("any", Level::kDebug, ""));

  CHECK_FALSE(TapFilter::decode("GET / HTTP/1.1", &error));
  CHECK(error == "not a tap request");
  CHECK_FALSE(TapFilter::decode("TAP12", &error));
  CHECK_FALSE(TapFilter::decode("TAP1\tcolour=red", &error));
  CHECK(error == "unknown tap request field: colour");
  CHECK_FALSE(TapFilter::decode("TAP1\tlevel=LOUD", &error));
  CHECK_FALSE(TapFilter::decode("TAP1\tservice", &error));

  TapFilter tabbed;
  tabbed.service = "a\tb";
  CHECK_FALSE(tabbed.valid(&error));
}

TEST_CASE("A tap client gets the records its filter takes, in order", "[tap]") {
  Fixture fx;
  struct stat st;
  REQUIRE(::stat(fx.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  const int fd = connectTo(fx.path);
  LineReader r{fd, {}};
  send(fd, "TAP1\tservice=b\tlevel=ERROR\n");
  CHECK(r.line() == "# tap: subscribed");
  fx.awaitClients(1);
  fx.publish(R"({"n":1})", "a", Level::kError);
  fx.publish(R"({"n":2})", "b", Level::kWarning);
  fx.publish(R"({"n":3})", "b", Level::kError);
  fx.publish(R"({"n":4})", "b", Level::kCritical);
  CHECK(r.line() == R"({"n":3})");
  CHECK(r.line() == R"({"n":4})");
  CHECK(fx.stats().records == 2);

  ::close(fd);
  fx.awaitClients(0);  // the server notices the client went away without a record to write
}

TEST_CASE("A tap client that reads too slowly misses records and is told how many", "[tap]") {
  TapServer::Limits limits;
  limits.max_queued_bytes = 4096;
  Fixture fx(limits);
  const int fd = connectTo(fx.path);
  LineReader r{fd, {}};
  send(fd, "TAP1\n");
  REQUIRE(r.line() == "# tap: subscribed");
  fx.awaitClients(1);
  // Far more than the socket's buffers and the client's queue hold, while it reads nothing.
  const std::string pad(200, 'x');
  constexpr int kTotal = 20000;
  for (int i = 0; i < kTotal; ++i) {
    fx.publish(R"({"n":)" + std::to_string(i) + R"(,"pad":")" + pad + R"("})", "s", Level::kError);
  }
  const TapServer::Stats s = fx.stats();
  CHECK(s.dropped > 0);
  CHECK(s.records + s.dropped == kTotal);
  uint64_t got = 0, missed = 0;
  auto take = [&](const std::string& line) {
    if (line[0] == '#') {
      INFO(line);
      REQUIRE(line.find(" records dropped") != std::string::npos);
      missed += std::strtoull(line.c_str() + 2, nullptr, 10);
    } else {
      ++got;
    }
  };
  while (got < s.records) {
    const std::string line = r.line();
    REQUIRE_FALSE(line.empty());
    take(line);
  }
  // Caught up: the next record comes after a notice of what was missed since the last one.
  fx.publish(R"({"n":"last"})", "s", Level::kError);
  for (std::string line; (line = r.line()) != R"({"n":"last"})";) {
    REQUIRE_FALSE(line.empty());
    take(line);
  }
  CHECK(got + missed == kTotal);
  CHECK(missed == s.dropped);
  ::close(fd);
}

TEST_CASE("A tap server refuses what is not a tap request and clients over its limit", "[tap]") {
  TapServer::Limits limits;
  limits.max_clients = 1;
  Fixture fx(limits);
  {
    const int fd = connectTo(fx.path);
    LineReader r{fd, {}};
    send(fd, "GET /metrics HTTP/1.1\r\n");
    CHECK(r.line() == "# error: not a tap request");
    CHECK(r.line().empty());  // then closed
    ::close(fd);
  }
  const int first = connectTo(fx.path);
  LineReader r1{first, {}};
  send(first, "TAP1\n");
  REQUIRE(r1.line() == "# tap: subscribed");
  const int second = connectTo(fx.path);
  LineReader r2{second, {}};
  send(second, "TAP1\n");
  CHECK(r2.line() == "# error: 1 tap clients are attached already");
  CHECK(r2.line().empty());
  CHECK(fx.stats().refused == 2);
  ::close(first);
  ::close(second);
}

TEST_CASE("A stale tap socket is replaced, a live one is not taken over", "[tap]") {
  Fixture fx;
  boost::asio::io_context io;
  TapServer other(io.get_executor());
  std::string error;
  CHECK_FALSE(other.listen(fx.path, &error));
  CHECK(error == "another daemon answers on the tap socket " + fx.path);
  CHECK(std::filesystem::exists(fx.path));  // left to the daemon that answers on it

  // A socket file nobody answers on (a daemon that was killed).
  const std::string stale = tempSocketPath();
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    const sockaddr_un addr = unixAddress(stale);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
    ::close(fd);
  }
  TapServer fresh(io.get_executor());
  CHECK(fresh.listen(stale, &error));
  fresh.stop();
  CHECK_FALSE(std::filesystem::exists(stale));  // removed at stop
  std::filesystem::remove_all(std::filesystem::path(stale).parent_path());

  TapServer too_long(io.get_executor());
  CHECK_FALSE(too_long.listen("/tmp/" + std::string(200, 'd') + "/tap.sock", &error));
  CHECK(error.find("longer than a Unix socket allows") != std::string::npos);
}
