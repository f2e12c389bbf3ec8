#include "common/record.h"

#include <cctype>

#include "common/hash.h"

namespace homeo {

void ErrorRecord::clear() { *this = ErrorRecord(); }

std::string topLevelMessage(const ErrorRecord& r) {
  if (r.exception_type.empty()) return r.message;
  if (r.message.empty()) return r.exception_type;
  std::string m;
  m.reserve(r.exception_type.size() + 2 + r.message.size());
  m.append(r.exception_type).append(": ").append(r.message);
  return m;
}

namespace {

void appendKey(std::string& out, std::string_view key) {
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

void appendStringArray(std::string& out, const std::vector<std::string>& v) {
  out.push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    appendJsonString(out, v[i]);
  }
  out.push_back(']');
}

void appendObject(std::string& out, const JsonObject& o) {
  out.push_back('{');
  bool first = true;
  for (const auto& [k, v] : o) {
    if (!first) out.push_back(',');
    first = false;
    appendJsonString(out, k);
    out.push_back(':');
    appendJson(out, v);
  }
  out.push_back('}');
}

}  // namespace

void serializeRecord(const ErrorRecord& r, std::string& out) {
  const UnixNanos when = r.time != 0 ? r.time : nowNanos();
  out.push_back('{');
  appendKey(out, "timestamp");
  out.push_back('"');
  appendRfc3339(out, when);
  out.push_back('"');
  out.push_back(',');
  appendKey(out, "service");
  appendJsonString(out, r.service);
  out.push_back(',');
  appendKey(out, "level");
  appendJsonString(out, levelName(r.level));
  out.push_back(',');
  appendKey(out, "message");
  appendJsonString(out, topLevelMessage(r));
  if (!r.exception_type.empty()) {
    out.push_back(',');
    appendKey(out, "exception_type");
    appendJsonString(out, r.exception_type);
  }
  if (!r.traceback.empty()) {
    out.push_back(',');
    appendKey(out, "traceback");
    appendStringArray(out, r.traceback);
  }
  if (!r.language.empty()) {
    out.push_back(',');
    appendKey(out, "language");
    appendJsonString(out, r.language);
  }

  out.push_back(',');
  appendKey(out, "error_details");
  out.push_back('{');
  if (!r.exception_type.empty()) {
    appendKey(out, "exception_type");
    appendJsonString(out, r.exception_type);
    out.push_back(',');
  }
  appendKey(out, "message");
  appendJsonString(out, r.message);
  if (!r.traceback.empty()) {
    out.push_back(',');
    appendKey(out, "traceback");
    appendStringArray(out, r.traceback);
  }
  if (!r.frames.empty()) {
    out.push_back(',');
    appendKey(out, "detailed_frames");
    out.push_back('[');
    for (size_t i = 0; i < r.frames.size(); ++i) {
      const Frame& f = r.frames[i];
      if (i) out.push_back(',');
      out.push_back('{');
      appendKey(out, "file");
      appendJsonString(out, f.file);
      if (f.line > 0) {
        out.append(",\"line\":");
        out.append(std::to_string(f.line));
      }
      if (!f.function.empty()) {
        out.push_back(',');
        appendKey(out, "function");
        appendJsonString(out, f.function);
      }
      out.push_back('}');
    }
    out.push_back(']');
  }
  if (!r.error_id.empty()) {
    out.push_back(',');
    appendKey(out, "error_id");
    appendJsonString(out, r.error_id);
  }
  out.push_back(',');
  appendKey(out, "occurred_at");
  out.push_back('"');
  appendRfc3339(out, when);
  out.push_back('"');
  out.push_back('}');

  if (!r.system_info.empty()) {
    out.push_back(',');
    appendKey(out, "system_info");
    appendObject(out, r.system_info);
  }
  if (!r.request_info.empty()) {
    out.push_back(',');
    appendKey(out, "request_info");
    appendObject(out, r.request_info);
  }
  if (!r.response_info.empty()) {
    out.push_back(',');
    appendKey(out, "response_info");
    appendObject(out, r.response_info);
  }
  if (!r.context.empty()) {
    out.push_back(',');
    appendKey(out, "context");
    appendObject(out, r.context);
  }
  if (!r.tags.empty()) {
    out.push_back(',');
    appendKey(out, "tags");
    appendStringArray(out, r.tags);
  }

  out.push_back(',');
  appendKey(out, "metadata");
  out.push_back('{');
  appendKey(out, "source");
  out.push_back('{');
  appendKey(out, "path");
  appendJsonString(out, r.source_path);
  out.append(",\"offset\":");
  out.append(std::to_string(r.source_offset));
  out.push_back('}');
  out.push_back(',');
  appendKey(out, "format");
  appendJsonString(out, r.format);
  if (!r.module.empty()) {
    out.push_back(',');
    appendKey(out, "module");
    appendJsonString(out, r.module);
  }
  if (!r.fingerprint.empty()) {
    out.push_back(',');
    appendKey(out, "fingerprint");
    appendJsonString(out, r.fingerprint);
  }
  out.push_back(',');
  appendKey(out, "raw_log");
  appendJsonString(out, r.raw_log);
  for (const auto& [k, v] : r.metadata_extra) {
    out.push_back(',');
    appendJsonString(out, k);
    out.push_back(':');
    appendJson(out, v);
  }
  out.push_back('}');
  out.push_back('}');
}

namespace {

bool isHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

}  // namespace

std::string normalizeMessage(std::string_view m) {
  std::string out;
  out.reserve(m.size());
  size_t i = 0;
  while (i < m.size()) {
    const char c = m[i];
    // Quoted values: 'x' and "x" become '?'/"?".
    if ((c == '\'' || c == '"')) {
      const size_t close = m.find(c, i + 1);
      if (close != std::string_view::npos && close - i < 200) {
        out.push_back(c);
        out.push_back('?');
        out.push_back(c);
        i = close + 1;
        continue;
      }
    }
    // Absolute paths.
    if (c == '/' && (i == 0 || m[i - 1] == ' ' || m[i - 1] == '=' || m[i - 1] == '(')) {
      size_t j = i + 1;
      while (j < m.size() && m[j] != ' ' && m[j] != ',' && m[j] != ')' && m[j] != ';') ++j;
      if (j - i > 1) {
        out.append("<path>");
        i = j;
        continue;
      }
    }
    // A token that starts at a word boundary and holds a digit (numbers, hex ids, UUIDs,
    // IPs, timestamps) becomes one placeholder.
    if (isWordChar(c) && (i == 0 || !isWordChar(m[i - 1]))) {
      size_t j = i;
      bool has_digit = false;
      bool all_hexish = true;
      while (j < m.size() && (isWordChar(m[j]) || m[j] == '.' || m[j] == ':')) {
        if (isDigit(m[j])) has_digit = true;
        if (!isHexDigit(m[j]) && m[j] != '-' && m[j] != '.' && m[j] != ':') all_hexish = false;
        ++j;
      }
      // Trailing punctuation belongs to the sentence, not the token.
      while (j > i && (m[j - 1] == '.' || m[j - 1] == ':')) --j;
      if (has_digit || (all_hexish && j - i >= 16)) {
        out.push_back('#');
        i = j;
        continue;
      }
      out.append(m.substr(i, j - i));
      i = j;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string computeFingerprint(const ErrorRecord& r) {
  uint64_t h = fnv1a(r.exception_type);
  h = fnv1a("\x1f", h);
  if (!r.frames.empty()) {
    for (const Frame& f : r.frames) {
      h = fnv1a(f.file, h);
      h = fnv1a("\x1e", h);
      h = fnv1a(f.function, h);
      h = fnv1a("\x1d", h);
    }
  } else {
    h = fnv1a(normalizeMessage(r.message), h);
  }
  std::string out;
  appendHex64(out, mix64(h));
  return out;
}

std::string computeErrorId(std::string_view host, uint64_t source_key, uint64_t offset,
                           std::string_view raw) {
  const uint64_t a = mix64(fnv1a(raw, fnv1a(host)) ^ mix64(source_key));
  const uint64_t b = mix64(a ^ mix64(offset + 0x632be59bd9b4e019ull) ^ fnv1a(raw));
  std::string hex;
  appendHex64(hex, a);
  appendHex64(hex, b);
  // Shaped like a UUID so consumers that expect one accept it.
  std::string id;
  id.reserve(36);
  id.append(hex, 0, 8).push_back('-');
  id.append(hex, 8, 4).push_back('-');
  id.append(hex, 12, 4).push_back('-');
  id.append(hex, 16, 4).push_back('-');
  id.append(hex, 20, 12);
  return id;
}

}  // namespace homeo
