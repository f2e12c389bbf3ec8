#include "common/record.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/hash.h"
#include "common/in_app.h"

namespace homeo {

namespace {

// The message and the raw event keep their buffer for the next record unless an unusually
// large event left it big: every followed file has a record of its own, so 2,000 files must
// not each hold on to the megabyte of their largest trace.
constexpr size_t kKeepCapacity = 16 * 1024;

void reset(std::string& s) {
  if (s.capacity() > kKeepCapacity) {
    std::string().swap(s);
  } else {
    s.clear();
  }
}

}  // namespace

// Member by member, so that a record reused for the next event keeps its strings' and
// vectors' capacity (assigning a new record costs more than parsing a short line). A member
// added to ErrorRecord must be reset here; the record test checks every one.
void ErrorRecord::clear() {
  time = 0;
  service.clear();
  level = Level::kError;
  reset(message);
  exception_type.clear();
  traceback.clear();
  language.clear();
  frames.clear();
  error_id.clear();
  system_info.clear();
  request_info.clear();
  response_info.clear();
  context.clear();
  tags.clear();
  source_path.clear();
  source_offset = 0;
  source.clear();
  format.clear();
  module.clear();
  fingerprint.clear();
  reset(raw_log);
  release.clear();
  environment.clear();
  trace_id.clear();
  span_id.clear();
  metadata_extra.clear();
  extra.clear();
  details_extra.clear();
}

std::string topLevelMessage(const ErrorRecord& r) {
  if (r.exception_type.empty()) return r.message;
  if (r.message.empty()) return r.exception_type;
  std::string m;
  m.reserve(r.exception_type.size() + 2 + r.message.size());
  m.append(r.exception_type).append(": ").append(r.message);
  return m;
}

std::string errorType(const ErrorRecord& r) {
  if (!r.exception_type.empty()) return r.exception_type;
  if (const JsonValue* status = findField(r.response_info, "status_code")) {
    if (const auto* code = std::get_if<int64_t>(&status->storage()); code && *code >= 400) {
      return "HTTP" + std::to_string(*code);
    }
  }
  std::string t = "Log";
  const std::string_view name = levelName(r.level);
  t.push_back(name.front());
  for (size_t i = 1; i < name.size(); ++i) {
    t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(name[i]))));
  }
  return t;
}

std::string_view detailsExceptionType(const ErrorRecord& r) {
  const std::string_view type = r.exception_type;
  std::string_view separators;
  if (r.language == "java" || r.language == "kotlin" || r.language == "scala") {
    separators = ".$";
  } else if (r.language == "python") {
    separators = ".";
  } else if (r.language == "php") {
    separators = "\\";
  }
  const size_t last = separators.empty() ? std::string_view::npos : type.find_last_of(separators);
  if (last == std::string_view::npos || last + 1 >= type.size()) return type;
  return type.substr(last + 1);
}

namespace {

// Appends out[begin, end) again: a part of the record written twice.
void appendCopy(std::string& out, size_t begin, size_t end) {
  out.reserve(out.size() + (end - begin));
  out.append(out.data() + begin, end - begin);
}

template <typename Int>
void appendInteger(std::string& out, Int v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

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

// The members of `o` as `,"k":v` each (for keys appended after others).
void appendMembers(std::string& out, const JsonObject& o) {
  for (const auto& [k, v] : o) {
    out.push_back(',');
    appendJsonString(out, k);
    out.push_back(':');
    appendJson(out, v);
  }
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

void appendFrame(std::string& out, const Frame& f) {
  out.push_back('{');
  appendKey(out, "file");
  appendJsonString(out, f.file);
  out.append(",\"line\":");
  appendInteger(out, f.line);
  if (f.column > 0) {
    out.append(",\"column\":");
    appendInteger(out, f.column);
  }
  if (!f.function.empty()) {
    out.push_back(',');
    appendKey(out, "function");
    appendJsonString(out, f.function);
  }
  if (!f.class_name.empty()) {
    out.push_back(',');
    appendKey(out, "class");
    appendJsonString(out, f.class_name);
  }
  out.append(f.in_app ? ",\"in_app\":true" : ",\"in_app\":false");
  appendMembers(out, f.extra);
  out.push_back('}');
}

}  // namespace

void serializeRecord(const ErrorRecord& r, std::string& out) {
  const UnixNanos when = r.time != 0 ? r.time : nowNanos();
  out.push_back('{');
  appendKey(out, "timestamp");
  const size_t when_begin = out.size();
  out.push_back('"');
  appendRfc3339(out, when);
  out.push_back('"');
  const size_t when_end = out.size();
  out.push_back(',');
  appendKey(out, "service");
  appendJsonString(out, r.service);
  out.push_back(',');
  appendKey(out, "level");
  appendJsonString(out, levelName(r.level));
  out.push_back(',');
  appendKey(out, "message");
  appendJsonString(out, topLevelMessage(r));
  if (!r.error_id.empty()) {
    out.push_back(',');
    appendKey(out, "error_id");
    appendJsonString(out, r.error_id);
  }
  out.push_back(',');
  appendKey(out, "error_type");
  appendJsonString(out, errorType(r));
  if (!r.exception_type.empty()) {
    out.push_back(',');
    appendKey(out, "exception_type");
    appendJsonString(out, r.exception_type);
  }
  size_t traceback_begin = 0, traceback_end = 0;
  if (!r.traceback.empty()) {
    out.push_back(',');
    appendKey(out, "traceback");
    traceback_begin = out.size();
    appendStringArray(out, r.traceback);
    traceback_end = out.size();
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
    appendJsonString(out, detailsExceptionType(r));
    out.push_back(',');
  }
  appendKey(out, "message");
  appendJsonString(out, r.message);
  if (!r.traceback.empty()) {
    out.push_back(',');
    appendKey(out, "traceback");
    appendCopy(out, traceback_begin, traceback_end);  // escaped once, written twice
  }
  // Only frames with a file and a line: the others are in the traceback.
  bool frames_open = false;
  for (const Frame& f : r.frames) {
    if (!f.located()) continue;
    out.append(frames_open ? "," : ",\"detailed_frames\":[");
    frames_open = true;
    appendFrame(out, f);
  }
  if (frames_open) out.push_back(']');
  if (!r.error_id.empty()) {
    out.push_back(',');
    appendKey(out, "error_id");
    appendJsonString(out, r.error_id);
  }
  out.push_back(',');
  appendKey(out, "occurred_at");
  appendCopy(out, when_begin, when_end);
  appendMembers(out, r.details_extra);
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
  appendMembers(out, r.extra);

  out.push_back(',');
  appendKey(out, "metadata");
  out.push_back('{');
  appendKey(out, "source");
  if (!r.source.empty()) {
    appendObject(out, r.source);
  } else {
    out.push_back('{');
    appendKey(out, "path");
    appendJsonString(out, r.source_path);
    out.append(",\"offset\":");
    appendInteger(out, r.source_offset);
    out.push_back('}');
  }
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
  const std::pair<std::string_view, const std::string*> kCorrelation[] = {
      {"release", &r.release},
      {"environment", &r.environment},
      {"trace_id", &r.trace_id},
      {"span_id", &r.span_id},
  };
  for (const auto& [key, value] : kCorrelation) {
    if (value->empty()) continue;
    out.push_back(',');
    appendKey(out, key);
    appendJsonString(out, *value);
  }
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
bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool isWordChar(char c) { return isAlnum(c) || c == '_' || c == '-'; }

// "user@example.com" starting at i: returns its end, or i when it is not an address.
size_t emailEnd(std::string_view m, size_t i) {
  size_t j = i;
  size_t at = std::string_view::npos;
  bool dot_after_at = false;
  while (j < m.size() && (isWordChar(m[j]) || m[j] == '.' || m[j] == '+' || m[j] == '@')) {
    if (m[j] == '@') {
      if (at != std::string_view::npos) return i;
      at = j;
    } else if (m[j] == '.' && at != std::string_view::npos) {
      dot_after_at = true;
    }
    ++j;
  }
  while (j > i && m[j - 1] == '.') --j;
  if (at == std::string_view::npos || at == i || at + 1 >= j || !dot_after_at) return i;
  return j;
}

// Hashes a path without its digits, so that release directories ("releases/20240101",
// "python3.12") do not split a group.
uint64_t hashPath(std::string_view path, uint64_t h) {
  for (char c : path) {
    if (!isDigit(c)) h = fnv1a(std::string_view(&c, 1), h);
  }
  return h;
}

}  // namespace

std::string normalizeMessage(std::string_view m) {
  std::string out;
  out.reserve(m.size());
  size_t i = 0;
  while (i < m.size()) {
    const char c = m[i];
    const bool boundary = i == 0 || !isAlnum(m[i - 1]);
    // Quoted values: 'x' and "x" become '?'/"?". An apostrophe inside a word ("can't") is
    // not a quote.
    if ((c == '\'' || c == '"' || c == '`') && boundary) {
      const char close_char = c == '`' ? '\'' : c;
      size_t close = m.find(close_char, i + 1);
      if (c == '`' && (close == std::string_view::npos || close - i >= 200)) {
        close = m.find('`', i + 1);
      }
      if (close != std::string_view::npos && close - i < 200 &&
          (close + 1 == m.size() || !isAlnum(m[close + 1]))) {
        out.push_back(c);
        out.push_back('?');
        out.push_back(m[close]);
        i = close + 1;
        continue;
      }
    }
    // Absolute paths, Unix and Windows.
    const bool path_start = c == '/' || (isAlnum(c) && i + 2 < m.size() && m[i + 1] == ':' &&
                                         m[i + 2] == '\\' && boundary);
    if (path_start && (i == 0 || m[i - 1] == ' ' || m[i - 1] == '=' || m[i - 1] == '(' ||
                       m[i - 1] == '[' || m[i - 1] == '\t')) {
      size_t j = i + 1;
      while (j < m.size() && m[j] != ' ' && m[j] != ',' && m[j] != ')' && m[j] != ';' &&
             m[j] != ']') {
        ++j;
      }
      if (j - i > 1) {
        out.append("<path>");
        i = j;
        continue;
      }
    }
    if (isWordChar(c) && (i == 0 || !isWordChar(m[i - 1]))) {
      if (const size_t e = emailEnd(m, i); e > i) {
        out.append("<email>");
        i = e;
        continue;
      }
      // A token that holds a digit (numbers, hex ids, UUIDs, IPs, durations, timestamps)
      // becomes one placeholder, as does a long hex run.
      size_t j = i;
      bool has_digit = false;
      bool all_hexish = true;
      while (j < m.size() && (isWordChar(m[j]) || m[j] == '.' || m[j] == ':')) {
        if (isDigit(m[j])) has_digit = true;
        if (!isHexDigit(m[j]) && m[j] != '-' && m[j] != '.' && m[j] != ':') all_hexish = false;
        ++j;
      }
      // Trailing punctuation belongs to the sentence, not the token.
      while (j > i && (m[j - 1] == '.' || m[j - 1] == ':' || m[j - 1] == '-')) --j;
      if (j == i) {
        out.push_back(c);
        ++i;
        continue;
      }
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

std::string computeFingerprint(const ErrorRecord& r) { return computeFingerprint(r, InAppRules{}); }

std::string computeFingerprint(const ErrorRecord& r, const InAppRules& rules) {
  uint64_t h = fnv1a(r.exception_type);
  h = fnv1a("\x1f", h);
  if (!r.frames.empty()) {
    // The frames with a file and a line (those Homeostasis is given) say where the error is;
    // the others (native code, generated proxies and lambdas whose names change from run to
    // run) count only when no frame has a location. Of these, the application's frames;
    // runtime and library frames only when there are no others.
    const bool any_located =
        std::any_of(r.frames.begin(), r.frames.end(), [](const Frame& f) { return f.located(); });
    auto counts = [&](const Frame& f) { return !any_located || f.located(); };
    const bool any_app = std::any_of(r.frames.begin(), r.frames.end(), [&](const Frame& f) {
      return counts(f) && isInApp(r.language, f, rules);
    });
    const std::string_view join = frameQualifier(r.language);
    for (const Frame& f : r.frames) {
      if (!counts(f) || (any_app && !isInApp(r.language, f, rules))) continue;
      h = hashPath(f.file, h);
      h = fnv1a("\x1e", h);
      if (!f.class_name.empty()) {
        h = fnv1a(f.class_name, h);
        h = fnv1a(join, h);
      }
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
