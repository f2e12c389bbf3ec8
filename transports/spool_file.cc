#include "transports/spool_file.h"

#include <simdjson.h>

#include <cinttypes>
#include <cstdio>

#include "common/crc32c.h"

namespace homeo {
namespace {

constexpr std::string_view kHeaderPrefix = "#homeostasisd-spool v1 len=";

std::string hex32(uint32_t v) {
  char text[9];
  std::snprintf(text, sizeof(text), "%08" PRIx32, v);
  return text;
}

}  // namespace

std::string spoolHeader(std::string_view body) {
  return std::string(kHeaderPrefix) + std::to_string(body.size()) +
         " crc32c=" + hex32(crc32c(body)) + "\n";
}

size_t spoolHeaderSize(uint64_t body_bytes) {
  return kHeaderPrefix.size() + std::to_string(body_bytes).size() + sizeof(" crc32c=") - 1 + 8 + 1;
}

std::string checkSpoolFile(std::string_view data, std::string_view& body) {
  body = {};
  if (data.empty()) return "empty file";
  if (data.front() != '#') {
    // No header: the layout before it, if every line is a JSON object.
    simdjson::dom::parser parser;
    size_t line_no = 0;
    for (size_t pos = 0; pos < data.size();) {
      size_t end = data.find('\n', pos);
      if (end == std::string_view::npos) end = data.size();
      const std::string line(data.substr(pos, end - pos));
      ++line_no;
      pos = end + 1;
      if (line.empty()) continue;
      simdjson::dom::element doc;
      if (parser.parse(line).get(doc) || !doc.is_object()) {
        return "no spool header, and line " + std::to_string(line_no) +
               " is not a JSON record (a foreign or damaged file)";
      }
    }
    body = data;
    return {};
  }
  const size_t nl = data.find('\n');
  const std::string_view line = data.substr(0, nl);
  if (nl == std::string_view::npos) return "cut short inside its header";
  uint64_t len = 0;
  uint32_t crc = 0;
  int used = 0;
  const std::string text(line);
  if (!text.starts_with(kHeaderPrefix) ||
      std::sscanf(text.c_str() + kHeaderPrefix.size(), "%" SCNu64 " crc32c=%8" SCNx32 "%n", &len,
                  &crc, &used) != 2 ||
      kHeaderPrefix.size() + static_cast<size_t>(used) != text.size()) {
    return "unknown header \"" + text.substr(0, 80) + "\"";
  }
  const std::string_view rest = data.substr(nl + 1);
  if (rest.size() < len) {
    return "cut short: " + std::to_string(rest.size()) + " of " + std::to_string(len) + " bytes";
  }
  if (rest.size() > len) {
    return std::to_string(rest.size()) + " bytes where its header says " + std::to_string(len);
  }
  if (const uint32_t actual = crc32c(rest); actual != crc) {
    return "checksum mismatch: crc32c " + hex32(actual) + ", its header says " + hex32(crc);
  }
  body = rest;
  return {};
}

std::string spoolFileName(uint64_t id, size_t records) {
  char name[64];
  std::snprintf(name, sizeof(name), "%016" PRIx64 "-%zu.ndjson", id, records);
  return name;
}

bool parseSpoolFileName(std::string_view name, uint64_t& id, size_t& records) {
  const std::string text(name);
  int used = 0;
  return std::sscanf(text.c_str(), "%16" SCNx64 "-%zu.ndjson%n", &id, &records, &used) == 2 &&
         static_cast<size_t>(used) == text.size();
}

void forEachSpooledRecord(
    std::string_view body, simdjson::dom::parser& parser,
    const std::function<void(std::string_view record, Level level, RecordRoute route)>& each) {
  std::string record;
  for (size_t pos = 0; pos < body.size();) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    record.assign(body.substr(pos, end - pos));
    pos = end + 1;
    if (record.empty()) continue;
    Level level = Level::kError;
    RecordRoute route;
    simdjson::dom::element doc;
    if (!parser.parse(record).get(doc)) {
      std::string_view text;
      if (!doc["level"].get(text)) level = parseLevel(text).value_or(Level::kError);
      if (!doc["service"].get(text)) route.service = std::string(text);
      simdjson::dom::array tags;
      if (!doc["tags"].get(tags)) {
        for (auto tag : tags) {
          if (!tag.get(text)) route.tags.emplace_back(text);
        }
      }
    }
    each(record, level, std::move(route));
  }
}

}  // namespace homeo
