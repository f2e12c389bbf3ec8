#include "parsers/syslog/syslog_parser.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

using text::isAlpha;
using text::isDigit;

constexpr int kScorePri = 95;        // <PRI> and a timestamp (or RFC 5424's header)
constexpr int kScoreBare5424 = 80;   // no PRI: RFC 5424's header with its structured data
constexpr int kScoreBareTag = 70;    // no PRI: timestamp host tag[pid]: ...
constexpr int kScoreBareNoTag = 40;  // no PRI: Mmm dd hh:mm:ss host text (-- MARK --)
constexpr int kScorePriOnly = 30;    // <PRI> followed by no recognisable timestamp

enum class TimeForm : uint8_t {
  kNone,
  kIso,           // RFC 3339 / ISO 8601
  kBsd,           // Mmm dd hh:mm:ss[.fff][ yyyy]
  kBsdYearFirst,  // Mmm dd yyyy hh:mm:ss (Cisco)
};

// The pieces of a syslog line, as views into it. Scanning allocates nothing.
struct Header {
  int pri = -1;  // -1: none written
  bool rfc5424 = false;
  TimeForm time_form = TimeForm::kNone;
  std::string_view time;  // as written
  std::string_view host;
  std::string_view app;
  std::string_view procid;
  std::string_view msgid;
  std::string_view sd;  // RFC 5424 structured data, "[...]..." (empty when nil)
  std::string_view message;
  int confidence = 0;
};

bool isNil(std::string_view s) { return s.empty() || s == "-"; }

// Takes a token ending at a space or the end of s; false if empty.
bool takeField(std::string_view& s, std::string_view& field) {
  size_t i = 0;
  while (i < s.size() && s[i] != ' ') ++i;
  if (i == 0) return false;
  field = s.substr(0, i);
  s.remove_prefix(i);
  return true;
}

bool takeSpace(std::string_view& s) {
  if (s.empty() || s[0] != ' ') return false;
  s.remove_prefix(1);
  return true;
}

void skipSpaces(std::string_view& s) {
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
}

bool digitsAt(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!isDigit(s[i])) return false;
  }
  return true;
}

int numberAt(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// Length of a BSD timestamp at the start of s, or 0.
size_t scanBsdTime(std::string_view s, TimeForm& form) {
  if (s.size() < 14 || monthFromAbbrev(s) == 0 || s[3] != ' ') return 0;
  size_t p = 4;
  if (s[p] == ' ') ++p;  // space-padded day
  if (p >= s.size() || !isDigit(s[p])) return 0;
  ++p;
  if (p < s.size() && isDigit(s[p])) ++p;
  if (p >= s.size() || s[p] != ' ') return 0;
  ++p;
  form = TimeForm::kBsd;
  if (digitsAt(s, p, 4) && p + 4 < s.size() && s[p + 4] == ' ') {
    form = TimeForm::kBsdYearFirst;
    p += 5;
  }
  if (!digitsAt(s, p, 2) || p + 2 >= s.size() || s[p + 2] != ':' || !digitsAt(s, p + 3, 2) ||
      p + 5 >= s.size() || s[p + 5] != ':' || !digitsAt(s, p + 6, 2)) {
    return 0;
  }
  if (numberAt(s, p, 2) > 23 || numberAt(s, p + 3, 2) > 59 || numberAt(s, p + 6, 2) > 60) return 0;
  p += 8;
  if (p + 1 < s.size() && s[p] == '.' && isDigit(s[p + 1])) {
    ++p;
    while (p < s.size() && isDigit(s[p])) ++p;
  }
  if (form == TimeForm::kBsd && p + 5 <= s.size() && s[p] == ' ' && digitsAt(s, p + 1, 4) &&
      (p + 5 == s.size() || s[p + 5] == ' ')) {
    p += 5;  // trailing year
  }
  return p;
}

// Length of an RFC 3339 timestamp with a time of day at the start of s, or 0. `need_t`:
// the date and time must be joined by 'T' (a space is also taken otherwise).
size_t scanIsoTime(std::string_view s, bool need_t) {
  if (s.size() < 16 || !isDigit(s[0]) || s[4] != '-') return 0;
  if (s[10] != 'T' && (need_t || s[10] != ' ')) return 0;
  size_t used = 0;
  if (!parseTimestampPrefix(s, &used) || used <= 11) return 0;
  return used;
}

// Whether a word is an upper-case level word (ERROR, INFO): what a text log, not a host
// name, has after its timestamp.
bool isUpperLevelWord(std::string_view s) {
  if (s.size() < 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return parseLevel(s).has_value();
}

// Parses "TAG[PID]: MSG" / "TAG: MSG"; without a tag the whole of s is the message.
// Returns whether a tag was found.
bool scanTag(std::string_view s, Header& h) {
  size_t j = 0;
  while (j < s.size() && s[j] != ' ' && s[j] != '[' && s[j] != ':') ++j;
  if (j == 0 || j == s.size()) {
    h.message = s;
    return false;
  }
  size_t k;
  if (s[j] == '[') {
    const size_t close = s.find(']', j + 1);
    if (close == std::string_view::npos ||
        s.substr(j + 1, close - j - 1).find(' ') != std::string_view::npos) {
      h.message = s;
      return false;
    }
    h.procid = s.substr(j + 1, close - j - 1);
    k = close + 1;
    if (k < s.size() && s[k] == ':') ++k;
  } else if (s[j] == ':') {
    k = j + 1;
  } else {
    h.message = s;
    return false;
  }
  h.app = s.substr(0, j);
  if (k < s.size() && s[k] == ' ') ++k;
  h.message = s.substr(k);
  return true;
}

std::string_view trimSd(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// After <PRI>VERSION SP.
bool scan5424(std::string_view s, Header& h) {
  h.rfc5424 = true;
  if (!s.empty() && s[0] == '-' && (s.size() == 1 || s[1] == ' ')) {
    h.time = s.substr(0, 1);
    s.remove_prefix(1);
  } else {
    size_t used = 0;
    if (!parseTimestampPrefix(s, &used) || used <= 10 || (used < s.size() && s[used] != ' ')) {
      return false;
    }
    h.time = s.substr(0, used);
    h.time_form = TimeForm::kIso;
    s.remove_prefix(used);
  }
  if (!takeSpace(s) || !takeField(s, h.host) || !takeSpace(s) || !takeField(s, h.app) ||
      !takeSpace(s) || !takeField(s, h.procid) || !takeSpace(s) || !takeField(s, h.msgid)) {
    return false;
  }
  h.confidence = kScorePri;
  if (!takeSpace(s)) return true;  // no structured data, no message
  if (!s.empty() && s[0] == '-' && (s.size() == 1 || s[1] == ' ')) {
    s.remove_prefix(1);
  } else if (!s.empty() && s[0] == '[') {
    // One or more [id param="value" ...] elements; values may hold \" \\ \].
    size_t p = 0;
    bool complete = true;
    while (p < s.size() && s[p] == '[') {
      ++p;
      bool quoted = false;
      while (p < s.size()) {
        const char c = s[p];
        if (quoted) {
          if (c == '\\') {
            p += 2;
            continue;
          }
          if (c == '"') quoted = false;
        } else if (c == '"') {
          quoted = true;
        } else if (c == ']') {
          break;
        }
        ++p;
      }
      if (p >= s.size()) {
        complete = false;
        break;
      }
      ++p;  // past ']'
    }
    if (complete) {
      h.sd = s.substr(0, p);
      s.remove_prefix(p);
    }
    // A malformed element is left in the message.
  }
  if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.remove_prefix(3);
  h.message = s;
  return true;
}

// RFC 3164 after <PRI> (has_pri), or a line as rsyslog writes it to a file.
bool scan3164(std::string_view s, Header& h, bool has_pri) {
  if (has_pri) skipSpaces(s);
  size_t used = 0;
  if (!s.empty() && isAlpha(s[0])) {
    used = scanBsdTime(s, h.time_form);
  } else if (!s.empty() && isDigit(s[0])) {
    used = scanIsoTime(s, !has_pri);
    if (used) h.time_form = TimeForm::kIso;
  }
  if (used == 0) {
    if (!has_pri) return false;
    h.time_form = TimeForm::kNone;
    h.message = s;
    h.confidence = kScorePriOnly;
    return true;
  }
  const bool iso = h.time_form == TimeForm::kIso;
  h.time = s.substr(0, used);
  s.remove_prefix(used);
  if (!s.empty() && s[0] == ':') s.remove_prefix(1);  // "Mar  7 19:06:53: host ..."
  if (!s.empty() && s[0] != ' ') return false;
  skipSpaces(s);
  std::string_view host;
  if (!takeField(s, host)) {
    // Only a timestamp: a (empty) syslog message if it had a PRI.
    h.confidence = has_pri ? kScorePri : 0;
    return has_pri;
  }
  bool tagged;
  if (host.back() == ':' || host.find('[') != std::string_view::npos) {
    // No host name: "<34>Oct 11 22:14:15 su: ..."
    s = std::string_view(host.data(), static_cast<size_t>(s.data() + s.size() - host.data()));
    tagged = scanTag(s, h);
  } else {
    h.host = host;
    skipSpaces(s);
    tagged = scanTag(s, h);
  }
  if (has_pri) {
    h.confidence = kScorePri;
    return true;
  }
  // Without a PRI the shape alone tells syslog from a text log with the same timestamps.
  if (isUpperLevelWord(h.host.empty() ? h.app : h.host)) return false;
  if (tagged) {
    h.confidence = kScoreBareTag;
  } else if (!iso && !h.host.empty()) {
    h.confidence = kScoreBareNoTag;
  } else {
    return false;
  }
  return true;
}

// RFC 5424 as a file writer stores it, without <PRI>VERSION (rsyslog's RSYSLOG_FileFormat
// with structured data, some appliances). The structured data ('-' or [..]) after the five
// header fields tells it from a text log that starts with an ISO time.
bool scanBare5424(std::string_view line, Header& h) {
  if (line.size() < 20 || !isDigit(line[0])) return false;
  Header t;
  if (!scan5424(line, t) || t.time == "-" || t.message.data() == nullptr) return false;
  // A text log that starts with two times ("2024-... source=x 2024-... 18:30:54,422 [id] -")
  // is not one: a host has no '=', an app name is no date, a MSGID no bracket.
  if (t.host.find('=') != std::string_view::npos || (!t.app.empty() && isDigit(t.app[0])) ||
      (!t.msgid.empty() && t.msgid[0] == '['))
    return false;
  const char* after = t.msgid.data() + t.msgid.size();
  const std::string_view sd =
      trimSd(std::string_view(after, static_cast<size_t>(t.message.data() - after)));
  if (sd != "-" && (sd.empty() || sd[0] != '[' || t.sd.empty())) return false;
  h = t;
  h.confidence = kScoreBare5424;
  return true;
}

bool scanHeader(std::string_view line, Header& h) {
  if (line.empty()) return false;
  if (line[0] != '<') return scanBare5424(line, h) || scan3164(line, h, false);
  // <PRI>: 1-3 digits, no leading zero, at most 191.
  size_t p = 1;
  while (p < line.size() && p <= 4 && isDigit(line[p])) ++p;
  const size_t n = p - 1;
  if (n == 0 || n > 3 || p >= line.size() || line[p] != '>') return false;
  if (n > 1 && line[1] == '0') return false;
  const int pri = numberAt(line, 1, n);
  if (pri > 191) return false;
  h.pri = pri;
  std::string_view s = line.substr(p + 1);
  // RFC 5424: VERSION (1-3 digits, not starting with 0) then SP.
  if (!s.empty() && s[0] >= '1' && s[0] <= '9') {
    size_t v = 1;
    while (v < s.size() && v < 3 && isDigit(s[v])) ++v;
    if (v < s.size() && s[v] == ' ') return scan5424(s.substr(v + 1), h);
  }
  return scan3164(s, h, true);
}

// A level word at the start of a message without PRI: "error: ...", "[error]", "<err>",
// "ERROR", "level=error", or a leading "fatal ..."/"panic ...".
std::optional<Level> levelFromMessage(std::string_view msg) {
  if (auto level = findLevelToken(msg, 64)) return level;
  size_t j = 0;
  while (j < msg.size() && j < 9 && isAlpha(msg[j])) ++j;
  if (j < 4 || (j < msg.size() && !(msg[j] == ' ' || msg[j] == ':' || msg[j] == ','))) {
    return std::nullopt;
  }
  std::string_view word = msg.substr(0, j);
  char lower[9];
  for (size_t i = 0; i < j; ++i) lower[i] = static_cast<char>(word[i] | 0x20);
  const std::string_view w(lower, j);
  if (w == "error") return Level::kError;
  if (w == "warning") return Level::kWarning;
  if (w == "fatal" || w == "panic" || w == "critical") return Level::kCritical;
  return std::nullopt;
}

std::string_view facilityName(int facility) {
  static constexpr std::string_view kNames[] = {
      "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
      "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
      "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};
  if (facility < 0 || facility >= static_cast<int>(std::size(kNames))) return "unknown";
  return kNames[facility];
}

// toUnixNanos, for the years UnixNanos can hold (it overflows outside 1678..2261).
std::optional<UnixNanos> toNanos(const CivilTime& t) {
  if (t.year < 1678 || t.year > 2261) return std::nullopt;
  return toUnixNanos(t);
}

std::optional<UnixNanos> timeOf(const Header& h) {
  switch (h.time_form) {
    case TimeForm::kNone:
      return std::nullopt;
    case TimeForm::kIso:
    case TimeForm::kBsd: {
      auto t = parseTimestampPrefix(h.time);
      if (!t) return std::nullopt;
      return toNanos(*t);
    }
    case TimeForm::kBsdYearFirst: {
      // Mmm dd yyyy hh:mm:ss[.fff]
      std::string_view s = h.time;
      CivilTime t;
      t.month = monthFromAbbrev(s);
      size_t p = 4;
      if (s[p] == ' ') ++p;
      t.day = s[p++] - '0';
      if (isDigit(s[p])) t.day = t.day * 10 + (s[p++] - '0');
      ++p;
      t.year = numberAt(s, p, 4);
      p += 5;
      t.hour = numberAt(s, p, 2);
      t.minute = numberAt(s, p + 3, 2);
      t.second = numberAt(s, p + 6, 2);
      p += 8;
      if (p < s.size() && s[p] == '.') {
        int64_t frac = 0;
        int digits = 0;
        for (++p; p < s.size() && isDigit(s[p]); ++p) {
          if (digits < 9) {
            frac = frac * 10 + (s[p] - '0');
            ++digits;
          }
        }
        for (; digits < 9; ++digits) frac *= 10;
        t.nanos = frac;
      }
      if (t.day < 1 || t.day > 31) return std::nullopt;
      return toNanos(t);
    }
  }
  return std::nullopt;
}

// Parses the SD-ELEMENTs of RFC 5424 ([id name="value" ...]...) into {id: {name: value}}.
JsonObject parseStructuredData(std::string_view sd) {
  JsonObject result;
  size_t p = 0;
  while (p < sd.size() && sd[p] == '[') {
    ++p;
    size_t id_end = p;
    while (id_end < sd.size() && sd[id_end] != ' ' && sd[id_end] != ']') ++id_end;
    const std::string_view id = sd.substr(p, id_end - p);
    p = id_end;
    JsonObject params;
    while (p < sd.size() && sd[p] != ']') {
      if (sd[p] == ' ') {
        ++p;
        continue;
      }
      size_t eq = p;
      while (eq < sd.size() && sd[eq] != '=' && sd[eq] != ' ' && sd[eq] != ']') ++eq;
      const std::string_view name = sd.substr(p, eq - p);
      p = eq;
      if (p + 1 >= sd.size() || sd[p] != '=' || sd[p + 1] != '"') {
        // Malformed parameter: skip to the next space or the element's end.
        while (p < sd.size() && sd[p] != ' ' && sd[p] != ']') ++p;
        continue;
      }
      p += 2;
      std::string value;
      while (p < sd.size() && sd[p] != '"') {
        if (sd[p] == '\\' && p + 1 < sd.size() &&
            (sd[p + 1] == '"' || sd[p + 1] == '\\' || sd[p + 1] == ']')) {
          ++p;
        }
        value.push_back(sd[p]);
        ++p;
      }
      if (p < sd.size()) ++p;  // closing quote
      if (!name.empty()) setField(params, name, JsonValue(std::move(value)));
    }
    if (p < sd.size()) ++p;  // ']'
    if (!id.empty()) setField(result, id, JsonValue(std::move(params)));
  }
  return result;
}

// rsyslog writes the control characters of a message as #ooo (octal), so a message with a
// traceback arrives on one line: "job failed#012Traceback (most recent call last):#012  File
// ...". Decodes them; the first line is the message and the rest may be a stack trace.
void setMultiLineMessage(std::string_view escaped, ErrorRecord& out) {
  std::string decoded;
  decoded.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '#' && i + 3 < escaped.size() && escaped[i + 1] >= '0' &&
        escaped[i + 1] <= '3' && escaped[i + 2] >= '0' && escaped[i + 2] <= '7' &&
        escaped[i + 3] >= '0' && escaped[i + 3] <= '7') {
      const int c =
          (escaped[i + 1] - '0') * 64 + (escaped[i + 2] - '0') * 8 + (escaped[i + 3] - '0');
      if (c < 0x20 || c == 0x7f) {  // "#123" in prose stays as written
        decoded.push_back(static_cast<char>(c));
        i += 3;
        continue;
      }
    }
    decoded.push_back(escaped[i]);
  }
  std::vector<std::string_view> lines;
  splitLines(decoded, lines);
  if (lines.size() > 1) {
    out.message.assign(text::trimRight(lines[0]));
    if (analyzeTrace(std::span(lines).subspan(1), out)) return;
  }
  out.message = std::move(decoded);
}

// The PRI's severity, else a level word at the start of the message, else INFO.
Level levelOf(const Header& h) {
  if (h.pri >= 0) return levelFromSyslogSeverity(h.pri & 7);
  if (auto found = levelFromMessage(h.message)) return *found;
  return Level::kInfo;
}

}  // namespace

int SyslogParser::probe(std::string_view line) const {
  Header h;
  return scanHeader(line, h) ? h.confidence : 0;
}

bool SyslogParser::startsEvent(std::string_view line) const {
  Header h;
  return scanHeader(line, h) && h.confidence > 0;
}

EventStart SyslogParser::scanStart(std::string_view line) const {
  Header h;
  EventStart start;
  start.starts = scanHeader(line, h) && h.confidence > 0;
  if (start.starts) start.level = levelOf(h);
  return start;
}

ParseStatus SyslogParser::parse(const LogEvent& event, Level min_level, ErrorRecord& out) {
  if (event.lines.empty()) return ParseStatus::kNotMatched;
  Header h;
  if (!scanHeader(event.lines[0], h) || h.confidence == 0) return ParseStatus::kNotMatched;

  const Level level = levelOf(h);
  if (level < min_level) return ParseStatus::kBelowLevel;

  out.level = level;
  if (auto t = timeOf(h)) out.time = *t;
  const std::string_view message = text::trimRight(h.message);
  if (message.find("#012") != std::string_view::npos) {
    setMultiLineMessage(message, out);
  } else {
    out.message.assign(message);
  }
  if (!isNil(h.app)) out.module.assign(h.app);

  if (!isNil(h.host)) setField(out.context, "syslog_host", JsonValue(h.host));
  if (!isNil(h.procid)) setField(out.context, "syslog_pid", JsonValue(h.procid));
  if (!isNil(h.msgid)) setField(out.context, "syslog_msgid", JsonValue(h.msgid));
  if (h.pri >= 0) setField(out.context, "syslog_facility", JsonValue(facilityName(h.pri >> 3)));
  if (!h.sd.empty()) {
    JsonObject sd = parseStructuredData(h.sd);
    if (!sd.empty()) setField(out.context, "structured_data", JsonValue(std::move(sd)));
  }

  if (event.lines.size() > 1) {
    const auto rest = event.lines.subspan(1);
    if (!out.traceback.empty() || !analyzeTrace(rest, out)) {
      // A multi-line message.
      for (std::string_view line : rest) {
        out.message.push_back('\n');
        out.message.append(text::trimRight(line));
      }
    }
  }
  return ParseStatus::kRecord;
}

std::unique_ptr<Parser> makeSyslogParser() { return std::make_unique<SyslogParser>(); }

}  // namespace homeo
