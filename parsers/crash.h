#pragma once

#include <span>
#include <string_view>

#include "common/level.h"

namespace homeo {

// What language runtimes write when a program fails without a logger's help: an uncaught
// exception or panic printed to stderr, which systemd, supervisord or a container runtime put
// into the log file between the application's own lines.

enum class CrashStart {
  kNone,
  // The runtime's own report of an uncaught error (Go "panic:" and "fatal error:", Java
  // 'Exception in thread "x"', Python's "Exception in thread x:", .NET "Unhandled
  // exception.", PHP "PHP Fatal error:", Rust "thread 'x' panicked at", Node.js' "file.js:10"
  // above the source excerpt, Ruby's "app.rb:3:in 'foo': msg (Type)"). No logger writes these
  // below a line of its own, so they always begin an event.
  kRuntime,
  // A trace that a logger also writes below its own header line (Python's "Traceback" and a
  // SyntaxError's bare 'File "x", line N', Elixir's "** (Type)"): it belongs to the header
  // above it when that one owns it (see SourceParser), else it begins an event.
  kTrace,
};

// How `line`, unindented as the runtime writes it (a SyntaxError's location excepted), begins
// a crash. Cheap: most lines are told apart by their first byte.
CrashStart crashStart(std::string_view line);

// Whether `exception` ("java.lang.IllegalStateException: msg", "TypeError: msg") followed by
// `frame` (an "at ..." line) begin a trace: printStackTrace(), console.error(err) and .NET's
// ToString() write no header of their own.
bool startsAtTrace(std::string_view exception, std::string_view frame);

// Whether an event's lines begin with a crash: a CrashStart line, or startsAtTrace.
bool isCrash(std::span<const std::string_view> lines);

// The level of a crash (lines as isCrash accepts them): CRITICAL when the runtime says the
// process ended with it (a Go panic or fatal error, Java's or Rust's main thread, .NET
// unhandled, PHP fatal and parse errors, Node.js' uncaught report, Ruby's and Elixir's
// uncaught exception, a Python script that does not compile); ERROR for an exception that
// ended one thread or that a program printed and lived on (a Python traceback, which
// traceback.print_exc() writes as well, another thread's exception or panic, a bare
// "Type: msg" + "at" trace).
Level crashLevel(std::span<const std::string_view> lines);

// Node.js' line above the source excerpt of an uncaught error: "/app/server.js:10",
// "file:///app/x.mjs:3", "node:events:497".
bool isNodeSourceLocation(std::string_view line);

}  // namespace homeo
