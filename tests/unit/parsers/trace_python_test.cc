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

TEST_CASE("trace python: pydantic's validation errors keep their lines", "[trace][python]") {
  constexpr std::string_view kV2 =
      "Traceback (most recent call last):\n"
      "  File \"/srv/api/users.py\", line 30, in create_user\n"
      "    user = User(**payload)\n"
      "pydantic_core._pydantic_core.ValidationError: 2 validation errors for User\n"
      "name\n"
      "  Field required [type=missing, input_value={'age': 'x'}, input_type=dict]\n"
      "    For further information visit https://errors.pydantic.dev/2.6/v/missing\n"
      "age\n"
      "  Input should be a valid integer, unable to parse string as an integer "
      "[type=int_parsing, input_value='x', input_type=str]\n"
      "    For further information visit https://errors.pydantic.dev/2.6/v/int_parsing";
  // A bare traceback (the text format): the message's lines are part of it, the line after
  // them is not.
  std::string text(kV2);
  text += "\nworker restarted\n";
  CHECK(test::groupText(text) == std::vector<size_t>{10, 1});
  const ErrorRecord r = test::analyzeText(kV2);
  CHECK(r.exception_type == "pydantic_core._pydantic_core.ValidationError");
  CHECK(r.message.starts_with("2 validation errors for User\nname\n  Field required"));
  CHECK(r.message.ends_with("https://errors.pydantic.dev/2.6/v/int_parsing"));
  CHECK(r.traceback.size() == 10);

  // pydantic 1: a location ("body -> items -> 0") and one indented line per error.
  constexpr std::string_view kV1 =
      "Traceback (most recent call last):\n"
      "  File \"/srv/api/orders.py\", line 12, in parse\n"
      "pydantic.error_wrappers.ValidationError: 1 validation error for Order\n"
      "body -> items -> 0 -> price\n"
      "  value is not a valid float (type=type_error.float)\n"
      "Order 7 rejected";
  CHECK(test::groupText(kV1) == std::vector<size_t>{5, 1});
  // Another exception's message ends at its line.
  CHECK(test::groupText("Traceback (most recent call last):\n"
                        "  File \"/srv/a.py\", line 1, in f\n"
                        "ValueError: 2 values for x\n"
                        "name") == std::vector<size_t>{3, 1});
}
