#include "transports/http/ushs_event.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "common/hash.h"
#include "common/json.h"
#include "common/record.h"

namespace homeo {

const unsigned char kUshsIdNamespace[16] = {0xb2, 0x95, 0x2a, 0xa7, 0x94, 0xfc, 0x4b, 0x3d,
                                            0xac, 0x61, 0xd2, 0xda, 0x49, 0x65, 0x0b, 0x17};

namespace {

namespace dom = simdjson::dom;

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool uuidShaped(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !isHex(s[i])) return false;
  }
  return true;
}

std::string formatUuid(const std::array<unsigned char, 16>& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

// RFC 9562 name-based UUID, version 5: SHA-1 of namespace and name, version and variant set.
std::string uuidV5(std::string_view name) {
  std::vector<unsigned char> input(kUshsIdNamespace, kUshsIdNamespace + 16);
  input.insert(input.end(), name.begin(), name.end());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  std::array<unsigned char, 16> b{};
  unsigned char version = 0x50;
  if (EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha1(), nullptr) == 1 &&
      size >= 16) {
    std::copy(digest, digest + 16, b.begin());
  } else {
    // No SHA-1 (a crypto policy that forbids it): a version 8 (custom) UUID from our own hash,
    // as stable.
    const uint64_t hi = mix64(fnv1a(name, fnv1a("ushs-id")));
    const uint64_t lo = mix64(fnv1a(name, hi));
    for (int i = 0; i < 8; ++i) {
      b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
      b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
    }
    version = 0x80;
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | version);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  return formatUuid(b);
}

// The value of `key` in `o`, if present.
bool member(const dom::object& o, std::string_view key, dom::element& out) {
  return o.at_key(key).get(out) == simdjson::SUCCESS;
}

std::string_view stringMember(const dom::object& o, std::string_view key) {
  std::string_view s;
  dom::element e;
  if (member(o, key, e) && e.get_string().get(s) == simdjson::SUCCESS) return s;
  return {};
}

bool objectMember(const dom::object& o, std::string_view key, dom::object& out) {
  dom::element e;
  return member(o, key, e) && e.get_object().get(out) == simdjson::SUCCESS;
}

bool integerMember(const dom::object& o, std::string_view key, int64_t& out) {
  dom::element e;
  return member(o, key, e) && e.get_int64().get(out) == simdjson::SUCCESS;
}

// A string, or an integer as its digits (ids and codes written as numbers); empty otherwise.
std::string textMember(const dom::object& o, std::string_view key) {
  dom::element e;
  if (!member(o, key, e)) return {};
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
  return {};
}

void appendKey(std::string& out, std::string_view key) {
  appendJsonString(out, key);
  out.push_back(':');
}

void appendRaw(std::string& out, const dom::element& e) { out += simdjson::to_string(e); }

// Writes a JSON object into `out`, from '{' on construction to '}' on destruction, and keeps
// its keys so that none is written twice (a record's own metadata key wins over ours).
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ~ObjectWriter() { out_.push_back('}'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // Starts the member `key` (the caller appends its value) unless it was written already.
  bool key(std::string_view key) {
    if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) return false;
    keys_.push_back(key);
    if (keys_.size() > 1) out_.push_back(',');
    appendKey(out_, key);
    return true;
  }
  void string(std::string_view key, std::string_view value) {
    if (this->key(key)) appendJsonString(out_, value);
  }
  void raw(std::string_view key, const dom::element& value) {
    if (this->key(key)) appendRaw(out_, value);
  }

 private:
  std::string& out_;
  std::vector<std::string_view> keys_;
};

// The kind of error line the record's type names when a record carries no error_type (one
// written before records had it, replayed from a spool): the rule of errorType().
std::string fallbackErrorType(const dom::object& r, Level level) {
  ErrorRecord stand_in;
  stand_in.exception_type = std::string(stringMember(r, "exception_type"));
  stand_in.level = level;
  dom::object response;
  int64_t status = 0;
  if (objectMember(r, "response_info", response) &&
      integerMember(response, "status_code", status)) {
    setField(stand_in.response_info, "status_code", JsonValue(status));
  }
  return errorType(stand_in);
}

// "file:line[:column] in [class.]function" of a frame; empty without a file.
std::string frameLocation(const dom::object& frame) {
  const std::string_view file = stringMember(frame, "file");
  if (file.empty()) return {};
  std::string out(file);
  int64_t n = 0;
  if (integerMember(frame, "line", n) && n > 0) {
    out += ':' + std::to_string(n);
    if (integerMember(frame, "column", n) && n > 0) out += ':' + std::to_string(n);
  }
  const std::string_view function = stringMember(frame, "function");
  if (!function.empty()) {
    out += " in ";
    if (const std::string_view cls = stringMember(frame, "class"); !cls.empty()) {
      out.append(cls).push_back('.');
    }
    out.append(function);
  }
  return out;
}

// A frame of detailed_frames as a USHS stack-trace entry: file, function, line and column where
// they have the USHS type, everything else (class, in_app, locals) kept beside them.
void appendFrame(std::string& out, const dom::object& frame) {
  ObjectWriter w(out);
  for (const dom::key_value_pair field : frame) {
    const std::string_view key = field.key;
    const dom::element_type type = field.value.type();
    const bool is_integer = type == dom::element_type::INT64 || type == dom::element_type::UINT64;
    if ((key == "file" || key == "function") && type != dom::element_type::STRING) continue;
    if ((key == "line" || key == "column") && !is_integer) continue;
    w.raw(key, field.value);
  }
}

// Top-level keys of a record that the event says elsewhere: every other one goes to metadata.
constexpr std::string_view kMappedTopLevel[] = {"timestamp", "service",    "level",
                                                "message",   "error_type", "error_details",
                                                "context",   "metadata"};
// Keys of error_details that the event or the record's top level say already.
constexpr std::string_view kConsumedDetails[] = {"exception_type",  "message",  "traceback",
                                                 "detailed_frames", "error_id", "occurred_at"};

template <size_t N>
bool oneOf(std::string_view key, const std::string_view (&keys)[N]) {
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

}  // namespace

std::string_view ushsSeverity(Level level) {
  switch (level) {
    case Level::kCritical:
      return "critical";
    case Level::kError:
      return "high";
    case Level::kWarning:
      return "medium";
    case Level::kInfo:
    case Level::kDebug:
      break;
  }
  return "low";
}

std::string ushsEventId(std::string_view error_id) {
  if (uuidShaped(error_id)) {
    std::string id(error_id);
    for (char& c : id) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    return id;
  }
  return uuidV5(error_id);
}

bool UshsEncoder::encode(std::string_view record, std::string& out, std::string& error) {
  dom::element doc;
  if (const auto ec = parser_.parse(record.data(), record.size()).get(doc); ec) {
    error = std::string("record is not valid JSON: ") + simdjson::error_message(ec);
    return false;
  }
  dom::object r;
  if (doc.get_object().get(r) != simdjson::SUCCESS) {
    error = "record is not a JSON object";
    return false;
  }
  const std::string_view timestamp = stringMember(r, "timestamp");
  if (timestamp.empty()) {
    error = "record has no timestamp";
    return false;
  }
  const Level level = parseLevel(stringMember(r, "level")).value_or(Level::kError);
  std::string_view service = stringMember(r, "service");
  if (service.empty()) service = "unknown";

  dom::object details, system_info, request_info, response_info, context, metadata;
  const bool has_details = objectMember(r, "error_details", details);
  const bool has_system = objectMember(r, "system_info", system_info);
  const bool has_request = objectMember(r, "request_info", request_info);
  const bool has_response = objectMember(r, "response_info", response_info);
  const bool has_context = objectMember(r, "context", context);
  const bool has_metadata = objectMember(r, "metadata", metadata);
  dom::array frames;
  dom::element e;
  const bool has_frames = has_details && member(details, "detailed_frames", e) &&
                          e.get_array().get(frames) == simdjson::SUCCESS && frames.size() > 0;

  {
    ObjectWriter event(out);
    // Without an error_id the record's own text names it: unique, and the same on a replay.
    const std::string_view error_id = stringMember(r, "error_id");
    event.string("id", error_id.empty() ? uuidV5(record) : ushsEventId(error_id));
    event.string("timestamp", timestamp);
    event.string("severity", ushsSeverity(level));

    event.key("source");
    {
      ObjectWriter source(out);
      source.string("service", service);
      if (has_metadata) {
        if (auto v = stringMember(metadata, "release"); !v.empty()) source.string("version", v);
        if (auto v = stringMember(metadata, "environment"); !v.empty()) {
          source.string("environment", v);
        }
      }
      if (has_frames) {
        dom::object innermost;
        if (frames.at(frames.size() - 1).get_object().get(innermost) == simdjson::SUCCESS) {
          if (std::string where = frameLocation(innermost); !where.empty()) {
            source.string("location", where);
          }
        }
      }
      if (has_system) {
        if (auto v = stringMember(system_info, "hostname"); !v.empty()) {
          source.string("hostname", v);
        }
      }
      std::string container = has_system ? textMember(system_info, "container_id") : "";
      if (container.empty() && has_context) container = textMember(context, "container_id");
      if (!container.empty()) source.string("containerID", container);
    }

    event.key("error");
    {
      ObjectWriter err(out);
      std::string type(stringMember(r, "error_type"));
      if (type.empty()) type = fallbackErrorType(r, level);
      std::string_view message = has_details ? stringMember(details, "message") : "";
      if (message.empty()) message = stringMember(r, "message");
      if (message.empty()) message = type;
      err.string("type", type);
      err.string("message", message);
      std::string code;
      if (has_context) code = textMember(context, "error_code");
      if (code.empty() && has_context) code = textMember(context, "code");
      int64_t status = 0;
      if (code.empty() && has_response && integerMember(response_info, "status_code", status) &&
          status >= 400) {
        code = std::to_string(status);
      }
      if (!code.empty()) err.string("code", code);
      if (has_frames) {
        err.key("stackTrace");
        out.push_back('[');
        bool first = true;
        for (const dom::element frame : frames) {
          dom::object f;
          if (frame.get_object().get(f) != simdjson::SUCCESS) continue;
          if (!first) out.push_back(',');
          first = false;
          appendFrame(out, f);
        }
        out.push_back(']');
      }
      if (has_context && context.size() > 0 && member(r, "context", e)) err.raw("context", e);
    }

    std::string correlation = has_request ? textMember(request_info, "request_id") : "";
    if (correlation.empty() && has_metadata) correlation = textMember(metadata, "trace_id");
    for (std::string_view key : {"trace_id", "request_id", "correlation_id"}) {
      if (!correlation.empty() || !has_context) break;
      correlation = textMember(context, key);
    }
    if (!correlation.empty()) event.string("correlationId", correlation);

    event.key("metadata");
    {
      ObjectWriter meta(out);
      if (has_metadata) {
        for (const dom::key_value_pair field : metadata) meta.raw(field.key, field.value);
      }
      for (const dom::key_value_pair field : r) {
        if (!oneOf(field.key, kMappedTopLevel)) meta.raw(field.key, field.value);
      }
      meta.string("level", levelName(level));
      if (has_details) {
        bool open = false;
        for (const dom::key_value_pair field : details) {
          if (oneOf(field.key, kConsumedDetails)) continue;
          if (!open) {
            if (!meta.key("error_details")) break;
            out.push_back('{');
            open = true;
          } else {
            out.push_back(',');
          }
          appendKey(out, field.key);
          appendRaw(out, field.value);
        }
        if (open) out.push_back('}');
      }
    }
  }
  return true;
}

}  // namespace homeo
