#include "parsers/jul/jul_parser.h"

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  std::string_view source;  // "com.example.Foo bar" (class and method) or a logger's name
};

// Reads 1 or 2 digits at s[*pos]; false if there are none.
bool readShort(std::string_view s, size_t* pos, int* out) {
  size_t i = *pos;
  int v = 0;
  while (i < s.size() && i - *pos < 2 && text::isDigit(s[i])) v = v * 10 + (s[i++] - '0');
  if (i == *pos) return false;
  *pos = i;
  *out = v;
  return true;
}

// "Mar 11, 2024 7:45:10 PM source" (%1$tb %1$td, %1$tY %1$tl:%1$tM:%1$tS %1$Tp %2$s).
bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 23 || line[3] != ' ' || !text::isDigit(line[4])) return false;
  const int month = monthFromAbbrev(line.substr(0, 3));
  if (month == 0) return false;
  size_t i = 4;
  int day, year, hour, minute, second;
  if (!readShort(line, &i, &day) || i + 7 > line.size() || line[i] != ',' || line[i + 1] != ' ' ||
      !readDigits(line, i + 2, 4, &year) || line[i + 6] != ' ')
    return false;
  i += 7;
  if (!readShort(line, &i, &hour) || i + 6 > line.size() || line[i] != ':' ||
      !readDigits(line, i + 1, 2, &minute) || line[i + 3] != ':' ||
      !readDigits(line, i + 4, 2, &second))
    return false;
  i += 6;
  if (line.substr(i, 1) == " ") {
    i += 1;
  } else if (line.substr(i, 3) == "\xe2\x80\xaf") {  // U+202F, CLDR's space before AM/PM
    i += 3;
  } else {
    return false;
  }
  const std::string_view ampm = line.substr(i, 2);
  if ((ampm != "AM" && ampm != "PM") || day < 1 || day > 31 || hour < 1 || hour > 12 ||
      minute > 59 || second > 60)
    return false;
  i += 2;
  if (i < line.size() && line[i] != ' ') return false;
  h.time = CivilTime{};
  h.time.year = year;
  h.time.month = month;
  h.time.day = day;
  h.time.hour = hour % 12 + (ampm == "PM" ? 12 : 0);
  h.time.minute = minute;
  h.time.second = second;
  h.source = text::trim(line.substr(std::min(i + 1, line.size())));
  return true;
}

std::optional<Level> julLevel(std::string_view w) {
  if (w == "SEVERE" || w == "SCHWERWIEGEND" || w == "GRAVE") return Level::kError;
  if (w == "WARNING" || w == "WARNUNG" || w == "AVERTISSEMENT" || w == "ADVERTENCIA" ||
      w == "AVVERTENZA")
    return Level::kWarning;
  if (w == "INFO" || w == "INFORMATION" || w == "INFOS") return Level::kInfo;
  if (w == "CONFIG" || w == "FINE" || w == "FINER" || w == "FINEST") return Level::kDebug;
  return std::nullopt;
}

class JulParser final : public HeaderFormat<Header, parseHeader, 90> {
 public:
  std::string_view name() const override { return "jul"; }

  size_t headerLines() const override { return 2; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    // The level and the message are on the second line; without it the event says nothing.
    Level level = Level::kInfo;
    std::string_view message;
    if (ev.lines.size() > 1) {
      const std::string_view second = ev.lines[1];
      const size_t colon = second.find(": ");
      if (colon != std::string_view::npos && colon <= 16) {
        if (const auto l = julLevel(second.substr(0, colon))) {
          level = *l;
          message = second.substr(colon + 2);
        }
      }
      if (message.data() == nullptr) message = second;
    }
    if (level < min_level) return ParseStatus::kBelowLevel;
    const LogEvent body{ev.lines.subspan(std::min<size_t>(1, ev.lines.size())), ev.offset};
    fillTextRecord(body.lines.empty() ? ev : body, level, h.time, {}, message, out);
    const size_t sp = h.source.find(' ');
    out.module.assign(h.source.substr(0, sp));
    if (sp != std::string_view::npos) {
      out.module.push_back('.');
      out.module.append(text::trimLeft(h.source.substr(sp + 1)));
    }
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeJulParser() { return std::make_unique<JulParser>(); }

}  // namespace homeo
