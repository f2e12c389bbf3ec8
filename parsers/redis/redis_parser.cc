#include "parsers/redis/redis_parser.h"

#include "common/timeutil.h"
#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  bool has_year = true;
  Level level = Level::kInfo;
  std::string_view pid;
  char role = 0;
  std::string_view message;
};

std::optional<Level> markLevel(char c) {
  switch (c) {
    case '.':
      return Level::kDebug;
    case '-':
    case '*':
      return Level::kInfo;
    case '#':
      return Level::kWarning;
    default:
      return std::nullopt;
  }
}

bool isRole(char c) { return c == 'X' || c == 'C' || c == 'S' || c == 'M'; }

// "dd Mon yyyy hh:mm:ss.mmm" or "dd Mon hh:mm:ss.mmm"; advances s.
bool takeTime(std::string_view& s, Header& h) {
  int d, hh, mi, sec;
  if (s.size() < 16 || !readDigits(s, 0, 2, &d) || s[2] != ' ' || s[6] != ' ') return false;
  const int month = monthFromAbbrev(s.substr(3, 3));
  if (month == 0) return false;
  size_t pos = 7;
  int year = 0;
  if (readDigits(s, pos, 4, &year) && pos + 4 < s.size() && s[pos + 4] == ' ') {
    pos += 5;
  } else {
    h.has_year = false;
  }
  if (!readDigits(s, pos, 2, &hh) || pos + 8 > s.size() || s[pos + 2] != ':' ||
      !readDigits(s, pos + 3, 2, &mi) || s[pos + 5] != ':' || !readDigits(s, pos + 6, 2, &sec))
    return false;
  pos += 8;
  int64_t ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t n = 0;
    for (++pos; pos < s.size() && text::isDigit(s[pos]); ++pos, ++n) {
      if (n < 9) ns = ns * 10 + (s[pos] - '0');
    }
    for (; n < 9; ++n) ns *= 10;
  }
  if (d < 1 || d > 31 || hh > 23 || mi > 59 || sec > 60) return false;
  h.time = CivilTime{};
  h.time.year = year;
  h.time.month = month;
  h.time.day = d;
  h.time.hour = hh;
  h.time.minute = mi;
  h.time.second = sec;
  h.time.nanos = ns;
  s.remove_prefix(pos);
  return true;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 24) return false;
  std::string_view s = line;
  const bool bracketed = s[0] == '[';
  if (bracketed) s.remove_prefix(1);
  size_t i = 0;
  while (i < s.size() && i < 10 && text::isDigit(s[i])) ++i;
  if (i == 0) return false;
  h.pid = s.substr(0, i);
  if (i + 2 < s.size() && s[i] == ':' && isRole(s[i + 1])) {
    h.role = s[i + 1];
    i += 2;
  } else if (!bracketed) {
    return false;  // a bare number before a date is too common to be Redis's
  }
  if (bracketed) {
    if (i >= s.size() || s[i] != ']') return false;
    ++i;
  }
  if (i >= s.size() || s[i] != ' ') return false;
  s.remove_prefix(i + 1);
  if (!takeTime(s, h)) return false;
  if (s.size() < 2 || s[0] != ' ' || (s.size() > 2 && s[2] != ' ')) return false;
  const auto level = markLevel(s[1]);
  if (!level) return false;
  h.level = *level;
  h.message = s.size() > 3 ? s.substr(3) : std::string_view{};
  return true;
}

class RedisParser final : public HeaderFormat<Header, parseHeader, 95> {
 public:
  std::string_view name() const override { return "redis"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    if (!h.has_year) h.time.year = currentYear();
    fillTextRecord(ev, h.level, h.time, {}, h.message, out);
    if (auto pid = text::parseUint(h.pid)) setField(out.context, "pid", JsonValue(*pid));
    if (h.role != 0) setField(out.context, "role", JsonValue(std::string(1, h.role)));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeRedisParser() { return std::make_unique<RedisParser>(); }

}  // namespace homeo
