#pragma once

// Shared pieces of the per-language stack-trace readers (parsers/trace/<language>.cc).
// Each reader looks at lines[i]; when that line does not begin a trace of its language it
// returns false and leaves the record untouched.

#include <span>
#include <string_view>

#include "common/record.h"
#include "parsers/text_util.h"

namespace homeo::trace {

using Lines = std::span<const std::string_view>;

// Splits "Type: message" (or a bare "Type", or "Type:") when Type looks like an exception
// type name.
bool splitExceptionLine(std::string_view line, std::string_view& type, std::string_view& msg);

// Sets out.traceback to lines[begin, end), trailing blank lines dropped.
void setTraceback(Lines lines, size_t begin, size_t end, ErrorRecord& out);

// Sets the reported exception: its type always, its message when the record has none or
// `prefer` is set.
void setException(ErrorRecord& out, std::string_view type, std::string_view message, bool prefer);

// Records the exception the reported one was caused by (the end of a cause chain) under
// context.root_cause {type, message}.
void setRootCause(ErrorRecord& out, std::string_view type, std::string_view message);

// Parses a decimal line number that fills `s`; 0 when it is not one.
int64_t lineNumber(std::string_view s);

// Splits "file:line:col" / "file:line" into file, line and column (0 when absent).
void splitLocation(std::string_view loc, std::string_view& file, int64_t& line,
                   int64_t* column = nullptr);

bool analyzePython(Lines lines, size_t i, ErrorRecord& out, bool prefer);
// Whether `line`, unindented, continues the message of the Python exception that ends
// `event`: the location lines of pydantic's "N validation errors for Model" (their
// explanations are indented, so any trace takes them).
bool continuesExceptionMessage(Lines event, std::string_view line);
bool analyzeGo(Lines lines, size_t i, ErrorRecord& out, bool prefer);
bool analyzeRust(Lines lines, size_t i, ErrorRecord& out, bool prefer);
bool analyzePhp(Lines lines, size_t i, ErrorRecord& out, bool prefer);
bool analyzeElixir(Lines lines, size_t i, ErrorRecord& out, bool prefer);
bool analyzeRuby(Lines lines, size_t i, ErrorRecord& out, bool prefer);
// "Type: message" followed by `at` frames: Java/Kotlin/Scala, Node.js or .NET, told apart
// by the shape of the frames.
bool analyzeAtTrace(Lines lines, size_t i, ErrorRecord& out, bool prefer);

// The exception line that heads an `at` trace, its log prefix removed.
struct AtHead {
  std::string_view type;
  std::string_view message;
  std::string_view code;    // Node.js "Error [ERR_X]: msg"
  std::string_view thread;  // Java "Exception in thread \"main\" ..."
  size_t indent = 0;        // leading blanks of the head line
  size_t body = 0;          // the first line after the message (which may run over lines)
};

// Sets the head's exception with `message` (the head's, or what a reader kept of it) and the
// further lines of a message that runs over several lines, as setException does.
void setHeadException(Lines lines, size_t i, const AtHead& head, std::string_view message,
                      ErrorRecord& out, bool prefer);
bool analyzeJvm(Lines lines, size_t i, const AtHead& head, ErrorRecord& out, bool prefer);
bool analyzeNode(Lines lines, size_t i, const AtHead& head, ErrorRecord& out, bool prefer);
bool analyzeDotnet(Lines lines, size_t i, const AtHead& head, ErrorRecord& out, bool prefer);

// Leading blanks of a line (a tab counts as one).
inline size_t indentOf(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && text::isSpace(line[n])) ++n;
  return n;
}

// Whether `line` begins a trace of a language whose first line is distinctive on its own
// (Python "Traceback", Go "panic:", Rust "thread 'x' panicked", PHP "Fatal error", Elixir
// "** (", Java "Exception in thread", .NET "Unhandled exception."). Sets `language`.
bool isTraceStart(std::string_view line, std::string_view* language = nullptr);

// Go: a function line of a goroutine dump ("main.run()", "panic({0x4a, 0x5b})").
bool isGoFunctionLine(std::string_view line);

// Rust's "thread 'main' panicked at ..." (with the thread's id since Rust 1.89: "thread 'main'
// (12345) panicked at ..."): the thread's name and id, and what follows "panicked at ".
struct RustPanicHead {
  std::string_view thread;
  std::string_view id;
  std::string_view rest;
};
bool splitRustPanicHead(std::string_view line, RustPanicHead& head);

// gin's recovery middleware: its "[Recovery] <time> panic recovered:" line, and the
// "/app/x.go:42 (0x8a1b2c)" lines of the stack it prints.
bool isGinRecoveryHeader(std::string_view line);
bool isGinLocationLine(std::string_view line);

// Node.js / Java / .NET `at` frame lines, trimmed.
bool isAtLine(std::string_view trimmed);

}  // namespace homeo::trace
