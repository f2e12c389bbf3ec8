#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "common/record.h"

namespace homeo {

// Recognises a stack trace among `lines` (the continuation lines of an event, or the lines of
// an exception field of a structured log line) and fills the record from it: traceback (the
// trace's lines), frames (outermost first), exception_type, language, and message when the
// trace names one and the record has none or `prefer_trace_message` is set. Understands
// Python tracebacks (chained ones too: the last exception is the one reported). Returns
// whether a trace was found.
bool analyzeTrace(std::span<const std::string_view> lines, ErrorRecord& out,
                  bool prefer_trace_message = false);

// Splits text on \n (dropping a \r before it) into views appended to out.
void splitLines(std::string_view text, std::vector<std::string_view>& out);

// Whether a line looks like part of a stack trace (indented frame lines, "Traceback (most
// recent call last):", chained-exception separators). Used to group lines of formats that
// have no header of their own.
bool looksLikeTraceLine(std::string_view line);

}  // namespace homeo
