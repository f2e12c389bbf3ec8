#include "transports/fd_write.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace homeo {

int writeFully(int fd, std::string_view data, size_t& written) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      written += static_cast<size_t>(n);
      continue;
    }
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      pollfd pfd{fd, POLLOUT, 0};
      if (::poll(&pfd, 1, -1) < 0 && errno != EINTR) return errno;
      continue;
    }
    return err;
  }
  return 0;
}

}  // namespace homeo
