#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kChained =
    "Traceback (most recent call last):\n"
    "  File \"/app/db.py\", line 12, in fetch\n"
    "    return cache[key]\n"
    "KeyError: 'user:42'\n"
    "\n"
    "The above exception was the direct cause of the following exception:\n"
    "\n"
    "Traceback (most recent call last):\n"
    "  File \"/app/handlers.py\", line 30, in get_user\n"
    "    user = fetch(key)\n"
    "  File \"/app/db.py\", line 15, in fetch\n"
    "    raise LookupError(key) from e\n"
    "LookupError: no cached entry for user:42";

}  // namespace

TEST_CASE("trace python: chained, the last exception reported", "[trace][python]") {
  const ErrorRecord r = test::analyzeText(kChained);
  CHECK(r.language == "python");
  CHECK(r.exception_type == "LookupError");
  CHECK(r.message == "no cached entry for user:42");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "/app/db.py");
  CHECK(r.frames.back().line == 15);
  CHECK(r.frames.back().function == "fetch");
  CHECK(r.frames.front().function == "get_user");
  CHECK(test::contextString(r, "root_cause", "type") == "KeyError");
  CHECK(r.traceback.size() == 13);
}

TEST_CASE("trace python: exception group", "[trace][python]") {
  const ErrorRecord r = test::analyzeText(
      "  + Exception Group Traceback (most recent call last):\n"
      "  |   File \"/app/fan.py\", line 40, in send_all\n"
      "  |     raise ExceptionGroup(\"failed\", errors)\n"
      "  | ExceptionGroup: failed (2 sub-exceptions)\n"
      "  +-+---------------- 1 ----------------\n"
      "    | TimeoutError: a\n"
      "    +---------------- 2 ----------------\n"
      "    | ValueError: b\n"
      "    +------------------------------------");
  CHECK(r.exception_type == "ExceptionGroup");
  CHECK(r.message == "failed (2 sub-exceptions)");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().line == 40);
  const JsonValue* subs = findField(r.context, "sub_exceptions");
  REQUIRE(subs);
  REQUIRE(subs->asArray());
  CHECK(subs->asArray()->size() == 2);
}

TEST_CASE("trace python: grouping in the text format", "[trace][python]") {
  std::string text = "starting\n";
  text += kChained;
  text += "\nnext line\n";
  CHECK(test::groupText(text) == std::vector<size_t>{1, 13, 1});
}

TEST_CASE("trace python: fingerprints", "[trace][python]") {
  const std::string a = test::fingerprintOf(kChained);
  // The same error with other values and line numbers, in another release directory.
  std::string moved(kChained);
  moved.replace(moved.find("line 15"), 7, "line 19");
  moved.replace(moved.find("for user:42"), 11, "for user:77");
  CHECK(test::fingerprintOf(moved) == a);
  // Library frames do not matter when the application's frames are known.
  std::string lib(kChained);
  lib.insert(lib.find("LookupError: no"),
             "  File \"/usr/lib/python3.12/site-packages/x/y.py\", line 3, in z\n");
  CHECK(test::fingerprintOf(lib) == a);
  std::string other(kChained);
  other.replace(other.find("in get_user"), 11, "in get_cart");
  CHECK(test::fingerprintOf(other) != a);
  std::string other_type(kChained);
  other_type.replace(other_type.find("LookupError: no"), 11, "RuntimeError");
  CHECK(test::fingerprintOf(other_type) != a);
}

TEST_CASE("trace python: a SyntaxError printed without a traceback", "[trace][python]") {
  // `python3 /app/settings.py` when the file does not compile.
  const ErrorRecord r = test::analyzeText(
      "  File \"/app/settings.py\", line 12\n"
      "    DEBUG = True)\n"
      "                ^\n"
      "SyntaxError: unmatched ')'");
  CHECK(r.language == "python");
  CHECK(r.exception_type == "SyntaxError");
  CHECK(r.message == "unmatched ')'");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().file == "/app/settings.py");
  CHECK(r.frames.back().line == 12);
  CHECK(r.frames.back().function.empty());
  CHECK(r.frames.back().located());
  CHECK(r.traceback.size() == 4);
  const ErrorRecord indent = test::analyzeText(
      "  File \"/app/jobs.py\", line 3\n"
      "    return total\n"
      "IndentationError: unexpected indent");
  CHECK(indent.exception_type == "IndentationError");
  REQUIRE(indent.frames.size() == 1);
  CHECK(indent.frames.back().line == 3);
  // A frame line followed by any other exception is no SyntaxError block.
  std::vector<std::string_view> lines = {"  File \"/app/a.py\", line 3", "    x()",
                                         "ValueError: bad"};
  ErrorRecord none;
  CHECK_FALSE(analyzeTrace(lines, none));
}

TEST_CASE("trace python: a SyntaxError raised by an import", "[trace][python]") {
  const ErrorRecord r = test::analyzeText(
      "Traceback (most recent call last):\n"
      "  File \"/app/main.py\", line 1, in <module>\n"
      "    import settings\n"
      "  File \"/app/settings.py\", line 12\n"
      "    DEBUG = True)\n"
      "                ^\n"
      "SyntaxError: unmatched ')'");
  CHECK(r.exception_type == "SyntaxError");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.front().function == "<module>");
  CHECK(r.frames.back().file == "/app/settings.py");
  CHECK(r.frames.back().line == 12);
  CHECK(r.frames.back().class_name.empty());
}
