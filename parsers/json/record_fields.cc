#include "parsers/json/record_fields.h"

#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parsers/trace.h"

namespace homeo::json_fields {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string_view stringOf(element v) {
  std::string_view s;
  if (v.get(s)) return {};
  return s;
}

std::optional<int64_t> integerOf(element v) {
  if (v.type() == element_type::INT64) {
    int64_t n = 0;
    if (!v.get(n)) return n;
  } else if (v.type() == element_type::UINT64) {
    uint64_t n = 0;
    if (!v.get(n) && n <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(n);
    }
  }
  return std::nullopt;
}

// The types the record schema gives the keys it names.
enum class Type : uint8_t {
  kString,
  kId,       // a string; an integer is written as one
  kInteger,  // an integer; a string of digits is read as one
  kNumber,
  kObject,
};

struct TypedKey {
  std::string_view key;
  Type type;
};

constexpr TypedKey kRequestKeys[] = {
    {"method", Type::kString},     {"path", Type::kString},    {"client_ip", Type::kString},
    {"user_agent", Type::kString}, {"request_id", Type::kId},  {"params", Type::kObject},
    {"query", Type::kObject},      {"headers", Type::kObject}, {"duration_ms", Type::kNumber},
};
constexpr TypedKey kResponseKeys[] = {
    {"status_code", Type::kInteger},
    {"headers", Type::kObject},
    {"size_bytes", Type::kInteger},
};
constexpr TypedKey kSystemKeys[] = {
    {"hostname", Type::kString},     {"os_name", Type::kString},
    {"platform", Type::kString},     {"python_version", Type::kString},
    {"processor", Type::kString},    {"architecture", Type::kString},
    {"service_name", Type::kString}, {"environment_variables", Type::kObject},
};
constexpr TypedKey kCallLocationKeys[] = {
    {"file", Type::kString},
    {"function", Type::kString},
    {"line_number", Type::kInteger},
};

std::span<const TypedKey> keysOf(InfoKind kind) {
  switch (kind) {
    case InfoKind::kRequest:
      return kRequestKeys;
    case InfoKind::kResponse:
      return kResponseKeys;
    case InfoKind::kSystem:
      return kSystemKeys;
    case InfoKind::kCallLocation:
      return kCallLocationKeys;
  }
  return {};
}

// v as the schema's type wants it, or nullopt.
std::optional<JsonValue> typed(element v, Type t) {
  const element_type et = v.type();
  switch (t) {
    case Type::kString:
      if (et == element_type::STRING) return JsonValue(stringOf(v));
      break;
    case Type::kId:
      if (et == element_type::STRING) return JsonValue(stringOf(v));
      if (auto n = integerOf(v)) return JsonValue(std::to_string(*n));
      break;
    case Type::kInteger: {
      if (auto n = integerOf(v)) return JsonValue(*n);
      if (et == element_type::STRING) {
        const std::string_view s = stringOf(v);
        if (s.empty() || s.size() > 18) break;
        int64_t n = 0;
        for (char c : s) {
          if (c < '0' || c > '9') return std::nullopt;
          n = n * 10 + (c - '0');
        }
        return JsonValue(n);
      }
      break;
    }
    case Type::kNumber:
      if (et == element_type::INT64 || et == element_type::UINT64 || et == element_type::DOUBLE) {
        return toJsonValue(v);
      }
      break;
    case Type::kObject:
      if (et == element_type::OBJECT) return toJsonValue(v);
      break;
  }
  return std::nullopt;
}

// The first of `keys` that o has as a string.
std::string_view firstString(object o, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    element e;
    if (!o.at_key(k).get(e) && e.type() == element_type::STRING) return stringOf(e);
  }
  return {};
}

// The first of `keys` that o has as an integer ("line" is the source text in structlog's
// frames, "lineno" the number).
int64_t firstInteger(object o, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    element e;
    if (o.at_key(k).get(e)) continue;
    if (auto n = integerOf(e)) return *n;
  }
  return 0;
}

// A frame as Homeostasis' logger (file, line, function, locals, globals), structlog
// (filename, lineno, name, locals) or Sentry-style reporters (abs_path, colno, in_app, vars)
// describe one. Keys the record schema has no place for in a frame are left out (they are in
// raw_log).
bool readFrame(object o, Frame& f) {
  f.file.assign(firstString(o, {"file", "abs_path", "filename"}));
  f.line = firstInteger(o, {"line", "lineno", "line_number"});
  f.function.assign(firstString(o, {"function", "name", "func", "method"}));
  f.column = firstInteger(o, {"column", "colno"});
  f.class_name.assign(firstString(o, {"class", "class_name"}));
  if (f.line < 0) f.line = 0;
  if (f.column < 0) f.column = 0;
  for (auto field : o) {
    const element_type t = field.value.type();
    if (field.key == "in_app" && t == element_type::BOOL) {
      f.extra.emplace_back("in_app", toJsonValue(field.value));
    } else if ((field.key == "locals" || field.key == "vars") && t == element_type::OBJECT) {
      setField(f.extra, "locals", toJsonValue(field.value));
    } else if (field.key == "globals" && t == element_type::OBJECT) {
      f.extra.emplace_back("globals", toJsonValue(field.value));
    }
  }
  return !f.file.empty() || !f.function.empty();
}

bool anyLocated(const std::vector<Frame>& frames) {
  for (const Frame& f : frames) {
    if (f.located()) return true;
  }
  return false;
}

void appendLines(element v, std::vector<std::string_view>& lines) {
  if (v.type() == element_type::STRING) {
    splitLines(stringOf(v), lines);
    return;
  }
  array a;
  if (v.get(a)) return;
  for (element e : a) {
    if (e.type() == element_type::STRING) splitLines(stringOf(e), lines);
  }
}

}  // namespace

JsonValue toJsonValue(element v) {
  switch (v.type()) {
    case element_type::OBJECT: {
      object o;
      JsonObject result;
      if (v.get(o)) return result;
      result.reserve(o.size());
      for (auto field : o) result.emplace_back(std::string(field.key), toJsonValue(field.value));
      return result;
    }
    case element_type::ARRAY: {
      array a;
      JsonArray result;
      if (v.get(a)) return result;
      result.reserve(a.size());
      for (element e : a) result.push_back(toJsonValue(e));
      return result;
    }
    case element_type::STRING:
      return JsonValue(stringOf(v));
    case element_type::INT64: {
      int64_t n = 0;
      if (v.get(n)) return JsonValue(nullptr);
      return JsonValue(n);
    }
    case element_type::UINT64: {
      uint64_t n = 0;
      if (v.get(n)) return JsonValue(nullptr);
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return JsonValue(static_cast<double>(n));
      }
      return JsonValue(static_cast<int64_t>(n));
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (v.get(d)) return JsonValue(nullptr);
      return JsonValue(d);
    }
    case element_type::BOOL: {
      bool b = false;
      if (v.get(b)) return JsonValue(nullptr);
      return JsonValue(b);
    }
    case element_type::NULL_VALUE:
      return JsonValue(nullptr);
  }
  return JsonValue(nullptr);
}

void mergeInfo(object src, InfoKind kind, JsonObject& dst, JsonObject& rejected) {
  const std::span<const TypedKey> keys = keysOf(kind);
  for (auto field : src) {
    const TypedKey* k = nullptr;
    for (const TypedKey& t : keys) {
      if (t.key == field.key) {
        k = &t;
        break;
      }
    }
    if (k == nullptr) {
      setField(dst, field.key, toJsonValue(field.value));
    } else if (auto v = typed(field.value, k->type)) {
      setField(dst, field.key, std::move(*v));
    } else {
      rejected.emplace_back(std::string(field.key), toJsonValue(field.value));
    }
  }
}

void readErrorDetails(object details, ErrorRecord& out, JsonObject& rejected) {
  std::string_view type;
  std::string_view message;
  bool has_message = false;
  element traceback;
  bool has_traceback = false;
  array frames;
  bool has_frames = false;
  for (auto field : details) {
    const std::string_view key = field.key;
    const element v = field.value;
    const element_type t = v.type();
    bool used = false;
    if (key == "exception_type") {
      if (t == element_type::STRING && !stringOf(v).empty()) {
        type = stringOf(v);
        used = true;
      }
    } else if (key == "message") {
      if (t == element_type::STRING) {
        message = stringOf(v);
        has_message = used = true;
      }
    } else if (key == "traceback") {
      if (t == element_type::STRING || t == element_type::ARRAY) {
        traceback = v;
        has_traceback = used = true;
      }
    } else if (key == "detailed_frames") {
      has_frames = used = !v.get(frames);
    } else if (key == "error_id") {
      if (auto id = typed(v, Type::kId); id && !id->asString()->empty()) {
        out.error_id = std::move(*id->asString());
        used = true;
      }
    } else if (key == "occurred_at") {
      // Ours is written from the record's time; the source's gives that time when the line
      // has no other.
      if (t == element_type::STRING) {
        if (auto when = parseTimestamp(stringOf(v))) {
          if (out.time == 0) out.time = *when;
          used = true;
        }
      }
    } else {
      out.details_extra.emplace_back(std::string(key), toJsonValue(v));
      used = true;
    }
    if (!used) rejected.emplace_back(std::string(key), toJsonValue(v));
  }

  if (has_traceback) {
    std::vector<std::string_view> lines;
    appendLines(traceback, lines);
    while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string_view::npos) {
      lines.pop_back();
    }
    if (!lines.empty() && !analyzeTrace(lines, out, true)) {
      out.traceback.assign(lines.begin(), lines.end());
    }
  }
  if (has_frames) {
    // The source's frames carry what a trace's text cannot (locals, globals); frames read from
    // the traceback are kept only when the source's name no file and line.
    std::vector<Frame> read;
    read.reserve(frames.size());
    for (element e : frames) {
      object o;
      if (e.get(o)) continue;
      Frame f;
      if (readFrame(o, f)) read.push_back(std::move(f));
    }
    if (anyLocated(read) || !anyLocated(out.frames)) out.frames = std::move(read);
  }
  if (!type.empty()) out.exception_type.assign(type);
  if (has_message) out.message.assign(message);
}

bool isStructlogTrace(element v) {
  array a;
  if (v.type() != element_type::ARRAY || v.get(a) || a.size() == 0) return false;
  object first;
  if (a.at(0).get(first)) return false;
  element type;
  return !first.at_key("exc_type").get(type) && type.type() == element_type::STRING;
}

bool readStructlogTrace(array stacks, ErrorRecord& out) {
  object top;
  object root;
  size_t count = 0;
  for (element e : stacks) {
    object o;
    if (e.get(o)) continue;
    if (count == 0) top = o;
    root = o;
    ++count;
  }
  if (count == 0) return false;
  const std::string_view type = firstString(top, {"exc_type"});
  if (type.empty()) return false;
  const std::string_view value = firstString(top, {"exc_value"});
  out.exception_type.assign(type);
  out.message.assign(value);
  out.language = "python";
  out.frames.clear();
  out.traceback.clear();
  out.traceback.emplace_back("Traceback (most recent call last):");
  array frames;
  element fv;
  if (!top.at_key("frames").get(fv) && !fv.get(frames)) {
    for (element e : frames) {
      object o;
      if (e.get(o)) continue;
      Frame f;
      if (!readFrame(o, f)) continue;
      std::string line = "  File \"";
      line.append(f.file).append("\", line ").append(std::to_string(f.line));
      if (!f.function.empty()) line.append(", in ").append(f.function);
      out.traceback.push_back(std::move(line));
      out.frames.push_back(std::move(f));
    }
  }
  // The exception line as Python prints it; a message of several lines keeps them.
  std::vector<std::string_view> message_lines;
  splitLines(value, message_lines);
  std::string last(type);
  if (!message_lines.empty()) last.append(": ").append(message_lines.front());
  out.traceback.push_back(std::move(last));
  for (size_t i = 1; i < message_lines.size(); ++i) out.traceback.emplace_back(message_lines[i]);
  if (count > 1) {
    JsonObject cause;
    cause.emplace_back("type", JsonValue(firstString(root, {"exc_type"})));
    cause.emplace_back("message", JsonValue(firstString(root, {"exc_value"})));
    setField(out.context, "root_cause", JsonValue(std::move(cause)));
  }
  return true;
}

}  // namespace homeo::json_fields
