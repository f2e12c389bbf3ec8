#include "transports/record_keys.h"

#include <simdjson.h>

#include <cstring>

namespace homeo {

namespace {

// The string value of a field, or empty when it is not a string.
std::string_view stringOf(simdjson::simdjson_result<simdjson::ondemand::value> value) {
  std::string_view out;
  if (value.get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

bool readMetadata(simdjson::simdjson_result<simdjson::ondemand::value> value, RecordKeys& keys) {
  simdjson::ondemand::object metadata;
  if (value.get_object().get(metadata) != simdjson::SUCCESS) return true;  // not ours to judge
  for (auto field : metadata) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key == "fingerprint") {
      keys.fingerprint = stringOf(field.value());
    } else if (key == "source") {
      simdjson::ondemand::object source;
      if (field.value().get_object().get(source) != simdjson::SUCCESS) continue;
      for (auto inner : source) {
        std::string_view name;
        if (inner.unescaped_key().get(name) != simdjson::SUCCESS) return false;
        if (name == "path") keys.source_path = stringOf(inner.value());
      }
    }
  }
  return true;
}

}  // namespace

struct RecordKeyReader::Parser {
  simdjson::ondemand::parser parser;
};

RecordKeyReader::RecordKeyReader() : parser_(std::make_unique<Parser>()) {}

RecordKeyReader::~RecordKeyReader() = default;

bool RecordKeyReader::read(std::string_view record, RecordKeys& keys) {
  keys = RecordKeys{};
  const size_t need = record.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_.size() < need) buffer_.resize(need);
  std::memcpy(buffer_.data(), record.data(), record.size());
  std::memset(buffer_.data() + record.size(), 0, simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser_->parser.iterate(buffer_.data(), record.size(), buffer_.size()).get(doc) !=
          simdjson::SUCCESS ||
      doc.get_object().get(object) != simdjson::SUCCESS) {
    return false;
  }
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key == "service") {
      keys.service = stringOf(field.value());
    } else if (key == "error_id") {
      keys.error_id = stringOf(field.value());
    } else if (key == "metadata") {
      if (!readMetadata(field.value(), keys)) return false;
    }
  }
  return true;
}

}  // namespace homeo
