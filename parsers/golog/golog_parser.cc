#include "parsers/golog/golog_parser.h"

#include <string>
#include <vector>

#include "parsers/console_line.h"
#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  std::string_view prefix;  // log.New's prefix when written before the date
  std::string_view caller;  // "main.go:23" (Lshortfile) or "/src/app/main.go:23" (Llongfile)
  std::string_view message;
  int confidence = 0;
};

// "2024/03/11 19:45:10" with an optional ".123456"; `used` is set past it.
bool parseGoTime(std::string_view s, CivilTime& t, size_t& used) {
  int y, mo, d, hh, mi, sec;
  if (s.size() < 19 || s[4] != '/' || s[7] != '/' || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
      !readDigits(s, 0, 4, &y) || !readDigits(s, 5, 2, &mo) || !readDigits(s, 8, 2, &d) ||
      !readDigits(s, 11, 2, &hh) || !readDigits(s, 14, 2, &mi) || !readDigits(s, 17, 2, &sec) ||
      mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || sec > 60)
    return false;
  t = CivilTime{};
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = hh;
  t.minute = mi;
  t.second = sec;
  used = 19;
  if (used < s.size() && s[used] == '.') {
    size_t n = 0;
    int64_t ns = 0;
    for (++used; used < s.size() && text::isDigit(s[used]); ++used, ++n) {
      if (n < 9) ns = ns * 10 + (s[used] - '0');
    }
    if (n == 0) return false;
    for (; n < 9; ++n) ns *= 10;
    t.nanos = ns;
  }
  return true;
}

// "main.go:23:" or "/src/app/main.go:23:" as Lshortfile/Llongfile write it.
bool isCaller(std::string_view token) {
  if (token.size() < 7 || token.back() != ':') return false;
  token.remove_suffix(1);
  const size_t colon = token.rfind(':');
  if (colon == std::string_view::npos || !text::parseUint(token.substr(colon + 1))) return false;
  return token.substr(0, colon).ends_with(".go");
}

// nginx writes the same date, then "[level] pid#tid:": its lines are its own format's.
bool looksLikeNginx(std::string_view rest) {
  if (rest.empty() || rest[0] != '[') return false;
  const size_t close = rest.find("] ");
  if (close == std::string_view::npos || close > 8) return false;
  if (!parseLevel(rest.substr(1, close - 1))) return false;
  const std::string_view after = rest.substr(close + 2);
  return !after.empty() && text::isDigit(after[0]) && after.find('#') < after.find(' ');
}

bool parseHeader(std::string_view line, Header& h) {
  size_t start = 0;
  if (line.empty() || !text::isDigit(line[0])) {
    // A prefix of one word before the date ("myapp: ", "[api] ").
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 32) return false;
    h.prefix = line.substr(0, sp);
    start = sp + 1;
  }
  size_t used = 0;
  if (!parseGoTime(line.substr(start), h.time, used)) return false;
  std::string_view rest = line.substr(start + used);
  if (rest.empty()) {
    h.message = rest;
  } else {
    if (rest[0] != ' ') return false;
    rest.remove_prefix(1);
    if (looksLikeNginx(rest)) return false;
    std::string_view probe = rest;
    const std::string_view first = text::nextToken(probe);
    if (isCaller(first)) {
      h.caller = first.substr(0, first.size() - 1);
      rest = text::trimLeft(probe);
    }
    h.message = rest;
  }
  h.confidence = h.caller.empty() ? 65 : 80;
  return true;
}

// log/slog's default handler writes through the log package: "INFO msg key=value", the level
// upper case (with an offset such as "ERROR+2" for levels between). Strips the level from
// `message`.
std::optional<Level> slogLevel(std::string_view& message) {
  const size_t sp = message.find(' ');
  std::string_view word = message.substr(0, sp);
  if (word.size() < 4 || word.size() > 8) return std::nullopt;
  const size_t sign = word.find_first_of("+-");
  if (sign != std::string_view::npos) {
    if (!text::parseUint(word.substr(sign + 1))) return std::nullopt;
    word = word.substr(0, sign);
  }
  std::optional<Level> level;
  if (word == "INFO") level = Level::kInfo;
  if (word == "WARN") level = Level::kWarning;
  if (word == "ERROR") level = Level::kError;
  if (word == "DEBUG") level = Level::kDebug;
  if (!level) return std::nullopt;
  message = sp == std::string_view::npos ? std::string_view() : message.substr(sp + 1);
  return level;
}

class GoLogParser final : public HeaderFormat<Header, parseHeader> {
 public:
  std::string_view name() const override { return "golog"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    std::string_view message = h.message;
    const auto slog = slogLevel(message);
    Level level = slog ? *slog : levelFromWords(message);
    if (level < min_level && ev.lines.size() == 1) return ParseStatus::kBelowLevel;
    if (slog) {
      const std::string_view text = console::splitTrailingFields(message, &out.context);
      if (!text.empty()) message = text;
    }
    fillTextRecord(ev, level, h.time, h.caller, message, out);
    if (ev.lines.size() > 1 && out.exception_type.empty()) readRecoveredPanic(ev, h.message, out);
    // A stack trace below the line says it reports an error.
    if (!out.traceback.empty() && level < Level::kError) level = Level::kError;
    if (level < min_level) return ParseStatus::kBelowLevel;
    out.level = level;
    if (!h.prefix.empty()) setField(out.context, "prefix", JsonValue(h.prefix));
    return ParseStatus::kRecord;
  }

 private:
  // net/http's "http: panic serving 10.0.0.1:5555: <value>" (and any "panic: <value>" line a
  // recover() logged) followed by the goroutine dump of debug.Stack(): the record is about the
  // panic, with the dump's frames.
  void readRecoveredPanic(const LogEvent& ev, std::string_view message, ErrorRecord& out) {
    if (!text::startsWith(ev.lines[1], "goroutine ")) return;
    std::string_view value;
    if (const size_t serving = message.find("panic serving "); serving != std::string_view::npos) {
      const size_t colon = message.find(": ", serving + 14);
      if (colon == std::string_view::npos) return;
      value = message.substr(colon + 2);
    } else if (const size_t p = message.find("panic: "); p != std::string_view::npos) {
      value = message.substr(p + 7);
    } else {
      return;
    }
    head_.assign("panic: ");
    head_.append(value);
    lines_.assign(ev.lines.begin(), ev.lines.end());
    lines_[0] = head_;
    std::string logged = out.message;
    if (!analyzeTrace(lines_, out, true)) return;
    if (!out.traceback.empty()) out.traceback.front().assign(ev.lines[0]);
    setField(out.context, "log_message", JsonValue(std::move(logged)));
    setField(out.context, "recovered", JsonValue(true));
  }

  std::string head_;
  std::vector<std::string_view> lines_;
};

}  // namespace

std::unique_ptr<Parser> makeGoLogParser() { return std::make_unique<GoLogParser>(); }

}  // namespace homeo
