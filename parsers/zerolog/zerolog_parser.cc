#include "parsers/zerolog/zerolog_parser.h"

#include <string>

#include "parsers/console_line.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  bool time_of_day = false;  // time.Kitchen: no date (and no seconds)
  bool timed = false;
  Level level = Level::kInfo;
  std::string_view caller;
  std::string_view message;  // with the fields
  int confidence = 0;
};

std::optional<Level> zerologLevel(std::string_view w) {
  if (w == "INF") return Level::kInfo;
  if (w == "ERR") return Level::kError;
  if (w == "WRN") return Level::kWarning;
  if (w == "DBG" || w == "TRC") return Level::kDebug;
  if (w == "FTL" || w == "PNC") return Level::kCritical;
  if (w == "???") return Level::kInfo;
  return std::nullopt;
}

// "7:45PM", "12:03AM" (time.Kitchen).
bool parseKitchen(std::string_view s, CivilTime& t, size_t* used) {
  size_t i = 0;
  int hour = 0;
  while (i < s.size() && i < 2 && text::isDigit(s[i])) hour = hour * 10 + (s[i++] - '0');
  int minute = 0;
  if (i == 0 || i + 5 > s.size() || s[i] != ':' || !readDigits(s, i + 1, 2, &minute)) return false;
  const std::string_view ampm = s.substr(i + 3, 2);
  if ((ampm != "AM" && ampm != "PM") || hour < 1 || hour > 12 || minute > 59) return false;
  t = CivilTime{};
  t.year = 0;
  t.hour = hour % 12 + (ampm == "PM" ? 12 : 0);
  t.minute = minute;
  *used = i + 5;
  return true;
}

// `line` without its colours.
bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 10) return false;
  size_t used = 0;
  if (text::startsWith(line, "<nil> ")) {
    used = 5;
  } else if (parseKitchen(line, h.time, &used)) {
    h.time_of_day = true;
    h.timed = true;
  } else if (!line.empty() && text::isDigit(line[0])) {
    const auto t = parseTimestampPrefix(line, &used);
    if (!t || used < 19) return false;
    h.time = *t;
    h.timed = true;
  } else {
    return false;
  }
  if (used + 4 > line.size() || line[used] != ' ') return false;
  const auto level = zerologLevel(line.substr(used + 1, 3));
  if (!level || (used + 4 < line.size() && line[used + 4] != ' ')) return false;
  h.level = *level;
  std::string_view s = text::trimLeft(line.substr(std::min(line.size(), used + 5)));
  // "main.go:42 > " (the caller, relative to the working directory)
  const size_t sp = s.find(' ');
  if (sp != std::string_view::npos && sp > 2 && s.substr(sp, 2) == " >" &&
      (sp + 2 == s.size() || s[sp + 2] == ' ')) {
    h.caller = s.substr(0, sp);
    s = text::trimLeft(s.substr(sp + 2));
  }
  h.message = s;
  h.confidence = h.time_of_day ? 90 : h.timed ? 85 : 60;
  return true;
}

bool parseRaw(std::string_view line, Header& h, std::string& scratch) {
  return parseHeader(console::stripAnsi(line, scratch), h);
}

std::string& probeScratch() {
  thread_local std::string s;
  return s;
}

class ZerologParser final : public Parser {
 public:
  std::string_view name() const override { return "zerolog"; }

  int probe(std::string_view line) const override {
    Header h;
    return parseRaw(line, h, probeScratch()) ? h.confidence : 0;
  }

  bool startsEvent(std::string_view line) const override {
    Header h;
    return parseRaw(line, h, probeScratch());
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseRaw(ev.lines[0], h, scratch_)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    if (h.time_of_day) dateToday(h.time);
    const std::string_view message = console::splitTrailingFields(h.message, &out.context);
    std::optional<CivilTime> time;
    if (h.timed) time = h.time;
    fillTextRecord(ev, h.level, time, h.caller, message, out);
    if (out.message.empty()) {
      // log.Error().Err(err).Send(): the error is all it says.
      const JsonValue* err = findField(out.context, "error");
      out.message = err && err->isString() ? *err->asString() : std::string(h.message);
    }
    return ParseStatus::kRecord;
  }

 private:
  std::string scratch_;
};

}  // namespace

std::unique_ptr<Parser> makeZerologParser() { return std::make_unique<ZerologParser>(); }

}  // namespace homeo
