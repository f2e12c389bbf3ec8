#include "transports/homeostasis/error_window.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "transports/record_keys.h"

namespace homeo {
namespace {

std::string record(const std::string& service, const std::string& fingerprint, int n) {
  return R"({"timestamp":"2023-05-20T14:30:22","service":")" + service + R"(","error_id":"id-)" +
         std::to_string(n) +
         R"(","metadata":{"source":{"path":"/var/log/a.log","offset":1},"fingerprint":")" +
         fingerprint + R"("}})";
}

std::string keyOf(RecordKeyReader& reader, const std::string& line) {
  RecordKeys keys;
  REQUIRE(reader.read(line, keys));
  return ErrorWindow::entryKey(keys);
}

std::vector<std::string> ids(const ErrorWindow& window) {
  std::vector<std::string> out;
  RecordKeyReader reader;
  for (const auto& e : window.entries()) {
    RecordKeys keys;
    REQUIRE(reader.read(e.line, keys));
    out.emplace_back(keys.error_id);
  }
  return out;
}

TEST_CASE("the window keeps the latest occurrence of each error, newest first",
          "[transports][homeostasis]") {
  RecordKeyReader reader;
  ErrorWindow window(3);
  auto push = [&](const std::string& service, const std::string& fp, int n) {
    const std::string line = record(service, fp, n);
    window.push(keyOf(reader, line), line);
  };
  push("api", "fa", 1);
  push("api", "fb", 2);
  push("api", "fa", 3);  // fa again: moves to the front, its first occurrence leaves
  CHECK(ids(window) == std::vector<std::string>{"id-3", "id-2"});
  push("web", "fa", 4);  // the same fingerprint in another service is another error
  CHECK(ids(window) == std::vector<std::string>{"id-4", "id-3", "id-2"});
  push("api", "fc", 5);  // past the capacity: the oldest goes
  CHECK(ids(window) == std::vector<std::string>{"id-5", "id-4", "id-3"});
  CHECK(window.contents() == record("api", "fc", 5) + "\n" + record("web", "fa", 4) + "\n" +
                                 record("api", "fa", 3) + "\n");
}

TEST_CASE("records without a fingerprint are grouped by error_id, or not at all",
          "[transports][homeostasis]") {
  RecordKeys keys;
  keys.error_id = "e1";
  CHECK(ErrorWindow::entryKey(keys) == "id:e1");
  keys.fingerprint = "f";
  keys.service = "s";
  CHECK(ErrorWindow::entryKey(keys) != "id:e1");
  ErrorWindow window(5);
  window.push("", "{\"n\":1}");
  window.push("", "{\"n\":2}");
  window.push("id:e1", "{\"n\":3}");
  window.push("id:e1", "{\"n\":4}");
  CHECK(window.contents() == "{\"n\":4}\n{\"n\":2}\n{\"n\":1}\n");
}

TEST_CASE("the window is rebuilt from its file", "[transports][homeostasis]") {
  RecordKeyReader reader;
  ErrorWindow written(4);
  for (int n = 1; n <= 6; ++n) {
    const std::string line = record("api", "f" + std::to_string(n % 5), n);
    written.push(keyOf(reader, line), line);
  }
  ErrorWindow loaded(4);
  CHECK(loaded.load(written.contents(), reader) == 0);
  CHECK(ids(loaded) == ids(written));
  CHECK(loaded.contents() == written.contents());

  SECTION("a smaller window keeps the newest") {
    ErrorWindow small(2);
    CHECK(small.load(written.contents(), reader) == 0);
    CHECK(ids(small) == std::vector<std::string>{"id-6", "id-5"});
  }
  SECTION("a repeated key is kept once; blank lines are skipped") {
    ErrorWindow again(4);
    const std::string text = record("api", "fx", 8) + "\n\n" + record("api", "fx", 7) + "\n";
    CHECK(again.load(text, reader) == 0);
    CHECK(ids(again) == std::vector<std::string>{"id-8"});
  }
  SECTION("lines that are not JSON objects are counted, also past the capacity") {
    ErrorWindow mixed(1);
    const std::string text = record("api", "fx", 8) + "\n" + record("api", "fy", 9) +
                             "\n2024-03-11 09:20:00,000 - homeostasis.orchestrator - INFO - "
                             "{\"message\": \"x\"}\n[1, 2]\n";
    CHECK(mixed.load(text, reader) == 2);
    CHECK(ids(mixed) == std::vector<std::string>{"id-8"});
  }
}

}  // namespace
}  // namespace homeo
