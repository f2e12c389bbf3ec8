#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kNode =
    "TypeError: Cannot read properties of undefined (reading 'id')\n"
    "    at getUser (/app/src/users.js:10:5)\n"
    "    at async Promise.all (index 0)\n"
    "    at /app/src/routes.js:22:13\n"
    "    at Layer.handle [as handle_request] (/app/node_modules/express/lib/layer.js:95:5)\n"
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)";

}  // namespace

TEST_CASE("trace node: frames of every shape", "[trace][node]") {
  const ErrorRecord r = test::analyzeText(kNode);
  CHECK(r.language == "javascript");
  CHECK(r.exception_type == "TypeError");
  CHECK(r.message == "Cannot read properties of undefined (reading 'id')");
  REQUIRE(r.frames.size() == 5);
  CHECK(r.frames.back().file == "/app/src/users.js");
  CHECK(r.frames.back().line == 10);
  CHECK(r.frames.back().column == 5);
  CHECK(r.frames.back().function == "getUser");
  CHECK(r.frames.back().class_name.empty());
  CHECK(r.frames[2].file == "/app/src/routes.js");
  CHECK(r.frames[2].column == 13);
  CHECK(r.frames[2].function.empty());
  CHECK(r.frames[3].file.empty());  // "(index 0)"
  CHECK(r.frames[3].function == "Promise.all");
  CHECK(r.frames[3].column == 0);
  CHECK_FALSE(r.frames[3].located());
  CHECK(r.frames[1].function == "Layer.handle [as handle_request]");
  CHECK(r.frames[0].file == "node:internal/process/task_queues");
}

TEST_CASE("trace node: cause chain, error code", "[trace][node]") {
  const ErrorRecord r = test::analyzeText(
      "Error [ERR_SYNC]: sync failed\n"
      "    at sync (/app/sync.js:14:11) {\n"
      "  [cause]: Error: connect ECONNREFUSED 10.1.2.3:5432\n"
      "      at TCPConnectWrap.afterConnect (node:net:1555:16)\n"
      "}");
  CHECK(r.exception_type == "Error");
  CHECK(r.message == "sync failed");
  CHECK(test::contextString(r, "code") == "ERR_SYNC");
  CHECK(test::contextString(r, "root_cause", "message") == "connect ECONNREFUSED 10.1.2.3:5432");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().function == "sync");
}

TEST_CASE("trace node: grouping in the text format", "[trace][node]") {
  CHECK(test::groupText("GET / 200\n" + std::string(kNode) + "\nGET / 200\n") ==
        std::vector<size_t>{1, 6, 1});
  // An uncaught exception: the source excerpt, the error, its properties, the runtime line.
  CHECK(test::groupText("/app/x.js:3\n"
                        "  throw new Error('boom');\n"
                        "  ^\n"
                        "\n"
                        "Error: boom\n"
                        "    at Object.<anonymous> (/app/x.js:3:9) {\n"
                        "  code: 'E1'\n"
                        "}\n"
                        "\n"
                        "Node.js v20.11.1\n"
                        "next\n") == std::vector<size_t>{10, 1});
}

TEST_CASE("trace node: fingerprints", "[trace][node]") {
  const std::string a = test::fingerprintOf(kNode);
  std::string moved(kNode);
  moved.replace(moved.find("users.js:10:5"), 13, "users.js:12:7");
  moved.replace(moved.find("layer.js:95"), 11, "layer.js:99");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kNode);
  other.replace(other.find("at getUser"), 10, "at getCart");
  CHECK(test::fingerprintOf(other) != a);
  std::string other_column(kNode);
  other_column.replace(other_column.find("users.js:10:5"), 13, "users.js:10:9");
  CHECK(test::fingerprintOf(other_column) == a);
}
