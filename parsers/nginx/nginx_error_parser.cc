#include "parsers/nginx/nginx_error_parser.h"
#include "parsers/header_format.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view pid;
  std::string_view connection;
  std::string_view message;  // up to the ", client: " tail
  std::string_view tail;     // "client: ..., server: ..."
};

bool parseHeader(std::string_view line, Header& h) {
  int y, mo, d, hh, mi, sec;
  if (line.size() < 22 || line[4] != '/' || line[7] != '/' || line[10] != ' ' || line[13] != ':' ||
      line[16] != ':' || line[19] != ' ' || line[20] != '[' || !readDigits(line, 0, 4, &y) ||
      !readDigits(line, 5, 2, &mo) || !readDigits(line, 8, 2, &d) ||
      !readDigits(line, 11, 2, &hh) || !readDigits(line, 14, 2, &mi) ||
      !readDigits(line, 17, 2, &sec))
    return false;
  std::string_view s = line.substr(21);
  const size_t close = s.find("] ");
  if (close == std::string_view::npos || close > 8) return false;
  const auto level = parseLevel(s.substr(0, close));
  if (!level) return false;
  s.remove_prefix(close + 2);
  // "1234#0: "
  const size_t hash = s.find('#');
  const size_t colon = s.find(": ");
  if (hash == std::string_view::npos || colon == std::string_view::npos || hash > colon ||
      !text::parseUint(s.substr(0, hash)))
    return false;
  h.pid = s.substr(0, hash);
  s.remove_prefix(colon + 2);
  if (!s.empty() && s[0] == '*') {
    const size_t sp = s.find(' ');
    h.connection = s.substr(1, sp == std::string_view::npos ? s.size() - 1 : sp - 1);
    s.remove_prefix(sp == std::string_view::npos ? s.size() : sp + 1);
  }
  const size_t tail = s.find(", client: ");
  if (tail != std::string_view::npos) {
    h.message = s.substr(0, tail);
    h.tail = s.substr(tail + 2);
  } else {
    h.message = s;
  }
  h.time = CivilTime{};
  h.time.year = y;
  h.time.month = mo;
  h.time.day = d;
  h.time.hour = hh;
  h.time.minute = mi;
  h.time.second = sec;
  h.level = *level;
  return true;
}

// Splits `client: 1.2.3.4, server: x, request: "GET /a HTTP/1.1", host: "x"` into pairs.
template <typename Fn>
void forEachPair(std::string_view s, Fn&& fn) {
  while (!s.empty()) {
    const size_t colon = s.find(": ");
    if (colon == std::string_view::npos) return;
    const std::string_view key = text::trim(s.substr(0, colon));
    s.remove_prefix(colon + 2);
    std::string_view value;
    if (!s.empty() && s[0] == '"') {
      size_t end = 1;
      while (end < s.size() && s[end] != '"') end += s[end] == '\\' ? 2 : 1;
      value = s.substr(1, std::min(end, s.size()) - 1);
      s.remove_prefix(std::min(end + 1, s.size()));
    } else {
      const size_t comma = s.find(", ");
      value = s.substr(0, comma);
      s.remove_prefix(comma == std::string_view::npos ? s.size() : comma);
    }
    fn(key, value);
    const size_t next = s.find(", ");
    if (next == std::string_view::npos) return;
    s.remove_prefix(next + 2);
  }
}

class NginxErrorParser final : public HeaderFormat<Header, parseHeader, 95> {
 public:
  std::string_view name() const override { return "nginx_error"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    fillTextRecord(ev, h.level, h.time, {}, h.message, out);
    if (auto pid = text::parseUint(h.pid)) setField(out.context, "pid", JsonValue(*pid));
    if (auto c = text::parseUint(h.connection)) setField(out.context, "connection", JsonValue(*c));
    forEachPair(h.tail, [&](std::string_view key, std::string_view value) {
      if (key == "client") {
        setField(out.request_info, "client_ip", JsonValue(value));
      } else if (key == "request") {
        const size_t sp = value.find(' ');
        if (sp == std::string_view::npos) return;
        setField(out.request_info, "method", JsonValue(value.substr(0, sp)));
        std::string_view path = value.substr(sp + 1);
        path = path.substr(0, path.rfind(" HTTP/"));
        setField(out.request_info, "path", JsonValue(path));
      } else if (key == "host") {
        setField(out.request_info, "host", JsonValue(value));
      } else if (!key.empty()) {
        setField(out.context, key, JsonValue(value));
      }
    });
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeNginxErrorParser() { return std::make_unique<NginxErrorParser>(); }

}  // namespace homeo
