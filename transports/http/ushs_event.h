#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/level.h"

namespace homeo {

// The namespace of the name-based UUIDs ushsEventId() derives:
// b2952aa7-94fc-4b3d-ac61-d2da49650b17.
extern const unsigned char kUshsIdNamespace[16];

// USHS v1.0 severity of a level, ranked as Homeostasis' extractor ranks levels: CRITICAL
// "critical", ERROR "high", WARNING "medium", INFO and DEBUG "low".
std::string_view ushsSeverity(Level level);

// The event id of a record: its error_id when that is shaped like a UUID (8-4-4-4-12 hex digits;
// homeostasisd's own ids are), lower-cased; else (an id a source record carried, or none) the
// name-based UUID (version 5, SHA-1) of `error_id` in kUshsIdNamespace, the same every time.
std::string ushsEventId(std::string_view error_id);

// Turns a serialized record (docs/record.schema.json, as common/record.cc writes it) into one
// USHS v1.0 error event (standards/v1.0/schemas/error-event.json of Homeostasis; ours is
// docs/ushs-error-event.schema.json):
//   id             ushsEventId(error_id); without one, the name-based UUID of the record's text
//   timestamp      timestamp
//   severity       ushsSeverity(level)
//   source         service; hostname (system_info); location (the innermost frame,
//                  "file:line[:column] in [class.]function"); environment and version
//                  (metadata.environment, metadata.release); containerID (system_info or
//                  context container_id) - each where the record has it
//   error          type (error_type); message (error_details.message, else the top-level
//                  message, else the type); code (context error_code or code, else an HTTP
//                  status >= 400); stackTrace (detailed_frames, outermost first); context
//   correlationId  request_info.request_id, else metadata.trace_id, else context trace_id,
//                  request_id or correlation_id
//   metadata       the record's metadata (source path and offset, format, module, fingerprint,
//                  raw_log, ...), and error_id, level, exception_type, language, traceback,
//                  tags, system_info, request_info, response_info, error_details' other keys
//                  and any other top-level key, under their own names.
// One reused parser: not thread-safe.
class UshsEncoder {
 public:
  // Appends the event to `out`. False (with `error`, `out` unchanged) when `record` is not a
  // JSON object with a string timestamp.
  bool encode(std::string_view record, std::string& out, std::string& error);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace homeo
