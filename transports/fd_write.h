#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace homeo {

// Writes all of `data` to `fd`, looping over partial writes, EINTR and (for a non-blocking fd)
// EAGAIN, which waits in poll(). Blocks: call it on a worker thread, never on the event loop.
// Adds the bytes written to `written` and returns 0, or the errno of the write that failed.
int writeFully(int fd, std::string_view data, size_t& written);

// Reads all of `path` into `data` (appended), looping over partial reads and EINTR. Blocks,
// like writeFully. Returns 0, or the errno of the open or read that failed.
int readWhole(const std::string& path, std::string& data);

// mkdir -p (mode 0750) for the directories above `path`; returns 0 or an errno.
int makeParentDirs(const std::string& path);

// fsyncs the directory holding `path`, so that a newly created file's entry is durable.
void syncParentDir(const std::string& path);

}  // namespace homeo
