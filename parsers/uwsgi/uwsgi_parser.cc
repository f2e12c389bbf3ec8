#include "parsers/uwsgi/uwsgi_parser.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Entry {
  std::string_view pid;
  std::string_view client;
  std::string_view user;
  std::string_view time;
  std::string_view method;
  std::string_view path;
  std::string_view size;
  std::string_view duration;
  std::string_view unit;
  std::string_view protocol;
  int status = 0;
};

// Takes what lies between `open` and the matching `close` at the front of s (after spaces).
bool takeDelimited(std::string_view& s, char open, char close, std::string_view& inside) {
  std::string_view t = text::trimLeft(s);
  if (t.empty() || t[0] != open) return false;
  const size_t end = t.find(close, 1);
  if (end == std::string_view::npos) return false;
  inside = t.substr(1, end - 1);
  s = t.substr(end + 1);
  return true;
}

bool parseEntry(std::string_view line, Entry& e) {
  if (!text::startsWith(line, "[pid: ")) return false;
  std::string_view s = line;
  std::string_view part;
  if (!takeDelimited(s, '[', ']', part)) return false;
  e.pid = part.substr(5, part.find('|') == std::string_view::npos ? 0 : part.find('|') - 5);
  e.client = text::nextToken(s);
  if (!takeDelimited(s, '(', ')', e.user)) return false;
  if (!takeDelimited(s, '{', '}', part)) return false;
  if (!takeDelimited(s, '[', ']', e.time)) return false;
  e.method = text::nextToken(s);
  e.path = text::nextToken(s);
  if (e.method.empty() || e.path.empty()) return false;
  if (text::nextToken(s) != "=>" || text::nextToken(s) != "generated") return false;
  e.size = text::nextToken(s);
  text::nextToken(s);  // bytes
  if (text::nextToken(s) != "in") return false;
  e.duration = text::nextToken(s);
  e.unit = text::nextToken(s);
  if (!takeDelimited(s, '(', ')', part)) return false;
  const size_t sp = part.rfind(' ');
  if (sp == std::string_view::npos) return false;
  e.protocol = part.substr(0, sp);
  const auto status = text::parseUint(part.substr(sp + 1));
  if (!status || *status < 100 || *status > 599) return false;
  e.status = static_cast<int>(*status);
  return true;
}

// "Tue Jan  2 15:04:05 2024"
std::optional<CivilTime> parseTime(std::string_view s) {
  if (s.size() < 24 || s[3] != ' ') return std::nullopt;
  return parseTimestampPrefix(s.substr(4));
}

bool present(std::string_view v) { return !v.empty() && v != "-"; }

class UwsgiParser final : public Parser {
 public:
  std::string_view name() const override { return "uwsgi"; }

  int probe(std::string_view line) const override {
    Entry e;
    return parseEntry(line, e) ? 95 : 0;
  }

  bool startsEvent(std::string_view line) const override {
    Entry e;
    return parseEntry(line, e);
  }

  // A request line is complete in itself.
  bool continuesEvent(std::span<const std::string_view>, std::string_view) const override {
    return false;
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Entry e;
    if (!parseEntry(ev.lines[0], e)) return ParseStatus::kNotMatched;
    const Level level = e.status >= 500   ? Level::kError
                        : e.status >= 400 ? Level::kWarning
                                          : Level::kInfo;
    if (level < min_level) return ParseStatus::kBelowLevel;
    out.level = level;
    if (auto t = parseTime(e.time)) out.time = toUnixNanos(*t);
    out.message.assign(e.method).append(" ").append(e.path).append(" -> ");
    out.message.append(std::to_string(e.status));
    setField(out.request_info, "method", JsonValue(e.method));
    setField(out.request_info, "path", JsonValue(e.path));
    if (present(e.client)) setField(out.request_info, "client_ip", JsonValue(e.client));
    if (present(e.protocol)) setField(out.request_info, "protocol", JsonValue(e.protocol));
    if (present(e.user)) setField(out.context, "remote_user", JsonValue(e.user));
    setField(out.response_info, "status_code", JsonValue(int64_t{e.status}));
    if (auto size = text::parseUint(e.size)) {
      setField(out.response_info, "size_bytes", JsonValue(*size));
    }
    if (auto d = text::parseUint(e.duration)) {
      const double ms =
          e.unit == "micros" ? static_cast<double>(*d) / 1000.0 : static_cast<double>(*d);
      setField(out.request_info, "duration_ms", JsonValue(ms));
    }
    if (auto pid = text::parseUint(e.pid)) setField(out.context, "pid", JsonValue(*pid));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeUwsgiParser() { return std::make_unique<UwsgiParser>(); }

}  // namespace homeo
