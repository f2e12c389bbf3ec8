#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace homeo {

// Cuts a byte stream into lines. Lines wholly inside a chunk are passed as views into it
// (no copy); only a line split across chunks is assembled in a carry buffer. A trailing \r
// is dropped (CRLF). Lines longer than the limit are cut: the first `max_line_bytes` are
// passed with `truncated` set and the rest, up to the newline, is skipped.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // fn(std::string_view line, uint64_t offset, uint64_t end, bool truncated) for each
  // complete line of `chunk`, whose first byte is at `chunk_offset` in the stream.
  template <typename Fn>
  void feed(std::string_view chunk, uint64_t chunk_offset, Fn&& fn);

  // Passes a last line that has no newline (end of input, or a writer that went quiet).
  template <typename Fn>
  void finish(Fn&& fn);

  // Offset of the first byte not yet passed on as part of a line.
  uint64_t consumed() const { return consumed_; }
  bool hasPartial() const { return !carry_.empty() || skipping_; }
  size_t partialBytes() const { return carry_.size(); }
  uint64_t truncatedLines() const { return truncated_; }
  // Starts over at `offset` (after a seek or a truncation of the file).
  void reset(uint64_t offset) {
    carry_.clear();
    skipping_ = false;
    consumed_ = offset;
  }

 private:
  static std::string_view stripCr(std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  }

  size_t max_line_bytes_;
  std::string carry_;
  bool skipping_ = false;  // inside the rest of a cut line
  uint64_t consumed_ = 0;
  uint64_t truncated_ = 0;
};

template <typename Fn>
void LineSplitter::feed(std::string_view chunk, uint64_t chunk_offset, Fn&& fn) {
  size_t pos = 0;
  while (pos < chunk.size()) {
    const void* hit = std::memchr(chunk.data() + pos, '\n', chunk.size() - pos);
    const size_t nl = hit ? static_cast<size_t>(static_cast<const char*>(hit) - chunk.data())
                          : std::string_view::npos;
    if (nl == std::string_view::npos) {
      // A partial line: keep it (or keep skipping it) until its newline comes.
      const std::string_view rest = chunk.substr(pos);
      if (!skipping_) {
        if (carry_.size() + rest.size() > max_line_bytes_) {
          carry_.append(rest.substr(0, max_line_bytes_ - carry_.size()));
          ++truncated_;
          const uint64_t start = consumed_;
          fn(std::string_view(carry_), start, start + carry_.size(), true);
          carry_.clear();
          skipping_ = true;
        } else {
          carry_.append(rest);
        }
      }
      return;
    }
    const std::string_view piece = chunk.substr(pos, nl - pos);
    const uint64_t end = chunk_offset + nl + 1;
    if (skipping_) {
      skipping_ = false;
    } else if (!carry_.empty()) {
      carry_.append(piece);
      std::string_view line = stripCr(carry_);
      bool cut = false;
      if (line.size() > max_line_bytes_) {
        line = line.substr(0, max_line_bytes_);
        cut = true;
        ++truncated_;
      }
      fn(line, consumed_, end, cut);
      carry_.clear();
    } else {
      std::string_view line = stripCr(piece);
      bool cut = false;
      if (line.size() > max_line_bytes_) {
        line = line.substr(0, max_line_bytes_);
        cut = true;
        ++truncated_;
      }
      fn(line, chunk_offset + pos, end, cut);
    }
    consumed_ = end;
    pos = nl + 1;
  }
}

template <typename Fn>
void LineSplitter::finish(Fn&& fn) {
  if (!carry_.empty()) {
    const uint64_t end = consumed_ + carry_.size();
    fn(stripCr(carry_), consumed_, end, false);
    consumed_ = end;
    carry_.clear();
  }
  skipping_ = false;
}

}  // namespace homeo
