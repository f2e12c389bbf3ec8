#include "daemon/metrics_server.h"

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>

using namespace homeo;
using namespace std::chrono_literals;
using tcp = boost::asio::ip::tcp;

namespace {

// A server with small limits on a loop of its own thread; stats are read on the loop.
struct Fixture {
  boost::asio::io_context io;
  MetricsServer server;
  std::thread loop;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};

  explicit Fixture(MetricsServer::Limits limits)
      : server(
            io.get_executor(),
            [](std::string_view target) {
              MetricsServer::Response r;
              r.body = std::string(target);
              return r;
            },
            limits) {
    std::string error;
    REQUIRE(server.listen("127.0.0.1:0", &error));
    loop = std::thread([this] { io.run(); });
  }
  ~Fixture() {
    boost::asio::post(io, [this] { server.stop(); });
    work.reset();
    loop.join();
  }

  MetricsServer::Stats stats() {
    std::promise<MetricsServer::Stats> p;
    boost::asio::post(io, [&] { p.set_value(server.stats()); });
    return p.get_future().get();
  }

  // Waits (bounded) until `n` connections have been accepted.
  void awaitAccepted(uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (stats().accepted < n) {
      INFO("accepted " << stats().accepted << " of " << n);
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::yield();
    }
  }

  tcp::socket connect(boost::asio::io_context& client) {
    tcp::socket s(client);
    s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port()));
    return s;
  }
};

// Everything the peer sends until it closes; empty and `closed` false if it did not close
// within `timeout`.
std::string readUntilClosed(tcp::socket& s, std::chrono::milliseconds timeout, bool* closed) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  *closed = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    pollfd pfd{s.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    boost::system::error_code ec;
    const size_t n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec) {
      *closed = true;
      return out;
    }
    out.append(buf, n);
  }
}

}  // namespace

TEST_CASE("metrics listener: at the limit the oldest unfinished connection makes room") {
  MetricsServer::Limits limits;
  limits.max_connections = 2;
  Fixture f(limits);
  boost::asio::io_context client;
  tcp::socket a = f.connect(client);
  tcp::socket b = f.connect(client);
  f.awaitAccepted(2);
  tcp::socket c = f.connect(client);
  f.awaitAccepted(3);
  bool closed = false;
  CHECK(readUntilClosed(a, 2000ms, &closed).empty());
  CHECK(closed);
  boost::asio::write(c, boost::asio::buffer(std::string("GET /health HTTP/1.1\r\n\r\n")));
  const std::string answer = readUntilClosed(c, 2000ms, &closed);
  CHECK(closed);
  CHECK(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  const auto st = f.stats();
  CHECK(st.evicted == 1);
  CHECK(st.refused == 0);
  CHECK(st.open == 1);  // b, still idle
}

TEST_CASE("metrics listener: a request not complete by its deadline is closed and counted") {
  MetricsServer::Limits limits;
  limits.request_deadline = 300ms;
  Fixture f(limits);
  boost::asio::io_context client;
  const auto started = std::chrono::steady_clock::now();
  tcp::socket s = f.connect(client);
  boost::asio::write(s, boost::asio::buffer(std::string("GET /health HTTP/1.1\r\n")));
  bool closed = false;
  CHECK(readUntilClosed(s, 3000ms, &closed).empty());
  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - started >= 250ms);
  const auto st = f.stats();
  CHECK(st.rejectedFor(MetricsServer::Rejection::kTimeout) == 1);
  CHECK(st.open == 0);
}
