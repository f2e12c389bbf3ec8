#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "parsers/crash.h"
#include "parsers/source_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

using namespace homeo;

namespace {

// Feeds `text` to a SourceParser of the built-in formats (`format` named, or detected) and
// returns the records it makes at `min_level`.
std::vector<ErrorRecord> records(const std::string& text, std::string format = "auto",
                                 Level min_level = Level::kError) {
  SourceInfo info;
  info.path = "/var/log/app/app.log";
  info.format = std::move(format);
  info.min_level = min_level;
  std::vector<ErrorRecord> out;
  SourceParser sp(test::sharedBuiltinSet(), info, [&](ErrorRecord& r) { out.push_back(r); });
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    sp.addLine(std::string_view(text).substr(start, nl - start), start, nl + 1);
    start = nl + 1;
  }
  sp.flush();
  return out;
}

struct Crash {
  const char* name;
  const char* text;
  Level level;
  const char* type;
  const char* language;
};

// What each runtime writes to stderr when a program fails, as it writes it.
const Crash kCrashes[] = {
    {"python traceback",
     "Traceback (most recent call last):\n"
     "  File \"/srv/billing/worker.py\", line 41, in <module>\n"
     "    main()\n"
     "  File \"/srv/billing/worker.py\", line 37, in main\n"
     "    rate = settings[\"vat\"]\n"
     "KeyError: 'vat'",
     Level::kError, "KeyError", "python"},
    {"python syntax error",
     "  File \"/srv/billing/worker.py\", line 12\n"
     "    def charge(order\n"
     "              ^\n"
     "SyntaxError: '(' was never closed",
     Level::kCritical, "SyntaxError", "python"},
    {"python thread",
     "Exception in thread Thread-2 (poll):\n"
     "Traceback (most recent call last):\n"
     "  File \"/usr/lib/python3.11/threading.py\", line 1045, in _bootstrap_inner\n"
     "    self.run()\n"
     "  File \"/srv/billing/poller.py\", line 19, in poll\n"
     "    resp.raise_for_status()\n"
     "requests.exceptions.HTTPError: 503 Server Error",
     Level::kError, "requests.exceptions.HTTPError", "python"},
    {"java main thread",
     "Exception in thread \"main\" java.lang.IllegalStateException: ledger is closed\n"
     "\tat com.acme.ledger.Ledger.post(Ledger.java:88)\n"
     "\tat com.acme.ledger.Main.main(Main.java:14)",
     Level::kCritical, "java.lang.IllegalStateException", "java"},
    {"java other thread",
     "Exception in thread \"pool-1-thread-3\" java.lang.NullPointerException: rate\n"
     "\tat com.acme.ledger.Fx.convert(Fx.java:30)\n"
     "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
     Level::kError, "java.lang.NullPointerException", "java"},
    {"java printStackTrace",
     "java.io.UncheckedIOException: cannot read ledger.dat\n"
     "\tat com.acme.ledger.Store.load(Store.java:52)\n"
     "\tat com.acme.ledger.Main.main(Main.java:9)",
     Level::kError, "java.io.UncheckedIOException", "java"},
    {"go panic",
     "panic: runtime error: invalid memory address or nil pointer dereference\n"
     "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x4a1b2c]\n"
     "\n"
     "goroutine 1 [running]:\n"
     "main.(*Ledger).Post(0x0, {0x4d2e10, 0x3})\n"
     "\t/src/ledger/ledger.go:27 +0x2c\n"
     "main.main()\n"
     "\t/src/ledger/main.go:15 +0x45",
     Level::kCritical, "panic", "go"},
    {"go fatal error",
     "fatal error: concurrent map writes\n"
     "\n"
     "goroutine 9 [running]:\n"
     "main.(*Cache).Put(...)\n"
     "\t/src/ledger/cache.go:40\n"
     "main.worker()\n"
     "\t/src/ledger/main.go:52 +0x8c",
     Level::kCritical, "fatal error", "go"},
    {"node uncaught",
     "/srv/shop/src/server.js:42\n"
     "    throw new Error(`no price for ${sku}`);\n"
     "    ^\n"
     "\n"
     "Error: no price for A-17\n"
     "    at priceOf (/srv/shop/src/server.js:42:11)\n"
     "    at Server.<anonymous> (/srv/shop/src/server.js:60:18)\n"
     "\n"
     "Node.js v20.11.1",
     Level::kCritical, "Error", "javascript"},
    {"node console.error",
     "TypeError: Cannot read properties of undefined (reading 'sku')\n"
     "    at lineTotal (/srv/shop/src/cart.js:8:22)\n"
     "    at Array.map (<anonymous>)",
     Level::kError, "TypeError", "javascript"},
    {"rust main thread",
     "thread 'main' panicked at src/ledger.rs:31:14:\n"
     "called `Result::unwrap()` on an `Err` value: Io(NotFound)\n"
     "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
     Level::kCritical, "panic", "rust"},
    {"rust other thread",
     "thread 'tokio-runtime-worker' panicked at src/sync.rs:12:9:\n"
     "index out of bounds: the len is 0 but the index is 0",
     Level::kError, "panic", "rust"},
    {"ruby uncaught",
     "ledger.rb:12:in 'Ledger#post': undefined method 'amount' for nil (NoMethodError)\n"
     "\tfrom ledger.rb:30:in 'block in <main>'\n"
     "\tfrom ledger.rb:29:in 'Array#each'\n"
     "\tfrom ledger.rb:29:in '<main>'",
     Level::kCritical, "NoMethodError", "ruby"},
    {"dotnet unhandled",
     "Unhandled exception. System.InvalidOperationException: Ledger is closed.\n"
     "   at Acme.Ledger.Post(Decimal amount) in /src/Ledger/Ledger.cs:line 44\n"
     "   at Acme.Program.Main(String[] args) in /src/Ledger/Program.cs:line 12",
     Level::kCritical, "System.InvalidOperationException", "csharp"},
    {"php fatal",
     "PHP Fatal error:  Uncaught RuntimeException: ledger is closed in /srv/app/Ledger.php:21\n"
     "Stack trace:\n"
     "#0 /srv/app/index.php(9): Ledger->post()\n"
     "#1 {main}\n"
     "  thrown in /srv/app/Ledger.php on line 21",
     Level::kCritical, "RuntimeException", "php"},
    {"elixir",
     "** (ArithmeticError) bad argument in arithmetic expression\n"
     "    lib/ledger.ex:18: Ledger.post/2\n"
     "    (elixir 1.16.1) lib/enum.ex:987: Enum.\"-each/2-lists^foreach/1-0-\"/2",
     Level::kCritical, "ArithmeticError", "elixir"},
};

}  // namespace

TEST_CASE("crash: the runtime's first line", "[crash]") {
  CHECK(crashStart("panic: boom") == CrashStart::kRuntime);
  CHECK(crashStart("fatal error: all goroutines are asleep - deadlock!") == CrashStart::kRuntime);
  CHECK(crashStart("Exception in thread \"main\" java.lang.Error: x") == CrashStart::kRuntime);
  CHECK(crashStart("Exception in thread Thread-1 (worker):") == CrashStart::kRuntime);
  CHECK(crashStart("Unhandled exception. System.Exception: x") == CrashStart::kRuntime);
  CHECK(crashStart("PHP Fatal error:  Uncaught Exception: x in /a.php:3") == CrashStart::kRuntime);
  CHECK(crashStart("PHP Parse error:  syntax error, unexpected '}' in /a.php on line 9") ==
        CrashStart::kRuntime);
  CHECK(crashStart("thread 'main' panicked at src/main.rs:2:5:") == CrashStart::kRuntime);
  CHECK(crashStart("/srv/app/server.js:10") == CrashStart::kRuntime);
  CHECK(crashStart("node:events:497") == CrashStart::kRuntime);
  CHECK(crashStart("file:///srv/app/main.mjs:3") == CrashStart::kRuntime);
  CHECK(crashStart("app.rb:3:in `foo': boom (RuntimeError)") == CrashStart::kRuntime);
  CHECK(crashStart("Traceback (most recent call last):") == CrashStart::kTrace);
  CHECK(crashStart("  File \"/app/x.py\", line 3") == CrashStart::kTrace);
  CHECK(crashStart("** (RuntimeError) boom") == CrashStart::kTrace);

  // Lines that only look alike: a traceback's frame, a re-panic, prose, a log line.
  CHECK(crashStart("  File \"/app/x.py\", line 3, in main") == CrashStart::kNone);
  CHECK(crashStart("\tpanic: boom") == CrashStart::kNone);
  CHECK(crashStart("panicked at the disco") == CrashStart::kNone);
  CHECK(crashStart("Exception in thread pool handling, retrying") == CrashStart::kNone);
  CHECK(crashStart("the thread 'main' panicked at noon") == CrashStart::kNone);
  CHECK(crashStart("server.js started on port 3000") == CrashStart::kNone);
  CHECK(crashStart("notes.txt:10") == CrashStart::kNone);
  CHECK(crashStart("2024-03-11 19:45:10 ERROR Fatal error: Uncaught x") == CrashStart::kNone);
  CHECK(crashStart("") == CrashStart::kNone);

  CHECK(startsAtTrace("java.lang.IllegalStateException: x", "\tat a.B.c(B.java:1)"));
  CHECK(startsAtTrace("TypeError: x", "    at f (/a.js:1:2)"));
  CHECK_FALSE(startsAtTrace("  nested: x", "    at f (/a.js:1:2)"));
  CHECK_FALSE(startsAtTrace("we got there at last", "    at noon"));
}

TEST_CASE("crash: alone in a file, one record of its level", "[crash]") {
  for (const Crash& c : kCrashes) {
    INFO(c.name);
    const auto out = records(c.text, "auto", Level::kDebug);
    REQUIRE(out.size() == 1);
    CHECK(out[0].level == c.level);
    CHECK(out[0].exception_type == c.type);
    CHECK(out[0].language == c.language);
    CHECK(out[0].format == "text");
    CHECK_FALSE(out[0].frames.empty());
  }
}

TEST_CASE("crash: after a line of another format, a record of its own", "[crash]") {
  const std::vector<std::pair<std::string, std::string>> before = {
      {"json", "{\"level\":\"info\",\"ts\":\"2024-03-11T19:45:09Z\",\"msg\":\"ledger ready\"}\n"},
      {"syslog", "Mar 11 19:45:09 web01 ledger[812]: ledger ready\n"},
      {"python", "2024-03-11 19:45:09,120 - ledger - INFO - ledger ready\n"},
      {"java", "2024-03-11 19:45:09.120  INFO 812 --- [main] com.acme.Ledger : ledger ready\n"},
      {"generic", "2024-03-11T19:45:09Z info ledger ready\n"},
  };
  for (const auto& [format, line] : before) {
    for (const Crash& c : kCrashes) {
      INFO(format << ": " << c.name);
      for (const std::string& named : {format, std::string("auto")}) {
        const auto out = records(line + line + line + c.text + "\n" + line, named);
        REQUIRE(out.size() == 1);
        CHECK(out[0].level == c.level);
        CHECK(out[0].exception_type == c.type);
        CHECK_FALSE(out[0].frames.empty());
        // The crash's own bytes, not the line before it.
        CHECK(out[0].source_offset == 3 * line.size());
      }
    }
  }
}

TEST_CASE("crash: a header at WARNING or above owns the trace below it", "[crash]") {
  const std::string text =
      "2024-03-11 19:45:09,120 - ledger - ERROR - posting failed\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/ledger/post.py\", line 12, in post\n"
      "    total += entry.amount\n"
      "AttributeError: 'NoneType' object has no attribute 'amount'\n"
      "2024-03-11 19:45:10,000 - ledger - INFO - next batch\n";
  auto out = records(text);
  REQUIRE(out.size() == 1);
  CHECK(out[0].format == "python");
  CHECK(out[0].module == "ledger");
  CHECK(out[0].exception_type == "AttributeError");
  CHECK(test::str(out[0].context, "log_message") == "posting failed");

  // logger.warning(..., exc_info=True): the trace is the warning's, below ERROR.
  std::string warned = text;
  warned.replace(warned.find("ERROR"), 5, "WARNING");
  CHECK(records(warned).empty());
  CHECK(records(warned, "auto", Level::kWarning).size() == 1);

  // The same in free text, and in Java's layout with an exception below its ERROR line.
  out = records(
      "2024-03-11 19:45:09 [ledger] ERROR posting failed\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/ledger/post.py\", line 12, in post\n"
      "AttributeError: x\n",
      "text");
  REQUIRE(out.size() == 1);
  CHECK(out[0].exception_type == "AttributeError");
  out = records(
      "2024-03-11 19:45:09.120 ERROR 812 --- [main] com.acme.Ledger : posting failed\n"
      "java.lang.IllegalStateException: closed\n"
      "\tat com.acme.Ledger.post(Ledger.java:40)\n",
      "java");
  REQUIRE(out.size() == 1);
  CHECK(out[0].format == "java");
  CHECK(out[0].exception_type == "java.lang.IllegalStateException");
}

TEST_CASE("crash: below an INFO line it is not taken down with it", "[crash]") {
  const std::string info = "2024-03-11 19:45:09,120 - ledger - INFO - posting batch 7\n";
  for (const char* trace : {
           "Traceback (most recent call last):\n"
           "  File \"/srv/ledger/post.py\", line 12, in post\n"
           "ZeroDivisionError: division by zero\n",
           "  File \"/srv/ledger/post.py\", line 12\n"
           "    total +=\n"
           "            ^\n"
           "SyntaxError: invalid syntax\n",
           "java.lang.ArithmeticException: / by zero\n"
           "\tat com.acme.Ledger.post(Ledger.java:40)\n",
       }) {
    INFO(trace);
    const auto out = records(info + info + trace + info, "python");
    REQUIRE(out.size() == 1);
    CHECK(out[0].format == "text");
    CHECK_FALSE(out[0].exception_type.empty());
    CHECK(out[0].frames.size() == 1);
    CHECK(out[0].raw_log.find("INFO") == std::string::npos);
  }
  // At INFO the line and the crash are two records.
  const auto both = records(info +
                                "Traceback (most recent call last):\n"
                                "  File \"/srv/ledger/post.py\", line 12, in post\n"
                                "ZeroDivisionError: division by zero\n",
                            "python", Level::kInfo);
  REQUIRE(both.size() == 2);
  CHECK(both[0].level == Level::kInfo);
  CHECK(both[0].exception_type.empty());
  CHECK(both[1].exception_type == "ZeroDivisionError");
}

TEST_CASE("crash: a second trace in one event is a record of its own", "[crash]") {
  auto out = records(
      "2024-03-11 19:45:09,120 - ledger - ERROR - posting failed\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/ledger/post.py\", line 12, in post\n"
      "KeyError: 'eur'\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/ledger/main.py\", line 3, in <module>\n"
      "SystemError: gave up\n"
      "panic: ledger corrupt\n"
      "\n"
      "goroutine 1 [running]:\n"
      "main.main()\n"
      "\t/src/ledger/main.go:15 +0x45\n");
  REQUIRE(out.size() == 3);
  CHECK(out[0].exception_type == "KeyError");
  CHECK(out[1].exception_type == "SystemError");
  CHECK(out[2].exception_type == "panic");
  CHECK(out[2].level == Level::kCritical);

  // Chained tracebacks and Go's re-panic stay one record.
  out = records(
      "Traceback (most recent call last):\n"
      "  File \"/srv/ledger/fx.py\", line 8, in rate\n"
      "KeyError: 'eur'\n"
      "\n"
      "During handling of the above exception, another exception occurred:\n"
      "\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/ledger/post.py\", line 12, in post\n"
      "LookupError: no rate\n"
      "panic: closed [recovered]\n"
      "\tpanic: closed\n"
      "\n"
      "goroutine 1 [running]:\n"
      "main.main()\n"
      "\t/src/ledger/main.go:15 +0x45\n");
  REQUIRE(out.size() == 2);
  CHECK(out[0].exception_type == "LookupError");
  CHECK(out[1].exception_type == "panic");
  CHECK(out[1].raw_log.find("\tpanic: closed") != std::string::npos);
}
