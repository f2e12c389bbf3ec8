#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "parsers/parser.h"

namespace homeo {

// One JSON object per line, as written by structured loggers: python-json-logger, structlog,
// bunyan, pino, logrus, zap, logstash-logback-encoder, ECS loggers, Serilog CLEF, Google
// Cloud Logging, Docker's json-file driver, and Homeostasis' own error records. Well-known
// keys (aliases listed in json_parser.cc, dotted ECS keys written flat or nested) fill the
// record's fields, as do the parts a line carries in the record's own shape (service, tags,
// error_details, request_info, response_info, system_info, call_location, context); every
// other key is kept under `context` with its JSON value. When the line names an exception
// (a trace, an error object, error_details), the record's message is the exception's own and
// the event's text is kept as context.log_message.
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

  // For formats that carry a JSON object inside a text line (Homeostasis' logger writes
  // `asctime - name - LEVEL - {json}`).
  struct ObjectOptions {
    // The level of the line's text header: it decides, whatever the object says.
    std::optional<Level> level;
    // kNotMatched unless the object names a message or error_details (a JSON value that is
    // just data logged as text stays text).
    bool need_message = false;
  };
  // Reads `text`, one JSON object, as parse() reads a line.
  ParseStatus parseObject(std::string_view text, Level min_level, ErrorRecord& out,
                          const ObjectOptions& options);

  // Whether `text` is a JSON object of Homeostasis' error-record shape: with an error_details
  // object, or with timestamp, service, level and message (what its logger always writes).
  bool hasRecordShape(std::string_view text) const;

 private:
  class Impl;
  // probe() uses the same scratch space as parse(): an instance serves one thread at a time.
  std::unique_ptr<Impl> impl_;
};

std::unique_ptr<Parser> makeJsonParser();

}  // namespace homeo
