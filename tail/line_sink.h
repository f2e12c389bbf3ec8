#pragma once

#include <cstdint>
#include <string_view>

namespace homeo {

// Where a followed file's lines go (the daemon: a SourceParser that turns them into records).
// It may hold lines back (an open multi-line event); safeOffset() says up to where nothing is
// held, which is as far as the file's checkpoint may go.
class LineSink {
 public:
  virtual ~LineSink() = default;
  // A complete line (without its terminator) starting at `offset`; `end` is just past it.
  virtual void addLine(std::string_view line, uint64_t offset, uint64_t end) = 0;
  // Completes what is held (idle timeout, end of the file).
  virtual void flush() = 0;
  // Completes what is held and goes on from `offset` (the file is read again from its start).
  virtual void restartAt(uint64_t offset) = 0;
  // Drops what is held without turning it into records and goes on from `offset`: someone
  // else (a copy of the file) reads those lines.
  virtual void abandonAt(uint64_t offset) = 0;
  // Every byte before this offset has been turned into records (or needed none).
  virtual uint64_t safeOffset() const = 0;
  // Whether lines are held.
  virtual bool pending() const = 0;
};

}  // namespace homeo
