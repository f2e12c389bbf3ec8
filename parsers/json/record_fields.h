#pragma once

#include <simdjson.h>

#include "common/json.h"
#include "common/record.h"

namespace homeo::json_fields {

// A JSON value as a JsonValue (unsigned numbers past int64 become doubles).
JsonValue toJsonValue(simdjson::dom::element v);

// Readers of the parts of a structured line that already have the error record's shape, as
// Homeostasis' own logger writes them (error_details, request_info, response_info,
// system_info, call_location) and as structlog's dict_tracebacks writes an exception. Each
// fills the record with the keys whose values have the types the record schema gives them and
// appends the others to `rejected` (the caller keeps that in context), so nothing is lost and
// every record stays valid against the schema.

// error_details: exception_type, message (the exception's own), traceback (lines, or strings of
// several lines each as traceback.format_exception returns them), detailed_frames (their
// locals and globals kept in Frame::extra), error_id (the record's id), occurred_at (the
// record's time when the line has no other). Its other keys go to details_extra as they came.
void readErrorDetails(simdjson::dom::object details, ErrorRecord& out, JsonObject& rejected);

enum class InfoKind { kRequest, kResponse, kSystem, kCallLocation };

// Merges the keys of `src` into `dst`, src's winning (a source's own request_info over what
// its flat keys said, a record's own system_info over the host provider's).
void mergeInfo(simdjson::dom::object src, InfoKind kind, JsonObject& dst, JsonObject& rejected);

// structlog's dict_tracebacks: a list of {exc_type, exc_value, frames: [{filename, lineno,
// name, locals}]}, the raised exception first and its causes after it. Fills exception type,
// message, frames, a Python-style traceback and context.root_cause. False when `stacks` is
// not that shape (the caller keeps the value in context).
bool readStructlogTrace(simdjson::dom::array stacks, ErrorRecord& out);

// Whether `v` is structlog's dict_tracebacks list (its first element has exc_type).
bool isStructlogTrace(simdjson::dom::element v);

}  // namespace homeo::json_fields
