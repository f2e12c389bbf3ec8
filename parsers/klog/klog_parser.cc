#include "parsers/klog/klog_parser.h"

#include "common/timeutil.h"
#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view thread;
  std::string_view caller;
  std::string_view message;
};

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 22 || line[5] != ' ' || line[8] != ':' || line[11] != ':') return false;
  const char c = line[0];
  if (c != 'I' && c != 'W' && c != 'E' && c != 'F') return false;
  int mo, d, hh, mi, sec;
  if (!readDigits(line, 1, 2, &mo) || !readDigits(line, 3, 2, &d) || !readDigits(line, 6, 2, &hh) ||
      !readDigits(line, 9, 2, &mi) || !readDigits(line, 12, 2, &sec) || mo < 1 || mo > 12 ||
      d < 1 || d > 31)
    return false;
  size_t i = 14;
  int64_t ns = 0;
  if (i < line.size() && line[i] == '.') {
    size_t n = 0;
    for (++i; i < line.size() && text::isDigit(line[i]); ++i, ++n) {
      if (n < 9) ns = ns * 10 + (line[i] - '0');
    }
    for (; n < 9; ++n) ns *= 10;
  }
  std::string_view s = line.substr(i);
  h.thread = text::nextToken(s);
  if (!text::parseUint(h.thread)) return false;
  s = text::trimLeft(s);
  const size_t close = s.find("] ");
  const size_t sp = s.find(' ');
  if (close == std::string_view::npos || close > sp) {
    if (s.empty() || s.back() != ']' || sp != std::string_view::npos) return false;
    h.caller = s.substr(0, s.size() - 1);
    s = {};
  } else {
    h.caller = s.substr(0, close);
    s.remove_prefix(close + 2);
  }
  if (h.caller.find(':') == std::string_view::npos) return false;
  h.level = *levelFromLetter(c);
  h.time = CivilTime{};
  h.time.year = 0;  // glog writes no year; parse() fills in the current one
  h.time.month = mo;
  h.time.day = d;
  h.time.hour = hh;
  h.time.minute = mi;
  h.time.second = sec;
  h.time.nanos = ns;
  h.message = s;
  return true;
}

class KlogParser final : public HeaderFormat<Header, parseHeader, 95> {
 public:
  std::string_view name() const override { return "klog"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    h.time.year = currentYear();
    fillTextRecord(ev, h.level, h.time, h.caller, h.message, out);
    if (auto tid = text::parseUint(h.thread)) setField(out.context, "thread_id", JsonValue(*tid));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeKlogParser() { return std::make_unique<KlogParser>(); }

}  // namespace homeo
