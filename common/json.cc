#include "common/json.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace homeo {

JsonValue& setField(JsonObject& obj, std::string_view key, JsonValue value) {
  for (auto& [k, v] : obj) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  obj.emplace_back(std::string(key), std::move(value));
  return obj.back().second;
}

const JsonValue* findField(const JsonObject& obj, std::string_view key) {
  for (const auto& [k, v] : obj) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Where the run of bytes JSON takes as they are (printable ASCII other than '"' and '\\')
// that starts at s[i] ends. Eight bytes at a time: a byte below 0x20, '"', '\\' or from 0x80
// sets its high bit in the mask.
inline bool isPlain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\' && c < 0x80; }

inline size_t plainRunEnd(std::string_view s, size_t i) {
  // Text other than English breaks runs often: look at one byte before eight.
  if (i < s.size() && !isPlain(static_cast<unsigned char>(s[i]))) return i;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto hasZero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  while (i + 8 <= s.size()) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    const uint64_t special = (v | ((v & ~kHigh) - kOnes * 0x20) | hasZero(v ^ (kOnes * '"')) |
                              hasZero(v ^ (kOnes * '\\'))) &
                             kHigh;
    if (special != 0) break;
    i += 8;
  }
  while (i < s.size() && isPlain(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy runs of plain ASCII in one go.
    const size_t j = plainRunEnd(s, i);
    out.append(s.data() + i, j - i);
    i = j;
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = utf8SequenceLength(s, i);
      if (len == 0) {
        out.append(kReplacement);
        ++i;
        continue;
      }
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      // C1 controls and the line/paragraph separators are escaped: readers that split NDJSON
      // on every Unicode line break (or JavaScript) must still see one record per line.
      if ((len == 2 && c == 0xC2 && c1 < 0xA0) ||
          (len == 3 && c == 0xE2 && c1 == 0x80 &&
           (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
            static_cast<unsigned char>(s[i + 2]) == 0xA9))) {
        const unsigned cp =
            len == 2 ? c1 : (0x2000u | (static_cast<unsigned char>(s[i + 2]) & 0x3F));
        out.append("\\u");
        out.push_back(kHex[(cp >> 12) & 0xF]);
        out.push_back(kHex[(cp >> 8) & 0xF]);
        out.push_back(kHex[(cp >> 4) & 0xF]);
        out.push_back(kHex[cp & 0xF]);
      } else {
        out.append(s.data() + i, len);
      }
      i += len;
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
  out.push_back('"');
}

void appendJson(std::string& out, const JsonValue& v) {
  const auto& st = v.storage();
  switch (st.index()) {
    case 0:
      out.append("null");
      break;
    case 1:
      out.append(std::get<bool>(st) ? "true" : "false");
      break;
    case 2:
      out.append(std::to_string(std::get<int64_t>(st)));
      break;
    case 3: {
      const double d = std::get<double>(st);
      if (!std::isfinite(d)) {
        out.append("null");
      } else {
        char buf[32];
        const int n = std::snprintf(buf, sizeof buf, "%.17g", d);
        out.append(buf, static_cast<size_t>(n));
      }
      break;
    }
    case 4:
      appendJsonString(out, std::get<std::string>(st));
      break;
    case 5: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : std::get<JsonArray>(st)) {
        if (!first) out.push_back(',');
        first = false;
        appendJson(out, e);
      }
      out.push_back(']');
      break;
    }
    case 6: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, e] : std::get<JsonObject>(st)) {
        if (!first) out.push_back(',');
        first = false;
        appendJsonString(out, k);
        out.push_back(':');
        appendJson(out, e);
      }
      out.push_back('}');
      break;
    }
  }
}

bool sanitizeUtf8(std::string& s) {
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  if (i == s.size()) return false;
  std::string out;
  out.reserve(s.size() + 8);
  out.append(s, 0, i);
  bool changed = false;
  while (i < s.size()) {
    const size_t len = utf8SequenceLength(s, i);
    if (len == 0) {
      out.append(kReplacement);
      changed = true;
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  if (changed) s = std::move(out);
  return changed;
}

}  // namespace homeo
