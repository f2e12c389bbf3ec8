#include "parsers/apache/apache_error_parser.h"
#include "parsers/header_format.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view module;
  std::string_view pid;
  std::string_view client;
  std::string_view message;
};

std::optional<Level> apacheLevel(std::string_view w) {
  if (text::startsWith(w, "trace") && w.size() == 6) return Level::kDebug;
  return parseLevel(w);
}

// "Tue Jan 02 15:04:05[.uuuuuu] 2024"
bool parseTime(std::string_view s, CivilTime& t) {
  if (s.size() < 24 || s[3] != ' ' || s[7] != ' ') return false;
  const int month = monthFromAbbrev(s.substr(4, 3));
  if (month == 0) return false;
  int d, h, mi, sec;
  const bool pad = s[8] == ' ';
  if (!readDigits(s, pad ? 9 : 8, pad ? 1 : 2, &d) || s[10] != ' ' || !readDigits(s, 11, 2, &h) ||
      s[13] != ':' || !readDigits(s, 14, 2, &mi) || s[16] != ':' || !readDigits(s, 17, 2, &sec))
    return false;
  size_t i = 19;
  int64_t ns = 0;
  if (i < s.size() && s[i] == '.') {
    size_t n = 0;
    for (++i; i < s.size() && text::isDigit(s[i]); ++i, ++n) {
      if (n < 9) ns = ns * 10 + (s[i] - '0');
    }
    for (; n < 9; ++n) ns *= 10;
  }
  int y;
  if (i >= s.size() || s[i] != ' ' || !readDigits(s, i + 1, 4, &y)) return false;
  t = CivilTime{};
  t.year = y;
  t.month = month;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = sec;
  t.nanos = ns;
  return true;
}

// Takes "[...] " from the front of s.
bool takeBracket(std::string_view& s, std::string_view& inside) {
  if (s.empty() || s[0] != '[') return false;
  const size_t close = s.find(']');
  if (close == std::string_view::npos) return false;
  inside = s.substr(1, close - 1);
  s.remove_prefix(close + 1);
  s = text::trimLeft(s);
  return true;
}

bool parseHeader(std::string_view line, Header& h) {
  std::string_view s = line;
  std::string_view part;
  if (!takeBracket(s, part) || !parseTime(part, h.time)) return false;
  if (!takeBracket(s, part)) return false;
  const size_t colon = part.find(':');
  if (colon != std::string_view::npos) {
    h.module = part.substr(0, colon);
    part.remove_prefix(colon + 1);
  }
  const auto level = apacheLevel(part);
  if (!level) return false;
  h.level = *level;
  // Optional [pid N(:tid M)] and [client ip(:port)] / [remote ...].
  for (int k = 0; k < 3 && !s.empty() && s[0] == '['; ++k) {
    std::string_view save = s;
    if (!takeBracket(s, part)) break;
    if (text::startsWith(part, "pid ")) {
      part.remove_prefix(4);
      h.pid = part.substr(0, part.find(':'));
    } else if (text::startsWith(part, "client ") || text::startsWith(part, "remote ")) {
      h.client = part.substr(7);
    } else {
      s = save;
      break;
    }
  }
  h.message = s;
  return true;
}

// "1.2.3.4:5678" -> "1.2.3.4"; IPv6 addresses keep their colons.
std::string_view hostOf(std::string_view addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string_view::npos || addr.find(':') != colon) return addr;
  return addr.substr(0, colon);
}

class ApacheErrorParser final : public HeaderFormat<Header, parseHeader, 95> {
 public:
  std::string_view name() const override { return "apache_error"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    fillTextRecord(ev, h.level, h.time, h.module, h.message, out);
    if (!h.client.empty()) setField(out.request_info, "client_ip", JsonValue(hostOf(h.client)));
    if (auto pid = text::parseUint(h.pid)) setField(out.context, "pid", JsonValue(*pid));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeApacheErrorParser() { return std::make_unique<ApacheErrorParser>(); }

}  // namespace homeo
