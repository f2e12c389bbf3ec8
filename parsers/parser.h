#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/level.h"
#include "common/record.h"

namespace homeo {

// One log event: a header line and the lines that continue it (a stack trace, a multi-line
// message). Views into the reader's buffer, valid only during the call they are passed to.
struct LogEvent {
  std::span<const std::string_view> lines;  // lines[0] is the header; no line terminators
  uint64_t offset = 0;                      // byte offset of lines[0] in its source
};

// What a line tells before its event is assembled (Parser::scanStart).
struct EventStart {
  bool starts = false;  // the line begins an event of the format, as startsEvent() says
  // Set when the line decides its event's level on its own: parse() of the event it heads
  // returns kBelowLevel whenever min_level is above this level, whatever lines follow (with
  // `if_alone`, only when the event is that line alone).
  std::optional<Level> level;
  bool if_alone = false;
};

enum class ParseStatus {
  kRecord,      // `out` holds the event as a record
  kBelowLevel,  // the event is below min_level; `out` may be partly filled and is to be ignored
  kNotMatched,  // the event is not in this format
};

// A log format. One instance serves every source of one thread: parse() keeps no state from
// one call to the next, only reusable scratch space (a simdjson parser, buffers).
class Parser {
 public:
  virtual ~Parser() = default;

  // The format's name, as written in `format:` and in metadata.format.
  virtual std::string_view name() const = 0;

  // How surely `line` is a header line of this format, 0 (not at all) to 100 (certainly).
  // Detection adds this up over the first lines of a file; it must be cheap.
  virtual int probe(std::string_view line) const = 0;

  // Whether `line` begins a new event of this format.
  virtual bool startsEvent(std::string_view line) const = 0;

  // startsEvent(), and the level of the event the line begins when the line alone decides it
  // (EventStart). The event assembler asks this of every line instead of startsEvent() and
  // completes an event it knows to be below min_level without parse(), so the common INFO line
  // is read once. The default tells no level.
  virtual EventStart scanStart(std::string_view line) const {
    return EventStart{startsEvent(line), std::nullopt, false};
  }

  // Whether `line`, which does not start an event, belongs to the event now being assembled
  // (whose lines so far are `event`). The default takes every such line: in a line-oriented
  // format anything that is not a header continues the previous entry (tracebacks,
  // multi-line messages).
  virtual bool continuesEvent(std::span<const std::string_view> event,
                              std::string_view line) const {
    (void)event;
    (void)line;
    return true;
  }

  // How many lines an event's header spans: what is below them can be a stack trace the
  // header owns (SourceParser asks parse() about these lines alone). One for most formats;
  // java.util.logging writes its level on the second.
  virtual size_t headerLines() const { return 1; }

  // Parses one event. Returns kBelowLevel as early as it knows the level is below
  // `min_level`, so that the common INFO line costs as little as possible. Fills level,
  // time, message, exception data, module and context; the caller fills source, service,
  // tags, ids and fingerprint.
  virtual ParseStatus parse(const LogEvent& event, Level min_level, ErrorRecord& out) = 0;
};

// Creates a parser instance; each thread (and each one-shot `parse` run) makes its own.
using ParserFactoryFn = std::function<std::unique_ptr<Parser>()>;

struct ParserFactory {
  std::string name;
  std::string description;
  // Whether auto-detection considers it (the fallback `text` format is not a candidate).
  bool detectable = true;
  ParserFactoryFn create;
};

// The formats known to a process: the built-in ones (registerBuiltinParsers) plus the
// user-defined ones of a config. Explicit, no static registration.
class ParserRegistry {
 public:
  void add(ParserFactory factory);
  const ParserFactory* find(std::string_view name) const;
  const std::vector<ParserFactory>& all() const { return factories_; }
  std::vector<std::string> names() const;

 private:
  std::vector<ParserFactory> factories_;
};

// Registers every built-in format (parsers/builtin.cc: the one place to add a format).
void registerBuiltinParsers(ParserRegistry& registry);

}  // namespace homeo
