#pragma once

#include <cstdint>
#include <set>
#include <string_view>

#include "parsers/source_parser.h"
#include "tail/line_sink.h"

namespace homeo {

// What the parsers of every followed file have counted, those closed included.
class ParseTotals {
 public:
  struct Sum {
    uint64_t events = 0, below_level = 0, unmatched = 0, split = 0;
    void add(const SourceStats& s) {
      events += s.events;
      below_level += s.below_level;
      unmatched += s.unmatched;
      split += s.split_events;
    }
  };
  void attach(const SourceParser* p) { live_.insert(p); }
  // An event parsed into a record that its source then found below the level (a journal
  // entry whose PRIORITY decides its level).
  void belowLevel() { ++retired_.below_level; }
  void retire(const SourceParser* p) {
    retired_.add(p->stats());
    live_.erase(p);
  }
  Sum sum() const {
    Sum s = retired_;
    for (const auto* p : live_) s.add(p->stats());
    return s;
  }

 private:
  Sum retired_;
  std::set<const SourceParser*> live_;
};

// A followed file's lines, turned into records by a SourceParser (detection, multi-line
// assembly, parsing); each record goes to the parser's sink.
class ParsingSink final : public LineSink {
 public:
  ParsingSink(const ParserSet& parsers, SourceInfo info, SourceParser::Sink on_record,
              ParseTotals& totals)
      : parser_(parsers, std::move(info), std::move(on_record)), totals_(totals) {
    totals_.attach(&parser_);
  }
  ~ParsingSink() override { totals_.retire(&parser_); }

  void addLine(std::string_view line, uint64_t offset, uint64_t end) override {
    parser_.addLine(line, offset, end);
  }
  void flush() override { parser_.flush(); }
  void restartAt(uint64_t offset) override { parser_.restartAt(offset); }
  void abandonAt(uint64_t offset) override { parser_.abandonAt(offset); }
  uint64_t safeOffset() const override { return parser_.safeOffset(); }
  bool pending() const override { return parser_.pending(); }

 private:
  SourceParser parser_;
  ParseTotals& totals_;
};

}  // namespace homeo
