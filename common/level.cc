#include "common/level.h"

#include <array>

namespace homeo {

std::string_view levelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
    case Level::kCritical:
      return "CRITICAL";
  }
  return "ERROR";
}

std::optional<Level> parseLevel(std::string_view word) {
  if (word.empty() || word.size() > 12) return std::nullopt;
  std::array<char, 12> buf{};
  for (size_t i = 0; i < word.size(); ++i) {
    // ASCII only, as std::toupper in the C locale, without its per-byte locale lookup (a
    // level is looked up for nearly every line).
    const char c = word[i];
    buf[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  std::string_view w(buf.data(), word.size());
  // By length first: a level is looked up for nearly every line, most often in a word that is
  // none (a logger's name).
  switch (w.size()) {
    case 1:
      return levelFromLetter(w[0]);
    case 3:
      if (w == "ERR") return Level::kError;
      if (w == "INF") return Level::kInfo;
      if (w == "WRN") return Level::kWarning;
      if (w == "DBG") return Level::kDebug;
      if (w == "FTL" || w == "CRT") return Level::kCritical;
      break;
    case 4:
      if (w == "INFO") return Level::kInfo;
      if (w == "WARN") return Level::kWarning;
      if (w == "EROR") return Level::kError;
      if (w == "FINE") return Level::kDebug;
      if (w == "CRIT") return Level::kCritical;
      break;
    case 5:
      if (w == "ERROR") return Level::kError;
      if (w == "DEBUG" || w == "TRACE" || w == "FINER") return Level::kDebug;
      if (w == "FATAL" || w == "PANIC" || w == "EMERG" || w == "ALERT") return Level::kCritical;
      break;
    case 6:
      if (w == "SEVERE") return Level::kError;
      if (w == "NOTICE") return Level::kInfo;
      if (w == "FINEST" || w == "DEBUG1" || w == "DEBUG2" || w == "CONFIG") return Level::kDebug;
      if (w == "DPANIC") return Level::kCritical;
      break;
    case 7:
      if (w == "WARNING") return Level::kWarning;
      if (w == "VERBOSE") return Level::kDebug;
      break;
    case 8:
      if (w == "CRITICAL") return Level::kCritical;
      break;
    case 9:
      if (w == "EMERGENCY") return Level::kCritical;
      break;
    case 11:
      if (w == "INFORMATION") return Level::kInfo;
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::optional<Level> levelFromLetter(char c) {
  switch (c) {
    case 'V':
    case 'D':
    case 'T':
      return Level::kDebug;
    case 'I':
    case 'N':
      return Level::kInfo;
    case 'W':
      return Level::kWarning;
    case 'E':
      return Level::kError;
    case 'F':
    case 'A':
    case 'C':
    case 'U':  // Ruby's Logger: UNKNOWN, always written
      return Level::kCritical;
    default:
      return std::nullopt;
  }
}

Level levelFromSyslogSeverity(int severity) {
  if (severity <= 2) return Level::kCritical;
  if (severity == 3) return Level::kError;
  if (severity == 4) return Level::kWarning;
  if (severity <= 6) return Level::kInfo;
  return Level::kDebug;
}

std::optional<Level> levelFromBunyanNumber(int64_t n) {
  if (n < 0 || n > 100) return std::nullopt;
  if (n < 30) return Level::kDebug;
  if (n < 40) return Level::kInfo;
  if (n < 50) return Level::kWarning;
  if (n < 60) return Level::kError;
  return Level::kCritical;
}

std::optional<Level> levelFromPythonNumber(int64_t n) {
  if (n < 0 || n > 100) return std::nullopt;
  if (n < 20) return Level::kDebug;
  if (n < 30) return Level::kInfo;
  if (n < 40) return Level::kWarning;
  if (n < 50) return Level::kError;
  return Level::kCritical;
}

}  // namespace homeo
