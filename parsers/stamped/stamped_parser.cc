#include "parsers/stamped/stamped_parser.h"

#include <cstdint>

#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  UnixNanos time = 0;
  std::string_view rest;  // the program's own text
};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "@" and 24 hex digits: TAI64 seconds (2^62 + TAI seconds) and nanoseconds.
bool parseTai64n(std::string_view line, Header& h) {
  if (line.size() < 26 || line[0] != '@' || (line.size() > 25 && line[25] != ' ')) return false;
  uint64_t secs = 0;
  uint64_t nanos = 0;
  for (size_t i = 1; i < 25; ++i) {
    const int v = hexValue(line[i]);
    if (v < 0) return false;
    if (i <= 16) {
      secs = secs * 16 + static_cast<uint64_t>(v);
    } else {
      nanos = nanos * 16 + static_cast<uint64_t>(v);
    }
  }
  constexpr uint64_t kTaiBase = uint64_t{1} << 62;
  // TAI runs ahead of UTC by the leap seconds since 1972 (37 now); daemontools' tai64nlocal
  // takes off 10, the offset of 1972, and so do we.
  if (secs < kTaiBase + 10 || nanos >= 1000000000) return false;
  const uint64_t unix_secs = secs - kTaiBase - 10;
  if (unix_secs > 9000000000ULL) return false;
  h.time = static_cast<UnixNanos>(unix_secs) * 1000000000 + static_cast<UnixNanos>(nanos);
  h.rest = line.substr(26);
  return true;
}

// Seconds, milliseconds, microseconds or nanoseconds since 1970 (told apart by their number
// of digits), years 2001 to 2286 only.
bool parseEpoch(std::string_view line, Header& h) {
  size_t i = 0;
  while (i < line.size() && text::isDigit(line[i])) ++i;
  const size_t digits = i;
  if (digits != 10 && digits != 13 && digits != 16 && digits != 19) return false;
  if (line[0] == '0') return false;
  const uint64_t number = *text::parseUint(line.substr(0, digits));
  if (number > static_cast<uint64_t>(INT64_MAX)) return false;
  const int64_t whole = static_cast<int64_t>(number);
  int64_t frac_ns = 0;
  if (i < line.size() && line[i] == '.' && digits == 10) {
    size_t n = 0;
    for (++i; i < line.size() && text::isDigit(line[i]); ++i, ++n) {
      if (n < 9) frac_ns = frac_ns * 10 + (line[i] - '0');
    }
    if (n == 0) return false;
    for (; n < 9; ++n) frac_ns *= 10;
  }
  if (i >= line.size() || !text::isSpace(line[i])) return false;
  int64_t scale = 1000000000;
  if (digits == 13) scale = 1000000;
  if (digits == 16) scale = 1000;
  if (digits == 19) scale = 1;
  // Seconds past 2262 (or a 13-, 16-digit number as large) do not fit in nanoseconds: not a
  // time this format can carry.
  int64_t ns = 0;
  if (__builtin_mul_overflow(whole, scale, &ns) || __builtin_add_overflow(ns, frac_ns, &ns)) {
    return false;
  }
  h.time = ns;
  h.rest = text::trimLeft(line.substr(i));
  return true;
}

template <bool (*ParseHeader)(std::string_view, Header&), int kConfidence>
class StampedParser final : public Parser {
 public:
  explicit StampedParser(std::string_view name) : name_(name) {}

  std::string_view name() const override { return name_; }

  int probe(std::string_view line) const override {
    Header h;
    return ParseHeader(line, h) ? kConfidence : 0;
  }

  bool startsEvent(std::string_view line) const override {
    Header h;
    return ParseHeader(line, h);
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!ParseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    size_t end = 0;
    const Level level = findLevelToken(h.rest, 64, &end).value_or(Level::kInfo);
    if (level < min_level && ev.lines.size() == 1) return ParseStatus::kBelowLevel;
    // "program: message" keeps the program as the module.
    std::string_view module;
    std::string_view message = h.rest;
    std::string_view probe = h.rest;
    const std::string_view first = text::nextToken(probe);
    if (first.size() > 1 && first.back() == ':' && end == 0) {
      module = first.substr(0, first.size() - 1);
      message = text::trimLeft(probe);
    }
    fillTextRecord(ev, level, std::nullopt, module, message, out);
    if (out.level < min_level) return ParseStatus::kBelowLevel;
    out.time = h.time;
    return ParseStatus::kRecord;
  }

 private:
  std::string_view name_;
};

}  // namespace

std::unique_ptr<Parser> makeTai64nParser() {
  return std::make_unique<StampedParser<parseTai64n, 95>>("tai64n");
}

std::unique_ptr<Parser> makeEpochParser() {
  return std::make_unique<StampedParser<parseEpoch, 70>>("epoch");
}

}  // namespace homeo
