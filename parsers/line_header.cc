#include "parsers/line_header.h"

#include <ctime>

#include "parsers/parser.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {

std::optional<Level> findLevelToken(std::string_view s, size_t window, size_t* end) {
  const size_t limit = std::min(s.size(), window);
  size_t i = 0;
  while (i < limit) {
    // Start of a word.
    if (!text::isAlpha(s[i]) || (i > 0 && text::isIdentChar(s[i - 1]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && text::isAlpha(s[j])) ++j;
    const size_t len = j - i;
    if (len >= 3 && len <= 9 && (j == s.size() || !text::isIdentChar(s[j]))) {
      const std::string_view word = s.substr(i, len);
      // Lower-case words count only when marked as a level: [error], <error>, level=error,
      // "error:" at the start; plain prose ("an error occurred") does not.
      const bool upper = word[0] >= 'A' && word[0] <= 'Z' && word[1] >= 'A' && word[1] <= 'Z';
      const char before = i > 0 ? s[i - 1] : ' ';
      const char after = j < s.size() ? s[j] : ' ';
      const bool marked = before == '[' || before == '<' || before == '=' || before == '(' ||
                          (i == 0 && after == ':') || after == ']' || after == '>';
      if (upper || marked) {
        if (auto level = parseLevel(word)) {
          if (end) *end = j;
          return level;
        }
      }
    }
    i = j;
  }
  return std::nullopt;
}

}  // namespace homeo

namespace homeo {

void fillTextRecord(const LogEvent& ev, Level level, const std::optional<CivilTime>& time,
                    std::string_view module, std::string_view message, ErrorRecord& out) {
  out.level = level;
  if (time) out.time = toUnixNanos(*time);
  out.module.assign(module);
  out.message.assign(text::trim(message));
  if (ev.lines.size() > 1) {
    std::string logged = out.message;
    if (analyzeTrace(ev.lines.subspan(1), out, true) && !out.exception_type.empty() &&
        !logged.empty() && logged != out.message) {
      setField(out.context, "log_message", JsonValue(std::move(logged)));
    }
  }
}

std::optional<CivilTime> parseTimeOfDay(std::string_view s, size_t* used) {
  int hh, mi, sec;
  if (s.size() < 8 || s[2] != ':' || s[5] != ':' || !readDigits(s, 0, 2, &hh) ||
      !readDigits(s, 3, 2, &mi) || !readDigits(s, 6, 2, &sec) || hh > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  CivilTime t;
  t.year = 0;
  t.hour = hh;
  t.minute = mi;
  t.second = sec;
  size_t i = 8;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && text::isDigit(s[i + 1])) {
    size_t n = 0;
    int64_t ns = 0;
    for (++i; i < s.size() && text::isDigit(s[i]); ++i, ++n) {
      if (n < 9) ns = ns * 10 + (s[i] - '0');
    }
    for (; n < 9; ++n) ns *= 10;
    t.nanos = ns;
  }
  if (i < s.size() && text::isDigit(s[i])) return std::nullopt;
  *used = i;
  return t;
}

namespace {

bool wordIs(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i] >= 'A' && word[i] <= 'Z' ? static_cast<char>(word[i] + 32) : word[i];
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

Level levelFromWords(std::string_view msg) {
  if (auto level = findLevelToken(msg, 48)) return *level;
  Level level = Level::kInfo;
  size_t i = 0;
  while (i < msg.size()) {
    if (!text::isAlpha(msg[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < msg.size() && text::isAlpha(msg[j])) ++j;
    const std::string_view w = msg.substr(i, j - i);
    i = j;
    if (w.size() < 3 || w.size() > 9) continue;
    switch (w[0] | 0x20) {
      case 'e':
        if (wordIs(w, "error") || wordIs(w, "errors") || wordIs(w, "err")) return Level::kError;
        break;
      case 'f':
        if (wordIs(w, "fail") || wordIs(w, "failed") || wordIs(w, "failure") ||
            wordIs(w, "fails") || wordIs(w, "fatal"))
          return Level::kError;
        break;
      case 'p':
        if (wordIs(w, "panic") || wordIs(w, "panicked")) return Level::kError;
        break;
      case 'w':
        if (wordIs(w, "warn") || wordIs(w, "warning")) level = Level::kWarning;
        break;
      default:
        break;
    }
  }
  return level;
}

bool parseDayMonthYear(std::string_view s, CivilTime& t, size_t* used) {
  int d, y;
  if (s.size() < 11 || s[2] != '-' || s[6] != '-' || !readDigits(s, 0, 2, &d) ||
      !readDigits(s, 7, 4, &y) || d < 1 || d > 31)
    return false;
  const int month = monthFromAbbrev(s.substr(3, 3));
  if (month == 0) return false;
  t.year = y;
  t.month = month;
  t.day = d;
  *used = 11;
  return true;
}

void dateToday(CivilTime& t) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  t.year = tm.tm_year + 1900;
  t.month = tm.tm_mon + 1;
  t.day = tm.tm_mday;
  const UnixNanos ahead = toUnixNanos(t) - static_cast<UnixNanos>(now) * 1'000'000'000;
  if (ahead <= 60 * UnixNanos{1'000'000'000}) return;
  const std::time_t yesterday = now - 86400;
  localtime_r(&yesterday, &tm);
  t.year = tm.tm_year + 1900;
  t.month = tm.tm_mon + 1;
  t.day = tm.tm_mday;
}

bool readDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!text::isDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace homeo
