#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/config.h"

namespace homeo::config {
namespace {

const std::string kName = "test.yaml";

std::string joined(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.errors) out += d.str() + "\n";
  return out;
}

bool hasError(const LoadResult& r, const std::string& prefix) {
  for (const Diagnostic& d : r.errors) {
    if (d.str().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

Config valid(const std::string& yaml) {
  LoadResult r = parseConfig(yaml, kName);
  INFO(joined(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.config.has_value());
  return *r.config;
}

TEST_CASE("a journald input decodes its keys beside file inputs", "[config][journald]") {
  Config c = valid(
      "service: shop\n"
      "inputs:\n"
      "  - paths: [/var/log/a.log]\n"
      "  - type: journald\n"
      "    units: [checkout.service, worker]\n"
      "    directory: /var/log/journal\n"
      "    service: checkout-api\n"
      "    format: python\n"
      "    read_from: beginning\n"
      "    tags: [web]\n"
      "    min_level: WARNING\n"
      "  - type: journald\n");
  REQUIRE(c.inputs.size() == 3);
  CHECK(c.inputs[0].type == InputType::kFile);
  const InputConfig& j = c.inputs[1];
  CHECK(j.type == InputType::kJournald);
  CHECK(j.where.line == 4);
  // A unit without a suffix is a service, as journalctl -u reads it.
  CHECK(j.units == std::vector<std::string>{"checkout.service", "worker.service"});
  CHECK(j.directory == "/var/log/journal");
  CHECK(j.service == "checkout-api");
  CHECK(j.format == "python");
  CHECK(j.read_from == ReadFrom::kBeginning);
  CHECK(j.tags == std::vector<std::string>{"web"});
  CHECK(j.min_level == Level::kWarning);
  CHECK(j.paths.empty());
  // Defaults: every unit, the system journal, the top-level service, auto detection.
  const InputConfig& all = c.inputs[2];
  CHECK(all.type == InputType::kJournald);
  CHECK(all.units.empty());
  CHECK(all.directory.empty());
  CHECK(all.service == "shop");
  CHECK(all.format == "auto");
  CHECK(all.read_from == ReadFrom::kEnd);
}

TEST_CASE("type: file is a file input, and paths stay required there", "[config][journald]") {
  Config c = valid("inputs:\n  - type: file\n    paths: [/var/log/a.log]\n");
  CHECK(c.inputs[0].type == InputType::kFile);
  LoadResult r = parseConfig("inputs:\n  - type: file\n", kName);
  CHECK(hasError(r, "test.yaml:2:5: missing required key 'paths' in input"));
}

TEST_CASE("journald input problems are reported at their line and column", "[config][journald]") {
  LoadResult r = parseConfig(
      "inputs:\n"
      "  - type: journald\n"
      "    paths: [/var/log/a.log]\n"
      "    units: [ok.service, 'bad unit', 'web-*.service', '']\n"
      "    directory: var/log/journal\n"
      "    read_from: middle\n"
      "  - type: jornald\n"
      "    paths: [/var/log/b.log]\n",
      kName);
  INFO(joined(r));
  CHECK_FALSE(r.config.has_value());
  CHECK(hasError(r, "test.yaml:3:5: unknown key 'paths' in journald input"));
  CHECK(hasError(r, "test.yaml:4:25: unit name 'bad unit' must not contain spaces"));
  CHECK(hasError(r, "test.yaml:4:37: unit name 'web-*.service' is matched exactly"));
  CHECK(hasError(r, "test.yaml:4:54: a unit name must not be empty"));
  CHECK(hasError(r, "test.yaml:5:16: directory 'var/log/journal' must be absolute"));
  CHECK(hasError(r, "test.yaml:6:16: expected 'beginning' or 'end' for 'read_from'"));
  CHECK(hasError(r, "test.yaml:7:11: unknown input type 'jornald' (known: file, journald)"));
  CHECK(r.errors.size() == 7);
}

TEST_CASE("two journald inputs of the same journal and units are an error", "[config][journald]") {
  LoadResult r = parseConfig(
      "inputs:\n"
      "  - {type: journald, units: [a.service, b.service]}\n"
      "  - {type: journald, units: [b.service, a]}\n"
      "  - {type: journald, units: [a.service], directory: /srv/journal}\n"
      "  - {type: journald, units: [a.service]}\n",
      kName);
  INFO(joined(r));
  REQUIRE(r.errors.size() == 1);
  CHECK(hasError(r,
                 "test.yaml:3:5: this journald input reads the same journal and units as the "
                 "one at line 2"));
}

}  // namespace
}  // namespace homeo::config
