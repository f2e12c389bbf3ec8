#pragma once

#include <cstddef>
#include <string_view>

namespace homeo {

// Writes all of `data` to `fd`, looping over partial writes, EINTR and (for a non-blocking fd)
// EAGAIN, which waits in poll(). Blocks: call it on a worker thread, never on the event loop.
// Adds the bytes written to `written` and returns 0, or the errno of the write that failed.
int writeFully(int fd, std::string_view data, size_t& written);

}  // namespace homeo
