#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <variant>

#include "common/json.h"
#include "common/record.h"
#include "parsers/parser.h"
#include "parsers/parser_set.h"
#include "parsers/source_parser.h"
#include "parsers/trace.h"

namespace homeo::test {

// Parses `text` (lines joined by \n) as one event with parser p.
inline ParseStatus parseEvent(Parser& p, std::string_view text, ErrorRecord& out,
                              Level min_level = Level::kDebug) {
  std::vector<std::string_view> lines;
  splitLines(text, lines);
  LogEvent ev{lines, 0};
  return p.parse(ev, min_level, out);
}

// The built-in formats as one set, as the daemon builds it.
inline std::unique_ptr<ParserSet> builtinSet() {
  ParserRegistry reg;
  registerBuiltinParsers(reg);
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(reg, {}, diags);
  REQUIRE(set);
  return set;
}

// One set shared by a test program's cases.
inline ParserSet& sharedBuiltinSet() {
  static auto set = builtinSet();
  return *set;
}

// What scanStart() says of an event's first line holds for the event: it starts one as
// startsEvent() says, and a level it tells is one parse() keeps to (the event is below every
// min_level above it).
inline void checkScanStart(Parser& p, const std::vector<std::string_view>& lines) {
  const EventStart start = p.scanStart(lines[0]);
  CHECK(start.starts == p.startsEvent(lines[0]));
  if (!start.starts || !start.level || *start.level == Level::kCritical) return;
  if (start.if_alone && lines.size() > 1) return;
  const Level above = static_cast<Level>(static_cast<int>(*start.level) + 1);
  ErrorRecord scratch;
  CHECK(p.parse(LogEvent{lines, 0}, above, scratch) == ParseStatus::kBelowLevel);
}

struct Parsed {
  ParseStatus status = ParseStatus::kNotMatched;
  ErrorRecord record;
};

// Parses `text` (lines joined by \n) as one event of the built-in format `name`, whose first
// line must start an event.
inline Parsed parseAs(std::string_view name, std::string_view text,
                      Level min_level = Level::kDebug) {
  Parser* p = sharedBuiltinSet().find(name);
  REQUIRE(p != nullptr);
  std::vector<std::string_view> lines;
  splitLines(text, lines);
  CHECK(p->startsEvent(lines[0]));
  checkScanStart(*p, lines);
  Parsed out;
  out.status = p->parse(LogEvent{lines, 0}, min_level, out.record);
  return out;
}

// A string field of `obj`, or "<missing>".
inline std::string str(const JsonObject& obj, std::string_view key) {
  const JsonValue* v = findField(obj, key);
  if (v == nullptr || !v->isString()) return "<missing>";
  return *v->asString();
}

// An integer field of `obj`: -1 when missing, -2 when not an integer.
inline int64_t num(const JsonObject& obj, std::string_view key) {
  const JsonValue* v = findField(obj, key);
  if (v == nullptr) return -1;
  if (const auto* i = std::get_if<int64_t>(&v->storage())) return *i;
  return -2;
}

}  // namespace homeo::test

namespace homeo::test {

// What a source yields when read as the daemon reads a file (auto detection).
struct SourceRun {
  std::vector<ErrorRecord> records;
  std::string format;  // the detected format
};

// Reads `lines` through a SourceParser of the built-in formats for a source described by
// `info` (its min_level, release, in_app rules, ...).
inline SourceRun readSource(const std::vector<std::string>& lines, const SourceInfo& info) {
  SourceRun run;
  SourceParser sp(sharedBuiltinSet(), info, [&](ErrorRecord& r) { run.records.push_back(r); });
  uint64_t off = 0;
  for (const auto& l : lines) {
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  run.format = sp.format() ? std::string(sp.format()->name()) : "";
  return run;
}

// Reads `lines` through a SourceParser of the built-in formats, keeping records >= min_level.
inline SourceRun readSource(const std::vector<std::string>& lines,
                            Level min_level = Level::kError) {
  SourceInfo info;
  info.min_level = min_level;
  return readSource(lines, info);
}

}  // namespace homeo::test
