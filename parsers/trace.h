#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "common/record.h"

namespace homeo {

// Recognises a stack trace among `lines` (the lines of an event, or of an exception field of a
// structured log line) and fills the record from it: traceback (the trace's lines), frames
// (outermost first, innermost last), exception_type, language, and message when the trace
// names one and the record has none or `prefer_trace_message` is set. Returns whether a trace
// was found.
//
// Languages: Python (chained and exception groups), Java/Kotlin/Scala, Go panics and fatal
// errors, Node.js, Ruby, Rust panics, .NET, PHP fatal errors, Elixir. The exception reported
// is the one that propagated to the top (Python's last block, Java's first line, .NET's
// outer exception, Node's error); the end of its cause chain (Python's first block, the
// last "Caused by:", the innermost "--->", the last "[cause]:") goes to
// context.root_cause {type, message}. Frames are those of the reported exception.
//
// A trace that is a fatal error on its own account (PHP's "Fatal error") sets out.level to
// CRITICAL: a caller sets the level its log line says before calling.
bool analyzeTrace(std::span<const std::string_view> lines, ErrorRecord& out,
                  bool prefer_trace_message = false);

// Splits text on \n (dropping a \r before it) into views appended to out.
void splitLines(std::string_view text, std::vector<std::string_view>& out);

// Whether `line`, which no format claims as a header, continues the event `event`: frame and
// separator lines of every language above, the unindented lines of Go goroutine dumps, PHP
// "Stack trace:"/"#N" lines, Rust panic messages and notes, Node.js error properties, and
// C-style lines ending in a backslash. A line that begins a trace of its own does not.
bool continuesTrace(std::span<const std::string_view> event, std::string_view line);

// Whether `line` begins a trace on its own (a Python "Traceback", Go "panic:", Rust "thread
// 'x' panicked", PHP "Fatal error", Elixir "** (", Java "Exception in thread", .NET
// "Unhandled exception.").
bool startsTrace(std::string_view line);

// Whether a line looks like part of a stack trace (indented frame lines, "Traceback (most
// recent call last):", chained-exception separators). Used to group lines of formats that
// have no header of their own.
bool looksLikeTraceLine(std::string_view line);

}  // namespace homeo
