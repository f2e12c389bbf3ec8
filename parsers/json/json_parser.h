#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "parsers/parser.h"

namespace homeo {

// One JSON object per line, as written by structured loggers: python-json-logger, structlog,
// bunyan, pino, logrus, zap, logstash-logback-encoder, ECS loggers, Serilog CLEF, Google
// Cloud Logging, Docker's json-file driver. Well-known keys (aliases listed in
// json_parser.cc, dotted ECS keys written flat or nested) fill the record's fields; every
// other key is kept under `context` with its JSON value.
//
// Each line is parsed once by a reused simdjson DOM parser over a reused padded buffer; its
// keys are classified in one pass before anything is converted, so a line below min_level
// costs that parse and pass and allocates nothing.
class JsonParser : public Parser {
 public:
  JsonParser();
  ~JsonParser() override;

  std::string_view name() const override { return "json"; }
  int probe(std::string_view line) const override;
  bool startsEvent(std::string_view line) const override;
  // A JSON event is one line; anything else becomes an event of its own (for a fallback).
  bool continuesEvent(std::span<const std::string_view> event,
                      std::string_view line) const override;
  ParseStatus parse(const LogEvent& event, Level min_level, ErrorRecord& out) override;

 private:
  class Impl;
  // probe() uses the same scratch space as parse(): an instance serves one thread at a time.
  std::unique_ptr<Impl> impl_;
};

std::unique_ptr<Parser> makeJsonParser();

}  // namespace homeo
