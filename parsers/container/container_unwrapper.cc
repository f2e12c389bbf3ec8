#include "parsers/container/container_unwrapper.h"

#include "common/timeutil.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

// "<RFC 3339 time> stdout|stderr F|P " and what follows.
bool splitCri(std::string_view line, bool* partial, std::string_view* msg) {
  size_t used = 0;
  if (line.size() < 30 || !text::isDigit(line[0])) return false;
  if (!parseTimestampPrefix(line, &used) || used < 20) return false;
  std::string_view s = line.substr(used);
  if (text::startsWith(s, " stdout ") || text::startsWith(s, " stderr ")) {
    s.remove_prefix(8);
  } else {
    return false;
  }
  if (s.empty() || (s[0] != 'F' && s[0] != 'P')) return false;
  if (s.size() > 1 && s[1] != ' ') return false;
  *partial = s[0] == 'P';
  *msg = s.size() > 2 ? s.substr(2) : std::string_view();
  return true;
}

// The body of the "log" string of a Docker json-file line, without decoding.
bool dockerLogBody(std::string_view line, std::string_view* body) {
  if (!text::startsWith(line, "{\"log\":\"")) return false;
  size_t i = 8;
  while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
  if (i >= line.size()) return false;
  *body = line.substr(8, i - 8);
  // Followed by the other fields ("stream", "time", "attrs") or the end of the object.
  return i + 1 < line.size() && (line[i + 1] == ',' || line[i + 1] == '}');
}

// Skips ANSI escape sequences (ESC [ ... final letter) at the front of s.
std::string_view skipAnsi(std::string_view s) {
  while (s.size() >= 2 && s[0] == '\x1b' && s[1] == '[') {
    size_t i = 2;
    while (i < s.size() && !text::isAlpha(s[i])) ++i;
    if (i >= s.size()) break;
    s.remove_prefix(i + 1);
  }
  return s;
}

// docker compose's "service-1  | message" (`docker compose up`/`logs`, with the ANSI colours
// and line clearing it writes to a terminal, and the RFC 3339 time `logs -t` adds).
bool splitCompose(std::string_view line, std::string_view* msg) {
  std::string_view s = skipAnsi(line);
  size_t i = 0;
  if (s.empty() || !text::isAlpha(s[0])) return false;
  while (i < s.size() && i <= 64 && (text::isIdentChar(s[i]) || s[i] == '-' || s[i] == '.')) ++i;
  const size_t name_end = i;
  s = s.substr(i);
  s = skipAnsi(s);
  size_t spaces = 0;
  while (spaces < s.size() && s[spaces] == ' ') ++spaces;
  if (name_end == 0 || spaces == 0 || spaces >= s.size() || s[spaces] != '|') return false;
  s.remove_prefix(spaces + 1);
  s = skipAnsi(s);
  if (!s.empty() && s[0] != ' ') return false;
  if (!s.empty()) s.remove_prefix(1);
  size_t used = 0;
  if (s.size() > 21 && text::isDigit(s[0]) && s[10] == 'T' && parseTimestampPrefix(s, &used) &&
      used >= 20 && used < s.size() && s[used] == ' ') {
    s.remove_prefix(used + 1);
  }
  *msg = s;
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool decodeJsonString(std::string_view body, std::string& out) {
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= body.size()) return false;
    switch (body[i]) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        if (i + 4 >= body.size()) return false;
        uint32_t cp = 0;
        for (size_t k = 1; k <= 4; ++k) {
          const int v = hexValue(body[i + k]);
          if (v < 0) return false;
          cp = cp * 16 + static_cast<uint32_t>(v);
        }
        i += 4;
        // A surrogate pair: \uD83D\uDE00.
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < body.size() && body[i + 1] == '\\' &&
            body[i + 2] == 'u') {
          uint32_t lo = 0;
          bool ok = true;
          for (size_t k = 3; k <= 6; ++k) {
            const int v = hexValue(body[i + k]);
            if (v < 0) ok = false;
            lo = lo * 16 + static_cast<uint32_t>(v < 0 ? 0 : v);
          }
          if (ok && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        appendUtf8(out, cp);
        break;
      }
      default:
        out.push_back(body[i]);  // \" \\ \/
    }
  }
  return true;
}

ContainerUnwrapper::Kind ContainerUnwrapper::classify(std::string_view line) {
  bool partial = false;
  std::string_view msg;
  if (splitCri(line, &partial, &msg)) return Kind::kCri;
  if (dockerLogBody(line, &msg)) return Kind::kDocker;
  if (splitCompose(line, &msg)) return Kind::kCompose;
  return Kind::kNone;
}

ContainerUnwrapper::Step ContainerUnwrapper::unwrapOne(std::string_view line, uint64_t offset,
                                                       std::string_view* inner) {
  bool partial = false;
  std::string_view part;
  bool wrapped = false;
  if (kind_ == Kind::kCri) {
    wrapped = splitCri(line, &partial, &part);
  } else if (kind_ == Kind::kDocker) {
    wrapped = dockerLogBody(line, &part);
  } else if (kind_ == Kind::kCompose) {
    // Whole lines only: compose has no partial lines.
    if (!splitCompose(line, inner)) return Step::kPassThrough;
    partial_offset_ = offset;
    return Step::kComplete;
  }
  if (!wrapped) return Step::kPassThrough;
  if (!partial_open_) {
    joined_.clear();
    partial_offset_ = offset;
  }
  if (kind_ == Kind::kCri) {
    if (joined_.size() + part.size() <= kMaxJoined) joined_.append(part);
  } else {
    const size_t before = joined_.size();
    if (!decodeJsonString(part, joined_)) {
      joined_.resize(before);
      joined_.append(part);  // keep the text as written rather than lose it
    }
    partial = joined_.empty() || joined_.back() != '\n';
    if (!partial) {
      while (!joined_.empty() && (joined_.back() == '\n' || joined_.back() == '\r'))
        joined_.pop_back();
    }
    if (joined_.size() > kMaxJoined) joined_.resize(kMaxJoined);
  }
  if (partial) {
    partial_open_ = true;
    return Step::kPartial;
  }
  partial_open_ = false;
  *inner = joined_;
  return Step::kComplete;
}

std::string_view ContainerUnwrapper::takePending() {
  partial_open_ = false;
  return joined_;
}

}  // namespace homeo
