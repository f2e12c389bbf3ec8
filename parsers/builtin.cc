// The one place where built-in formats are registered. To add a format: create
// parsers/<name>/ with the parser and its factory, then add it here.
#include "parsers/bracket/bracket_parser.h"
#include "parsers/json/json_parser.h"
#include "parsers/parser.h"
#include "parsers/python/python_parser.h"
#include "parsers/syslog/syslog_parser.h"
#include "parsers/text/text_parser.h"

namespace homeo {

void registerBuiltinParsers(ParserRegistry& registry) {
  registry.add({"json",
                "JSON lines: python-json-logger, structlog, bunyan/pino, logrus, zap, logback, "
                "ECS, Serilog, GCP, Docker json-file",
                true, makeJsonParser});
  registry.add(
      {"syslog", "syslog RFC 5424 and RFC 3164, with or without <PRI>", true, makeSyslogParser});
  registry.add({"bracket", "Homeostasis guide: [LEVEL][timestamp] module - message", true,
                makeBracketParser});
  registry.add({"python", "Python logging lines with their tracebacks", true, makePythonParser});
  registry.add({"text", "fallback: timestamp and level words in free text, bare stack traces",
                false, makeTextParser});
}

}  // namespace homeo
