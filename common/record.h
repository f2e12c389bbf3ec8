#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/level.h"
#include "common/timeutil.h"

namespace homeo {

// One frame of a stack trace. line is 0 when unknown.
struct Frame {
  std::string file;
  int64_t line = 0;
  std::string function;
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
  std::string error_id;

  JsonObject system_info;
  JsonObject request_info;
  JsonObject response_info;
  JsonObject context;
  std::vector<std::string> tags;

  // metadata
  std::string source_path;
  uint64_t source_offset = 0;
  std::string format;
  std::string module;
  std::string fingerprint;
  std::string raw_log;
  JsonObject metadata_extra;

  void clear();
};

// Renders the record as one JSON object (no trailing newline) appended to out.
void serializeRecord(const ErrorRecord& r, std::string& out);

// Top-level message: "Type: text" when the exception type is known, else the text.
std::string topLevelMessage(const ErrorRecord& r);

// The grouping key: exception type plus the application's frames (file and function, not
// line numbers or the digits of paths, so a redeploy that moves code keeps the group; frames
// of the language's runtime and of third-party packages are left out unless there are no
// others), or, without frames, the exception type and the message with its variable parts
// (numbers, hex, quoted values, ids, UUIDs, IPs, paths, emails, durations) replaced.
std::string computeFingerprint(const ErrorRecord& r);

// Replaces variable parts of a message by placeholders; exposed for tests.
std::string normalizeMessage(std::string_view message);

// A record id that is unique per record, and the same when the same bytes of the same file
// are read again after a crash (so consumers can drop replays).
std::string computeErrorId(std::string_view host, uint64_t source_key, uint64_t offset,
                           std::string_view raw);

}  // namespace homeo
