#include "common/timeutil.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace homeo {

UnixNanos nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

// Bumped whenever the local zone changes, so that every thread's cache below lets go of
// offsets of the old zone.
std::atomic<uint64_t> zone_generation{0};

// Offset of the local zone at a given local civil time, cached per hour: mktime is slow
// and logs come in long runs of the same hour.
int64_t localOffsetSeconds(const CivilTime& t) {
  thread_local int64_t cached_key = -1;
  thread_local int64_t cached_offset = 0;
  thread_local uint64_t cached_generation = 0;
  const int64_t key = ((static_cast<int64_t>(t.year) * 12 + t.month) * 31 + t.day) * 24 + t.hour;
  const uint64_t generation = zone_generation.load(std::memory_order_acquire);
  if (key == cached_key && generation == cached_generation) return cached_offset;
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.month - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  tm.tm_isdst = -1;
  const std::time_t local = std::mktime(&tm);
  const int64_t as_utc =
      daysFromCivil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day)) * 86400 +
      t.hour * 3600;
  cached_offset = (local == static_cast<std::time_t>(-1)) ? 0 : as_utc - local;
  cached_key = key;
  cached_generation = generation;
  return cached_offset;
}

// The TZ the process started with, taken before the first change, for a config that stops
// naming a zone.
struct StartZone {
  bool set = false;
  std::string value;
};

const StartZone& startZone() {
  static const StartZone zone = [] {
    StartZone z;
    if (const char* tz = std::getenv("TZ")) {
      z.set = true;
      z.value = tz;
    }
    return z;
  }();
  return zone;
}

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool validCivil(const CivilTime& t) {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.hour <= 23 &&
         t.minute <= 59 && t.second <= 60;
}

// Parses hh:mm:ss[.frac] at pos; returns the position after it or npos.
size_t parseClock(std::string_view s, size_t pos, CivilTime& t) {
  if (!digits(s, pos, 2, &t.hour) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
      !digits(s, pos + 3, 2, &t.minute)) {
    return std::string_view::npos;
  }
  pos += 5;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, &t.second)) return std::string_view::npos;
    pos += 3;
  }
  if (pos + 1 < s.size() && (s[pos] == '.' || s[pos] == ',') && s[pos + 1] >= '0' &&
      s[pos + 1] <= '9') {
    ++pos;
    int64_t frac = 0;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) {
        frac = frac * 10 + (s[pos] - '0');
        ++n;
      }
      ++pos;
    }
    while (n < 9) {
      frac *= 10;
      ++n;
    }
    t.nanos = frac;
  }
  return pos;
}

// Parses Z, +hh:mm, +hhmm or +hh at pos (optionally after one space) into t.utc_offset.
size_t parseZone(std::string_view s, size_t pos, CivilTime& t) {
  if (pos < s.size() && s[pos] == 'Z') {
    t.utc_offset = 0;
    return pos + 1;
  }
  size_t p = pos;
  if (p < s.size() && s[p] == ' ' && p + 1 < s.size() && (s[p + 1] == '+' || s[p + 1] == '-')) ++p;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p] == '-' ? -1 : 1;
    int hh = 0, mm = 0;
    if (!digits(s, p + 1, 2, &hh)) return pos;
    size_t q = p + 3;
    if (q < s.size() && s[q] == ':') {
      if (digits(s, q + 1, 2, &mm)) q += 3;
    } else if (digits(s, q, 2, &mm)) {
      q += 2;
    }
    if (hh > 14) return pos;
    t.utc_offset = sign * (hh * 3600 + mm * 60);
    return q;
  }
  return pos;
}

}  // namespace

int currentYear() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

UnixNanos toUnixNanos(const CivilTime& t) {
  // Unix nanoseconds in an int64 reach from 1677 to 2262; outside that the time is unknown.
  if (t.year < 1678 || t.year > 2261) return 0;
  const int64_t days =
      daysFromCivil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
  secs -= t.utc_offset ? *t.utc_offset : localOffsetSeconds(t);
  return secs * 1'000'000'000 + t.nanos;
}

int monthFromAbbrev(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 3) return 0;
  for (int i = 0; i < 12; ++i) {
    const auto m = kMonths[i];
    if ((s[0] | 0x20) == (m[0] | 0x20) && (s[1] | 0x20) == m[1] && (s[2] | 0x20) == m[2])
      return i + 1;
  }
  return 0;
}

std::optional<CivilTime> parseTimestampPrefix(std::string_view s, size_t* consumed) {
  CivilTime t;
  size_t pos;
  if (digits(s, 0, 4, &t.year) && s.size() >= 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4]) {
    if (!digits(s, 5, 2, &t.month) || !digits(s, 8, 2, &t.day)) return std::nullopt;
    pos = 10;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
      const size_t after = parseClock(s, pos + 1, t);
      if (after == std::string_view::npos) {
        if (s[pos] == 'T') return std::nullopt;
      } else {
        pos = parseZone(s, after, t);
      }
    }
  } else if (const int month = monthFromAbbrev(s); month != 0 && s.size() >= 15 && s[3] == ' ') {
    // Mmm dd hh:mm:ss (the day may be space-padded), optionally followed by a year.
    t.month = month;
    t.year = currentYear();
    pos = 4;
    if (s[pos] == ' ') ++pos;
    if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      t.day = s[pos] - '0';
      ++pos;
      if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') t.day = t.day * 10 + (s[pos++] - '0');
    } else {
      return std::nullopt;
    }
    if (pos >= s.size() || s[pos] != ' ') return std::nullopt;
    pos = parseClock(s, pos + 1, t);
    if (pos == std::string_view::npos) return std::nullopt;
    int year = 0;
    if (pos + 5 <= s.size() && s[pos] == ' ' && digits(s, pos + 1, 4, &year) &&
        (pos + 5 == s.size() || s[pos + 5] == ' ')) {
      t.year = year;
      pos += 5;
    }
  } else {
    return std::nullopt;
  }
  if (!validCivil(t)) return std::nullopt;
  if (consumed) *consumed = pos;
  return t;
}

void setLocalZone(std::string_view zone) {
  const StartZone& start = startZone();
  if (zone.empty()) {
    if (start.set) {
      setenv("TZ", start.value.c_str(), 1);
    } else {
      unsetenv("TZ");
    }
  } else {
    const std::string tz = zone == "UTC" ? std::string("UTC0") : std::string(zone);
    setenv("TZ", tz.c_str(), 1);
  }
  tzset();
  zone_generation.fetch_add(1, std::memory_order_acq_rel);
}

std::optional<UnixNanos> epochToNanos(double v) {
  if (!std::isfinite(v) || v <= 0) return std::nullopt;
  double ns;
  if (v < 1e11) {
    ns = v * 1e9;  // seconds
  } else if (v < 1e14) {
    ns = v * 1e6;  // milliseconds
  } else if (v < 1e17) {
    ns = v * 1e3;  // microseconds
  } else if (v < 1e20) {
    ns = v;  // nanoseconds
  } else {
    return std::nullopt;
  }
  // Past 2262 the nanoseconds do not fit an int64 (and the conversion would be undefined):
  // unknown, as toUnixNanos() has it.
  if (ns >= 9.2e18) return std::nullopt;
  // To the microsecond: records carry no finer time, and a double's rounding error (a
  // millisecond time times 1e6 is off by up to ~128 ns) must not show as .123000064.
  return static_cast<UnixNanos>(std::llround(ns / 1e3)) * 1000;
}

namespace {

// Nanoseconds per unit of an epoch number by its magnitude (the whole part): seconds below
// 1e11, milliseconds below 1e14, microseconds below 1e17, else nanoseconds. Returns the unit's
// power of ten (9, 6, 3, 0).
int epochUnitDigits(uint64_t whole) {
  if (whole < 100'000'000'000ULL) return 9;
  if (whole < 100'000'000'000'000ULL) return 6;
  if (whole < 100'000'000'000'000'000ULL) return 3;
  return 0;
}

constexpr int64_t kPow10[] = {1,       10,        100,        1'000,       10'000,
                              100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};
// Past 2262 the nanoseconds do not fit an int64: unknown, as toUnixNanos() has it.
constexpr int64_t kMaxEpochNanos = 9'200'000'000'000'000'000LL;

// "1709374272.123456789": digits, at most one '.', digits; exact to the nanosecond.
std::optional<UnixNanos> epochDecimalToNanos(std::string_view s) {
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 19 || frac.find('.') != std::string_view::npos) {
    return std::nullopt;
  }
  uint64_t w = 0;
  for (char c : whole) w = w * 10 + static_cast<uint64_t>(c - '0');
  const int digits = epochUnitDigits(w);
  const int64_t unit = kPow10[digits];
  if (w > static_cast<uint64_t>(kMaxEpochNanos / unit)) return std::nullopt;
  int64_t ns = static_cast<int64_t>(w) * unit;
  // The fraction's first `digits` digits are the nanoseconds within the unit; finer ones
  // are dropped.
  for (int k = 0; k < digits; ++k) {
    const int64_t d = static_cast<size_t>(k) < frac.size() ? frac[k] - '0' : 0;
    ns += d * kPow10[digits - 1 - k];
  }
  if (ns <= 0 || ns >= kMaxEpochNanos) return std::nullopt;
  return ns;
}

}  // namespace

std::optional<UnixNanos> epochIntegerToNanos(int64_t v) {
  if (v <= 0) return std::nullopt;
  const int64_t unit = kPow10[epochUnitDigits(static_cast<uint64_t>(v))];
  if (v >= kMaxEpochNanos / unit) return std::nullopt;
  return v * unit;
}

std::optional<UnixNanos> parseTimestamp(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  size_t used = 0;
  if (auto t = parseTimestampPrefix(s, &used)) return toUnixNanos(*t);
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  // Epoch numbers written as text are read digit by digit: a double would lose the last
  // digits of nanoseconds.
  return epochDecimalToNanos(s);
}

namespace {

// v in exactly `width` decimal digits, zero-padded (v < 10^width).
void appendDigits(std::string& out, uint64_t v, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

}  // namespace

void appendRfc3339(std::string& out, UnixNanos ns) {
  int64_t secs = ns / 1'000'000'000;
  int64_t frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0 || y > 9999) {
    // Outside the years of four digits: as printf's %04lld writes them.
    char buf[48];
    const int n = std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
    out.append(buf, static_cast<size_t>(n));
  } else {
    appendDigits(out, static_cast<uint64_t>(y), 4);
  }
  char buf[32];
  char* p = buf;
  auto two = [&p](uint64_t v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  *p++ = '-';
  two(m);
  *p++ = '-';
  two(d);
  *p++ = 'T';
  two(static_cast<uint64_t>(rem / 3600));
  *p++ = ':';
  two(static_cast<uint64_t>((rem / 60) % 60));
  *p++ = ':';
  two(static_cast<uint64_t>(rem % 60));
  out.append(buf, static_cast<size_t>(p - buf));
  // At most microseconds (truncated): Python's datetime, which Homeostasis parses records
  // with, holds no finer time, and its fromisoformat before 3.11 takes 3 or 6 digits only.
  frac /= 1000;
  if (frac != 0) {
    out.push_back('.');
    if (frac % 1000 == 0) {
      appendDigits(out, static_cast<uint64_t>(frac / 1000), 3);
    } else {
      appendDigits(out, static_cast<uint64_t>(frac), 6);
    }
  }
  out.push_back('Z');
}

std::string formatRfc3339(UnixNanos ns) {
  std::string s;
  appendRfc3339(s, ns);
  return s;
}

}  // namespace homeo
