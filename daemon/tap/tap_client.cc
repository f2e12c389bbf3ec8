#include "daemon/tap/tap_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <thread>

#include "daemon/exit_codes.h"
#include "transports/fd_write.h"

namespace homeo {
namespace {

// A connected socket, or -1 with errno set.
int connectTo(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

enum class Session { kClosed, kDone, kRefused, kOutputGone };

// Reads one connection's lines until it closes or enough records were printed.
Session follow(int fd, uint64_t max_records, uint64_t& printed, bool& announced,
               const std::string& path) {
  std::string buf;
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Session::kClosed;
    buf.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      const std::string_view line(buf.data() + start, nl - start);
      if (line.empty()) continue;
      if (line[0] == '#') {
        if (line == "# tap: subscribed") {
          std::fprintf(stderr,
                       announced ? "homeostasisd tap: reconnected to %s\n"
                                 : "homeostasisd tap: following %s\n",
                       path.c_str());
          announced = true;
          continue;
        }
        const std::string_view notice = line.substr(std::min<size_t>(line.size(), 2));
        std::fprintf(stderr, "homeostasisd tap: %.*s\n", static_cast<int>(notice.size()),
                     notice.data());
        if (line.substr(0, 9) == "# error: ") return Session::kRefused;
        continue;
      }
      if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() ||
          std::fputc('\n', stdout) == EOF || std::fflush(stdout) != 0) {
        return Session::kOutputGone;
      }
      if (max_records > 0 && ++printed >= max_records) return Session::kDone;
    }
    buf.erase(0, start);
  }
}

}  // namespace

int runTap(const std::string& socket_path, const TapFilter& filter, uint64_t max_records,
           int reconnect_ms) {
  uint64_t printed = 0;
  bool announced = false;
  const std::string request = filter.encode();
  for (bool first = true;; first = false) {
    int fd = connectTo(socket_path);
    if (fd < 0 && !first) {
      // A reload closes the tap for a moment; a restart for longer.
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(reconnect_ms);
      while (fd < 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        fd = connectTo(socket_path);
      }
      if (fd < 0) {
        std::fprintf(stderr, "homeostasisd tap: the daemon did not come back within %d ms\n",
                     reconnect_ms);
        return kExitFailure;
      }
    }
    if (fd < 0) {
      std::fprintf(stderr,
                   "homeostasisd tap: no daemon answers on %s: %s (is one running with this "
                   "config's state_dir, and do you have its user's rights?)\n",
                   socket_path.c_str(), std::strerror(errno));
      return kExitFailure;
    }
    if (size_t written = 0; writeFully(fd, request, written) != 0) {
      ::close(fd);
      continue;
    }
    const Session s = follow(fd, max_records, printed, announced, socket_path);
    ::close(fd);
    if (s == Session::kDone || s == Session::kOutputGone) return kExitOk;
    if (s == Session::kRefused) return kExitFailure;
    std::fprintf(stderr,
                 "homeostasisd tap: the daemon closed the tap (a reload or a stop); "
                 "reconnecting\n");
  }
}

}  // namespace homeo
