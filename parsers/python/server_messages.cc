#include "parsers/python/server_messages.h"

#include "parsers/text_util.h"

namespace homeo {
namespace {

bool isMethod(std::string_view m) {
  if (m.size() < 3 || m.size() > 10) return false;
  for (char c : m) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

// An IPv4 or IPv6 address, with a port or not.
bool looksLikeAddress(std::string_view s) {
  if (s.size() < 2 || s.size() > 64) return false;
  bool sep = false;
  for (char c : s) {
    if (c == '.' || c == ':') {
      sep = true;
    } else if (!text::isDigit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return sep;
}

// "1.2.3.4:5678" -> "1.2.3.4"; an IPv6 address (more than one colon) is left whole.
std::string_view withoutPort(std::string_view addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string_view::npos || addr.find(':') != colon) return addr;
  return addr.substr(0, colon);
}

// "GET /x HTTP/1.1" (the protocol may be missing).
bool splitRequest(std::string_view req, RequestSummary& out) {
  const size_t sp = req.find(' ');
  if (sp == std::string_view::npos || !isMethod(req.substr(0, sp))) return false;
  std::string_view rest = req.substr(sp + 1);
  const size_t proto = rest.rfind(" HTTP/");
  if (proto != std::string_view::npos) {
    out.protocol = rest.substr(proto + 1);
    rest = rest.substr(0, proto);
  }
  if (rest.empty() || rest.find(' ') != std::string_view::npos) return false;
  out.method = req.substr(0, sp);
  out.path = rest;
  return true;
}

// A three-digit HTTP status filling the token at the front of s.
int takeStatus(std::string_view& s) {
  const std::string_view tok = text::nextToken(s);
  if (tok.size() != 3) return 0;
  const auto v = text::parseUint(tok);
  if (!v || *v < 100 || *v > 599) return 0;
  return static_cast<int>(*v);
}

bool isTaskName(std::string_view s) {
  if (s.empty() || s.size() > 200 || s.front() == '.' || s.back() == '.') return false;
  for (char c : s) {
    if (!text::isIdentChar(c) && c != '.') return false;
  }
  return true;
}

}  // namespace

bool readFrameworkRequest(std::string_view msg, RequestSummary& out) {
  struct Phrase {
    std::string_view text;
    int status;
  };
  static constexpr Phrase kDjango[] = {{"Internal Server Error: ", 500},
                                       {"Service Unavailable: ", 503},
                                       {"Bad Request: ", 400},
                                       {"Not Found: ", 404}};
  for (const auto& p : kDjango) {
    if (text::startsWith(msg, p.text)) {
      const std::string_view path = text::trim(msg.substr(p.text.size()));
      if (path.empty() || path[0] != '/' || path.find(' ') != std::string_view::npos) return false;
      out.path = path;
      out.status = p.status;
      return true;
    }
  }
  if (text::startsWith(msg, "Exception on /")) {
    const std::string_view s = text::trimRight(msg.substr(13));
    const size_t open = s.rfind(" [");
    if (open == std::string_view::npos || s.back() != ']') return false;
    out.path = s.substr(0, open);
    out.method = s.substr(open + 2, s.size() - open - 3);
    out.status = 500;
    return true;
  }
  return false;
}

bool readAccessLine(std::string_view msg, RequestSummary& out) {
  const size_t quote = msg.find('"');
  if (quote == std::string_view::npos || quote > 128) return false;
  const size_t close = msg.find('"', quote + 1);
  if (close == std::string_view::npos) return false;
  RequestSummary r;
  if (!splitRequest(msg.substr(quote + 1, close - quote - 1), r)) return false;
  std::string_view tail = msg.substr(close + 1);
  if (tail.empty() || tail[0] != ' ') return false;
  r.status = takeStatus(tail);
  if (r.status == 0) return false;
  std::string_view head = msg.substr(0, quote);
  const std::string_view first = text::nextToken(head);
  if (looksLikeAddress(first)) r.client = withoutPort(first);
  out = r;
  return true;
}

bool readTornadoRequest(std::string_view msg, RequestSummary& out) {
  RequestSummary r;
  std::string_view s = msg;
  if (text::startsWith(s, "Uncaught exception ")) {
    s.remove_prefix(19);
    r.status = 500;
  } else {
    r.status = takeStatus(s);
    if (r.status == 0) return false;
    s = text::trimLeft(s);
  }
  const std::string_view method = text::nextToken(s);
  const std::string_view path = text::nextToken(s);
  if (!isMethod(method) || path.empty()) return false;
  r.method = method;
  r.path = path;
  s = text::trimLeft(s);
  if (s.size() > 2 && s[0] == '(') {
    const size_t end = s.find(')');
    if (end != std::string_view::npos && looksLikeAddress(s.substr(1, end - 1)))
      r.client = s.substr(1, end - 1);
  }
  out = r;
  return true;
}

Level levelOfStatus(int status) {
  if (status >= 500) return Level::kError;
  if (status >= 400) return Level::kWarning;
  return Level::kInfo;
}

void fillRequest(const RequestSummary& req, ErrorRecord& out) {
  if (!req.method.empty()) setField(out.request_info, "method", JsonValue(req.method));
  if (!req.path.empty()) setField(out.request_info, "path", JsonValue(req.path));
  if (!req.client.empty()) setField(out.request_info, "client_ip", JsonValue(req.client));
  if (!req.protocol.empty()) setField(out.request_info, "protocol", JsonValue(req.protocol));
  if (req.status > 0) setField(out.response_info, "status_code", JsonValue(int64_t{req.status}));
}

bool readCeleryTask(std::string_view msg, CeleryTask& out) {
  std::string_view s = msg;
  const bool worker = text::startsWith(s, "Task ");
  if (worker) s.remove_prefix(5);
  const size_t open = s.find('[');
  if (open == std::string_view::npos || open == 0) return false;
  const size_t close = s.find(']', open);
  if (close == std::string_view::npos || close == open + 1 || close - open > 65) return false;
  const std::string_view name = s.substr(0, open);
  const std::string_view id = s.substr(open + 1, close - open - 1);
  if (!isTaskName(name) || id.find(' ') != std::string_view::npos) return false;
  std::string_view rest = s.substr(close + 1);
  if (worker) {
    if (!rest.empty() && rest[0] != ' ') return false;
    out.message = msg;
  } else {
    if (!text::startsWith(rest, ": ")) return false;
    out.message = rest.substr(2);
  }
  out.name = name;
  out.id = id;
  return true;
}

}  // namespace homeo
