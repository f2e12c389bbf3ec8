#include "transports/homeostasis/homeostasis_line.h"

#include <ctime>
#include <optional>

namespace homeo {

namespace {

constexpr std::string_view kTimestampKey = "{\"timestamp\":\"";
constexpr std::string_view kUtcKey = ",\"timestamp_utc\":\"";

void appendDigits(std::string& out, int64_t value, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

// The string value starting at `pos` (just after its opening quote), if it holds no escapes:
// timestamps never do.
std::optional<std::string_view> plainString(std::string_view s, size_t pos) {
  const size_t end = s.find('"', pos);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view value = s.substr(pos, end - pos);
  if (value.find('\\') != std::string_view::npos) return std::nullopt;
  return value;
}

}  // namespace

void appendNaiveLocalIso(std::string& out, UnixNanos ns) {
  // Floor division, so that times before 1970 keep a positive fraction.
  int64_t secs = ns / 1'000'000'000;
  int64_t frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (localtime_r(&t, &tm) == nullptr) tm = std::tm{};
  appendDigits(out, tm.tm_year + 1900, 4);
  out.push_back('-');
  appendDigits(out, tm.tm_mon + 1, 2);
  out.push_back('-');
  appendDigits(out, tm.tm_mday, 2);
  out.push_back('T');
  appendDigits(out, tm.tm_hour, 2);
  out.push_back(':');
  appendDigits(out, tm.tm_min, 2);
  out.push_back(':');
  appendDigits(out, tm.tm_sec, 2);
  const int64_t micros = frac / 1000;
  if (micros != 0) {
    out.push_back('.');
    appendDigits(out, micros, 6);
  }
}

bool appendHomeostasisLine(std::string_view record, std::string& out) {
  if (record.substr(0, kTimestampKey.size()) != kTimestampKey) return false;
  size_t pos = kTimestampKey.size();
  std::optional<std::string_view> written = plainString(record, pos);
  if (!written) return false;
  pos += written->size() + 1;
  std::string_view source = *written;
  if (record.substr(pos, kUtcKey.size()) == kUtcKey) {
    // Written by this transport before: the UTC time is the one to go by.
    const std::optional<std::string_view> utc = plainString(record, pos + kUtcKey.size());
    if (!utc) return false;
    source = *utc;
    pos += kUtcKey.size() + utc->size() + 1;
  }
  const std::optional<UnixNanos> when = parseTimestamp(source);
  if (!when || pos >= record.size() || (record[pos] != ',' && record[pos] != '}')) return false;

  out.append(kTimestampKey);
  appendNaiveLocalIso(out, *when);
  out.push_back('"');
  out.append(kUtcKey);
  appendRfc3339(out, *when);
  out.push_back('"');
  out.append(record.substr(pos));
  return true;
}

}  // namespace homeo
