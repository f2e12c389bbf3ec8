#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "common/timeutil.h"
#include "parsers/parser_set.h"
#include "parsers/source_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

// What the tests of loggers' default layouts check a format by: the format detected for a
// file's lines, the records the daemon makes of them, and times.
namespace homeo::test {

inline std::string detected(const std::vector<std::string_view>& lines) {
  return std::string(detectFormat(sharedBuiltinSet(), lines).parser->name());
}

// The records a SourceParser makes of `lines` (format detected), as the daemon reads a file.
inline std::vector<ErrorRecord> readLines(const std::vector<std::string_view>& lines,
                                          Level min_level = Level::kError) {
  std::vector<ErrorRecord> out;
  SourceInfo info;
  info.min_level = min_level;
  SourceParser sp(sharedBuiltinSet(), info, [&](ErrorRecord& r) { out.push_back(r); });
  uint64_t off = 0;
  for (const auto l : lines) {
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  return out;
}

// An RFC 3339 time with its zone.
inline UnixNanos utc(std::string_view rfc3339) { return *parseTimestamp(rfc3339); }

inline UnixNanos localTime(int y, int mo, int d, int h, int mi, int s, int64_t ns = 0) {
  CivilTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = s;
  t.nanos = ns;
  return toUnixNanos(t);
}

// The local time of day of `t` as "hh:mm:ss", and whether t is no later than a minute from now:
// what a layout that writes the time of day only can be checked for.
inline std::string clockOf(UnixNanos t) {
  const std::time_t secs = static_cast<std::time_t>(t / 1'000'000'000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}
inline bool notInTheFuture(UnixNanos t) {
  return t <= nowNanos() + 60 * UnixNanos{1'000'000'000} &&
         t > nowNanos() - 2 * 86400 * UnixNanos{1'000'000'000};
}

}  // namespace homeo::test
