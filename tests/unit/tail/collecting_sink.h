#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tail/line_sink.h"

namespace homeo::testing {

// A LineSink that keeps every line it gets. It holds nothing back unless `hold` is set, in
// which case the last line stays pending (like an open multi-line event) until flush().
class CollectingSink : public LineSink {
 public:
  struct Line {
    std::string text;
    uint64_t offset, end;
  };
  void addLine(std::string_view line, uint64_t offset, uint64_t end) override {
    if (held_) commit();
    lines_held_.push_back({std::string(line), offset, end});
    held_ = hold;
    if (!held_) commit();
  }
  void flush() override { commit(); }
  void restartAt(uint64_t offset) override {
    commit();
    safe_ = offset;
  }
  void abandonAt(uint64_t offset) override {
    lines_held_.clear();
    held_ = false;
    safe_ = offset;
  }
  uint64_t safeOffset() const override { return safe_; }
  bool pending() const override { return held_; }

  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(l.text);
    return out;
  }

  bool hold = false;
  std::vector<Line> lines;  // passed on (not held)

 private:
  void commit() {
    for (auto& l : lines_held_) {
      safe_ = l.end;
      lines.push_back(std::move(l));
    }
    lines_held_.clear();
    held_ = false;
  }
  std::vector<Line> lines_held_;
  bool held_ = false;
  uint64_t safe_ = 0;
};

}  // namespace homeo::testing
