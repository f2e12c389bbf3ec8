#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace homeo {

class JsonValue;
using JsonArray = std::vector<JsonValue>;
// Objects keep insertion order: records read in the order their fields were written.
using JsonObject = std::vector<std::pair<std::string, JsonValue>>;

// A small JSON document model for the open-ended parts of a record (context, request data,
// fields of structured lines). The record's fixed fields are typed members instead.
class JsonValue {
 public:
  using Storage =
      std::variant<std::nullptr_t, bool, int64_t, double, std::string, JsonArray, JsonObject>;

  JsonValue() : v_(nullptr) {}
  JsonValue(std::nullptr_t) : v_(nullptr) {}
  JsonValue(bool b) : v_(b) {}
  JsonValue(int i) : v_(static_cast<int64_t>(i)) {}
  JsonValue(int64_t i) : v_(i) {}
  JsonValue(uint64_t i) : v_(static_cast<int64_t>(i)) {}
  JsonValue(double d) : v_(d) {}
  JsonValue(const char* s) : v_(std::string(s)) {}
  JsonValue(std::string s) : v_(std::move(s)) {}
  JsonValue(std::string_view s) : v_(std::string(s)) {}
  JsonValue(JsonArray a) : v_(std::move(a)) {}
  JsonValue(JsonObject o) : v_(std::move(o)) {}

  bool isNull() const { return std::holds_alternative<std::nullptr_t>(v_); }
  bool isString() const { return std::holds_alternative<std::string>(v_); }
  bool isObject() const { return std::holds_alternative<JsonObject>(v_); }
  bool isArray() const { return std::holds_alternative<JsonArray>(v_); }
  const std::string* asString() const { return std::get_if<std::string>(&v_); }
  std::string* asString() { return std::get_if<std::string>(&v_); }
  const JsonObject* asObject() const { return std::get_if<JsonObject>(&v_); }
  JsonObject* asObject() { return std::get_if<JsonObject>(&v_); }
  const JsonArray* asArray() const { return std::get_if<JsonArray>(&v_); }
  JsonArray* asArray() { return std::get_if<JsonArray>(&v_); }
  const Storage& storage() const { return v_; }
  Storage& storage() { return v_; }

  // Calls fn(std::string&) on every string value (not keys) of this value, recursively.
  template <typename Fn>
  void forEachString(Fn&& fn) {
    if (auto* s = asString()) {
      fn(*s);
    } else if (auto* a = asArray()) {
      for (auto& e : *a) e.forEachString(fn);
    } else if (auto* o = asObject()) {
      for (auto& [k, e] : *o) e.forEachString(fn);
    }
  }

 private:
  Storage v_;
};

// Sets key in obj (replacing an existing entry) and returns the stored value.
JsonValue& setField(JsonObject& obj, std::string_view key, JsonValue value);
const JsonValue* findField(const JsonObject& obj, std::string_view key);

// Appends s to out as a JSON string literal. Invalid UTF-8 is replaced by U+FFFD, so the
// output is always valid JSON whatever bytes a log file held.
void appendJsonString(std::string& out, std::string_view s);
void appendJson(std::string& out, const JsonValue& v);

// Replaces invalid UTF-8 sequences in s by U+FFFD. Returns true if s was changed.
bool sanitizeUtf8(std::string& s);

}  // namespace homeo
