#include "parsers/mysql/mysql_error_parser.h"

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view thread;
  std::string_view code;
  std::string_view subsystem;
  std::string_view message;
};

std::optional<Level> mysqlLevel(std::string_view w) {
  if (w == "ERROR" || w == "Error") return Level::kError;
  if (w == "Warning" || w == "WARNING") return Level::kWarning;
  if (w == "Note" || w == "NOTE" || w == "System" || w == "SYSTEM") return Level::kInfo;
  return std::nullopt;
}

// "yymmdd hh:mm:ss" (5.5 and older) or hh left space-padded ("240102  9:04:05").
bool parseOldTime(std::string_view s, CivilTime& t, size_t& used) {
  int yy, mo, d, h, mi, sec;
  if (s.size() < 15 || s[6] != ' ' || !readDigits(s, 0, 2, &yy) || !readDigits(s, 2, 2, &mo) ||
      !readDigits(s, 4, 2, &d))
    return false;
  size_t pos = 7;
  if (s[pos] == ' ') ++pos;
  const size_t hd = text::isDigit(s[pos + 1]) ? 2 : 1;
  if (!readDigits(s, pos, hd, &h)) return false;
  pos += hd;
  if (pos + 6 > s.size() || s[pos] != ':' || !readDigits(s, pos + 1, 2, &mi) || s[pos + 3] != ':' ||
      !readDigits(s, pos + 4, 2, &sec))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  t = CivilTime{};
  t.year = 2000 + yy;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = sec;
  used = pos + 6;
  return true;
}

// Takes "[...]" from the front of s (after spaces).
bool takeBracket(std::string_view& s, std::string_view& inside) {
  std::string_view t = text::trimLeft(s);
  if (t.empty() || t[0] != '[') return false;
  const size_t close = t.find(']');
  if (close == std::string_view::npos) return false;
  inside = t.substr(1, close - 1);
  s = t.substr(close + 1);
  return true;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 20 || !text::isDigit(line[0])) return false;
  size_t used = 0;
  if (auto t = parseTimestampPrefix(line, &used); t && used >= 19) {
    h.time = *t;
  } else if (!parseOldTime(line, h.time, used)) {
    return false;
  }
  std::string_view s = line.substr(used);
  std::string_view probe = s;
  const std::string_view thread = text::nextToken(probe);
  if (text::parseUint(thread)) {
    h.thread = thread;
    s = probe;
  }
  std::string_view word;
  if (!takeBracket(s, word)) return false;
  const auto level = mysqlLevel(word);
  if (!level) return false;
  h.level = *level;
  // 8.0: [MY-010055] [Server]
  std::string_view save = s;
  std::string_view part;
  if (takeBracket(s, part) && text::startsWith(part, "MY-")) {
    h.code = part;
    save = s;
    if (takeBracket(s, part) && !part.empty() && part.find(' ') == std::string_view::npos) {
      h.subsystem = part;
    } else {
      s = save;
    }
  } else {
    s = save;
    // 5.x: "InnoDB: message"
    std::string_view rest = text::trimLeft(s);
    const size_t colon = rest.find(": ");
    if (colon != std::string_view::npos && colon > 0 && colon < 24 &&
        rest.substr(0, colon).find(' ') == std::string_view::npos) {
      h.subsystem = rest.substr(0, colon);
      s = rest.substr(colon + 2);
    }
  }
  h.message = text::trimLeft(s);
  return true;
}

class MysqlErrorParser final : public HeaderFormat<Header, parseHeader, 95> {
 public:
  std::string_view name() const override { return "mysql_error"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    fillTextRecord(ev, h.level, h.time, h.subsystem, h.message, out);
    if (auto tid = text::parseUint(h.thread)) setField(out.context, "thread_id", JsonValue(*tid));
    if (!h.code.empty()) setField(out.context, "error_code", JsonValue(h.code));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeMysqlErrorParser() { return std::make_unique<MysqlErrorParser>(); }

}  // namespace homeo
