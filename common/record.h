#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/level.h"
#include "common/timeutil.h"

namespace homeo {

struct InAppRules;  // common/in_app.h

// One frame of a stack trace, as Homeostasis' language adapters describe one: line and column
// are 0 when unknown; `function` is the function or method alone when the trace names the
// class or module it belongs to (`class_name`: Java/Kotlin/.NET class, Ruby or Elixir module,
// Rust/Go type), else the name as written.
struct Frame {
  Frame() = default;
  Frame(std::string file_, int64_t line_, std::string function_, int64_t column_ = 0,
        std::string class_name_ = {})
      : file(std::move(file_)),
        line(line_),
        function(std::move(function_)),
        column(column_),
        class_name(std::move(class_name_)) {}

  std::string file;
  int64_t line = 0;
  std::string function;
  int64_t column = 0;
  std::string class_name;
  JsonObject extra;  // what a structured source said of the frame besides (locals, globals)
  // The application's own code rather than the runtime's or a library's (see common/in_app.h);
  // set when the record's frames are final.
  bool in_app = true;

  // A frame Homeostasis can place: it names a file and a line. Other frames (native code,
  // `{main}`, `panic(...)`) stay in the traceback only.
  bool located() const { return !file.empty() && line > 0; }
};

// The standardized error record (see docs/record.schema.json). Fixed fields are typed;
// open-ended parts are JsonObjects. Parsers fill what the log says, context providers add
// system_info/context, the scrubber rewrites strings, then serializeRecord() renders it.
struct ErrorRecord {
  UnixNanos time = 0;  // when the error occurred; 0 = not written in the log
  std::string service;
  Level level = Level::kError;
  std::string message;         // the text alone (error_details.message)
  std::string exception_type;  // empty when unknown
  std::vector<std::string> traceback;
  std::string language;       // empty when unknown
  std::vector<Frame> frames;  // outermost first, innermost last
  std::string error_id;       // ours (UUID-shaped), or the id the source record carried

  JsonObject system_info;
  JsonObject request_info;
  JsonObject response_info;
  JsonObject context;
  std::vector<std::string> tags;

  // metadata
  std::string source_path;
  uint64_t source_offset = 0;
  // metadata.source of a record that was read from no file (a journal entry: type, unit,
  // cursor); written instead of {path, offset} when not empty.
  JsonObject source;
  std::string format;
  std::string module;
  std::string fingerprint;
  std::string raw_log;
  // metadata.release and metadata.environment: the application's version and the deployment
  // it runs in, as the line names them (parsers/correlation.h), else the input's config.
  std::string release;
  std::string environment;
  // metadata.trace_id and metadata.span_id: the distributed trace and span the error happened
  // in, as the line names them (OpenTelemetry, Datadog, W3C traceparent, Spring Sleuth).
  std::string trace_id;
  std::string span_id;
  JsonObject metadata_extra;
  // Keys of a Homeostasis record that belong beside ours and that ours do not cover: top-level
  // (call_location) and in error_details (a source's own occurred-at spelling, ...).
  JsonObject extra;
  JsonObject details_extra;

  void clear();
};

// Renders the record as one JSON object (no trailing newline) appended to out.
void serializeRecord(const ErrorRecord& r, std::string& out);

// Top-level message: "Type: text" when the exception type is known, else the text.
std::string topLevelMessage(const ErrorRecord& r);

// The record's top-level `error_type`, which Homeostasis' orchestrator and healing audit read:
// the exception type when there is one; else a stable name of the kind of error line:
// "HTTP<status>" for a request that failed with a status, else "Log" plus the level
// ("LogError", "LogCritical", "LogWarning", ...).
std::string errorType(const ErrorRecord& r);

// The record's error_details.exception_type: the exception's short name where Homeostasis'
// rules and its own logger name a type so (`type(e).__name__`, Java's simple class name) while
// the trace writes it qualified: NullPointerException for java.lang.NullPointerException
// (Java, Kotlin, Scala), OperationalError for sqlalchemy.exc.OperationalError (Python),
// QueryException for Illuminate\Database\QueryException (PHP). Else the type as written,
// which the top-level exception_type always is.
std::string_view detailsExceptionType(const ErrorRecord& r);

// The grouping key: exception type plus the application's frames (file, class and function,
// not line numbers or the digits of paths, so a redeploy that moves code keeps the group;
// frames without a file and line, and frames of the language's runtime and of third-party
// packages, are left out unless there are no others), or, without frames, the exception type
// and the message with its variable parts (numbers, hex, quoted values, ids, UUIDs, IPs,
// paths, emails, durations) replaced.
std::string computeFingerprint(const ErrorRecord& r);
// The same, with a source's in-app rules deciding which frames are the application's.
std::string computeFingerprint(const ErrorRecord& r, const InAppRules& rules);

// Replaces variable parts of a message by placeholders; exposed for tests.
std::string normalizeMessage(std::string_view message);

// A record id that is unique per record, and the same when the same bytes of the same file
// are read again after a crash (so consumers can drop replays).
std::string computeErrorId(std::string_view host, uint64_t source_key, uint64_t offset,
                           std::string_view raw);

}  // namespace homeo
