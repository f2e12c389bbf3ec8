#include "transports/amqp/socket_watchdog.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

namespace homeo {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0); }
  ~SocketPair() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

TEST_CASE("SocketWatchdog shuts down a socket blocked past its deadline", "[transports][amqp]") {
  SocketWatchdog watchdog;
  SocketPair pair;
  const auto started = Clock::now();
  watchdog.arm(pair.fds[0], started + 100ms);
  char byte;
  // Nothing is ever written: only the shutdown ends this read (with end of file).
  CHECK(::read(pair.fds[0], &byte, 1) == 0);
  const auto took = Clock::now() - started;
  CHECK(took >= 90ms);
  CHECK(took < 5s);
  CHECK(watchdog.disarm());
  CHECK_FALSE(watchdog.disarm());  // reported once
}

TEST_CASE("SocketWatchdog leaves a socket alone once disarmed or re-armed", "[transports][amqp]") {
  SocketWatchdog watchdog;
  SocketPair pair;
  watchdog.arm(pair.fds[0], Clock::now() + 50ms);
  CHECK_FALSE(watchdog.disarm());
  // A later deadline replaces the earlier one.
  watchdog.arm(pair.fds[0], Clock::now() + 50ms);
  watchdog.arm(pair.fds[0], Clock::now() + 10s);
  std::this_thread::sleep_for(200ms);  // past the first deadline: the event is that nothing happens
  CHECK_FALSE(watchdog.disarm());
  CHECK(::write(pair.fds[1], "x", 1) == 1);
  char byte = 0;
  CHECK(::read(pair.fds[0], &byte, 1) == 1);  // still open both ways
  CHECK(byte == 'x');
}

}  // namespace
}  // namespace homeo
