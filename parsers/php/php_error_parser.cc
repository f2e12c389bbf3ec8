#include "parsers/php/php_error_parser.h"

#include <string>
#include <vector>

#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  bool level_known = false;  // false: a line error_log() wrote, whose words give the level
  std::string_view php;      // "PHP Fatal error:  ..." when PHP reports one of its errors
  std::string_view kind;     // "Fatal error", "Warning", ...
  std::string_view message;  // the text after the kind, the FPM level, or the date
  int confidence = 0;
};

// The error kinds PHP's error handler writes ("PHP %s:  %s in %s on line %d").
std::optional<Level> phpKindLevel(std::string_view kind) {
  if (kind == "Fatal error" || kind == "Parse error") return Level::kCritical;
  if (kind == "Warning") return Level::kWarning;
  if (kind == "Notice" || kind == "Deprecated" || kind == "Strict Standards") return Level::kInfo;
  if (kind == "Recoverable fatal error" || kind == "Unknown error") return Level::kError;
  return std::nullopt;
}

// "PHP Warning:  msg" at the start of s.
bool readPhpError(std::string_view s, Header& h) {
  if (!text::startsWith(s, "PHP ")) return false;
  const size_t colon = s.find(':', 4);
  if (colon == std::string_view::npos || colon > 28) return false;
  const auto level = phpKindLevel(s.substr(4, colon - 4));
  if (!level) return false;
  h.php = s;
  h.kind = s.substr(4, colon - 4);
  h.level = *level;
  h.level_known = true;
  h.message = text::trimLeft(s.substr(colon + 1));
  return true;
}

// PHP-FPM's own levels (zlog).
std::optional<Level> fpmLevel(std::string_view w) {
  if (w == "NOTICE" || w == "SYSTEM") return Level::kInfo;
  if (w == "WARNING") return Level::kWarning;
  if (w == "ERROR") return Level::kError;
  if (w == "ALERT") return Level::kCritical;
  if (w == "DEBUG") return Level::kDebug;
  return std::nullopt;
}

// "[11-Mar-2024 19:45:10 UTC] " (error_log, the zone PHP's date.timezone names) or
// "[11-Mar-2024 19:45:10] " / "[11-Mar-2024 19:45:10.123456] " (PHP-FPM).
bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 22 || line[0] != '[' || !text::isDigit(line[1])) return false;
  size_t used = 0;
  if (!parseDayMonthYear(line.substr(1), h.time, &used) || line[12] != ' ') return false;
  const auto tod = parseTimeOfDay(line.substr(13), &used);
  if (!tod) return false;
  h.time.hour = tod->hour;
  h.time.minute = tod->minute;
  h.time.second = tod->second;
  h.time.nanos = tod->nanos;
  size_t i = 13 + used;
  bool zoned = false;
  if (i < line.size() && line[i] == ' ') {
    const size_t close = line.find(']', i + 1);
    if (close == std::string_view::npos || close - i > 40) return false;
    const std::string_view zone = line.substr(i + 1, close - i - 1);
    if (zone.empty() || zone.find(' ') != std::string_view::npos) return false;
    if (zone == "UTC" || zone == "GMT" || zone == "Z" || zone == "Etc/UTC") h.time.utc_offset = 0;
    zoned = true;
    i = close;
  }
  if (i >= line.size() || line[i] != ']') return false;
  std::string_view rest = line.substr(i + 1);
  if (!rest.empty()) {
    if (rest[0] != ' ') return false;
    rest.remove_prefix(1);
  }
  if (readPhpError(rest, h)) {
    h.confidence = 95;
    return true;
  }
  if (!zoned) {
    const size_t colon = rest.find(": ");
    if (colon != std::string_view::npos && colon <= 7) {
      if (const auto level = fpmLevel(rest.substr(0, colon))) {
        h.level = *level;
        h.level_known = true;
        h.message = rest.substr(colon + 2);
        // A worker's PHP error, as FPM relays it: '... said into stderr: "NOTICE: PHP message:
        // PHP Warning:  ..."'.
        const size_t pm = h.message.find("PHP message: ");
        if (pm != std::string_view::npos) {
          Header inner;
          if (readPhpError(h.message.substr(pm + 13), inner)) {
            h.level = inner.level;
            h.php = inner.php;
            h.kind = inner.kind;
            h.message = inner.message;
          }
        }
        h.confidence = 85;
        return true;
      }
    }
  }
  h.message = rest;
  h.confidence = zoned ? 60 : 30;
  return true;
}

// " in /app/y.php on line 31" at the end of a PHP error message: the message before it, and the
// location.
std::string_view splitLocation(std::string_view msg, std::string_view& file, int64_t& line) {
  const size_t on = msg.rfind(" on line ");
  if (on == std::string_view::npos) return msg;
  const auto n = text::parseUint(text::trimRight(msg.substr(on + 9)));
  const size_t in = msg.rfind(" in ", on);
  if (!n || *n <= 0 || in == std::string_view::npos) return msg;
  file = msg.substr(in + 4, on - in - 4);
  line = *n;
  return msg.substr(0, in);
}

std::string_view unwrapQuote(std::string_view s) {
  s = text::trimRight(s);
  if (!s.empty() && s.back() == '"') s.remove_suffix(1);
  return s;
}

class PhpErrorParser final : public Parser {
 public:
  std::string_view name() const override { return "php_error"; }

  int probe(std::string_view line) const override {
    Header h;
    return parseHeader(line, h) ? h.confidence : 0;
  }

  bool startsEvent(std::string_view line) const override {
    Header h;
    return parseHeader(line, h);
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    const Level level = h.level_known ? h.level : levelFromWords(h.message);
    if (level < min_level && ev.lines.size() == 1) return ParseStatus::kBelowLevel;
    if (h.php.empty()) {
      fillTextRecord(ev, level, h.time, {}, h.message, out);
      return out.level < min_level ? ParseStatus::kBelowLevel : ParseStatus::kRecord;
    }
    // PHP's own error: its trace reader knows fatal errors and uncaught exceptions with their
    // stack traces.
    lines_.assign(ev.lines.begin(), ev.lines.end());
    lines_[0] = unwrapQuote(h.php);
    out.level = level;
    if (analyzeTrace(lines_, out, true)) {
      out.time = toUnixNanos(h.time);
      if (!out.traceback.empty()) out.traceback.front().assign(ev.lines[0]);
      return out.level < min_level ? ParseStatus::kBelowLevel : ParseStatus::kRecord;
    }
    out.clear();
    std::string_view file;
    int64_t line = 0;
    const std::string_view message = splitLocation(unwrapQuote(h.message), file, line);
    fillTextRecord(ev, level, h.time, {}, message, out);
    if (out.exception_type.empty()) {
      out.language = "php";
      // PHP 7 and later throw a parse error as ParseError; uncaught, it is logged so.
      if (h.kind == "Parse error") out.exception_type = "ParseError";
      if (!file.empty()) out.frames.emplace_back(std::string(file), line, std::string());
    }
    return out.level < min_level ? ParseStatus::kBelowLevel : ParseStatus::kRecord;
  }

 private:
  std::vector<std::string_view> lines_;
};

}  // namespace

std::unique_ptr<Parser> makePhpErrorParser() { return std::make_unique<PhpErrorParser>(); }

}  // namespace homeo
