// The keys that enrich every record of an input: release, environment, in_app.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "config/config.h"

namespace homeo::config {
namespace {

const std::string kName = "test.yaml";

Config valid(const std::string& yaml) {
  LoadResult r = parseConfig(yaml, kName);
  for (const Diagnostic& d : r.errors) UNSCOPED_INFO(d.str());
  REQUIRE(r.config.has_value());
  return *r.config;
}

std::vector<std::string> errors(const std::string& yaml) {
  LoadResult r = parseConfig(yaml, kName);
  CHECK_FALSE(r.config.has_value());
  std::vector<std::string> out;
  for (const Diagnostic& d : r.errors) out.push_back(d.str());
  return out;
}

}  // namespace

TEST_CASE("release and environment: global, per input, the input's winning",
          "[config][enrichment]") {
  const Config c = valid(
      "release: 1.4.2\n"
      "environment: production\n"
      "inputs:\n"
      "  - paths: [/var/log/a.log]\n"
      "  - paths: [/var/log/b.log]\n"
      "    release: 2.0.0-rc1\n"
      "  - paths: [/var/log/c.log]\n"
      "    environment: staging\n"
      "  - type: journald\n"
      "    units: [web]\n"
      "    release: '7'\n"
      "    environment: canary\n");
  CHECK(c.release == "1.4.2");
  CHECK(c.environment == "production");
  REQUIRE(c.inputs.size() == 4);
  CHECK(c.inputs[0].release == "1.4.2");
  CHECK(c.inputs[0].environment == "production");
  CHECK(c.inputs[1].release == "2.0.0-rc1");
  CHECK(c.inputs[1].environment == "production");
  CHECK(c.inputs[2].release == "1.4.2");
  CHECK(c.inputs[2].environment == "staging");
  CHECK(c.inputs[3].release == "7");
  CHECK(c.inputs[3].environment == "canary");
}

TEST_CASE("release and environment: absent by default, per input alone", "[config][enrichment]") {
  const Config c = valid(
      "inputs:\n"
      "  - paths: [/var/log/a.log]\n"
      "  - paths: [/var/log/b.log]\n"
      "    release: abc123\n");
  CHECK(c.release.empty());
  CHECK(c.environment.empty());
  CHECK(c.inputs[0].release.empty());
  CHECK(c.inputs[1].release == "abc123");
  CHECK(c.in_app.empty());
  CHECK(c.inputs[0].in_app.empty());
}

TEST_CASE("release: ${NAME} is replaced from the environment", "[config][enrichment]") {
  ::setenv("HOMEO_TEST_RELEASE", "git-5f1c2a9", 1);
  const Config c =
      valid("release: ${HOMEO_TEST_RELEASE}\nenvironment: prod-${HOMEO_TEST_RELEASE}\n");
  CHECK(c.release == "git-5f1c2a9");
  CHECK(c.environment == "prod-git-5f1c2a9");
  ::unsetenv("HOMEO_TEST_RELEASE");
}

TEST_CASE("in_app: include and exclude, global and per input", "[config][enrichment]") {
  const Config c = valid(
      "in_app:\n"
      "  include: [com.mycorp., /app/]\n"
      "  exclude: /app/vendor/\n"
      "inputs:\n"
      "  - paths: [/var/log/a.log]\n"
      "  - paths: [/var/log/b.log]\n"
      "    in_app: {include: [github.com/mycorp/]}\n");
  CHECK(c.in_app.include == std::vector<std::string>{"com.mycorp.", "/app/"});
  CHECK(c.in_app.exclude == std::vector<std::string>{"/app/vendor/"});
  REQUIRE(c.inputs.size() == 2);
  CHECK(c.inputs[0].in_app == c.in_app);
  // An input's rules replace the top-level ones.
  CHECK(c.inputs[1].in_app.include == std::vector<std::string>{"github.com/mycorp/"});
  CHECK(c.inputs[1].in_app.exclude.empty());
}

TEST_CASE("release, environment and in_app: wrong types are errors at FILE:LINE:COL",
          "[config][enrichment]") {
  SECTION("release as a list") {
    CHECK(errors("release: [1, 2]\n") ==
          std::vector<std::string>{"test.yaml:1:10: expected a string for 'release', got a list"});
  }
  SECTION("environment as a mapping, in an input") {
    CHECK(errors("inputs:\n"
                 "  - paths: [/a.log]\n"
                 "    environment: {name: prod}\n") ==
          std::vector<std::string>{
              "test.yaml:3:18: expected a string for 'environment', got a mapping"});
  }
  SECTION("an empty release") {
    const auto e = errors("release: ''\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0].rfind("test.yaml:1:10: ", 0) == 0);
  }
  SECTION("a release of two lines") {
    const auto e = errors("release: \"1.0\\nx\"\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "test.yaml:1:10: 'release' must be one line of at most 200 bytes");
  }
  SECTION("in_app as a list") {
    const auto e = errors("in_app: [com.mycorp]\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0].rfind("test.yaml:1:9: expected a mapping for 'in_app'", 0) == 0);
  }
  SECTION("in_app include as a mapping, in an input") {
    const auto e = errors(
        "inputs:\n"
        "  - paths: [/a.log]\n"
        "    in_app:\n"
        "      include: {a: b}\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0].rfind("test.yaml:4:16: expected a list of strings for 'include'", 0) == 0);
  }
  SECTION("an unknown key and an empty prefix in in_app") {
    const auto e = errors(
        "in_app:\n"
        "  include: ['', com.x]\n"
        "  exlude: [org.]\n");
    REQUIRE(e.size() == 2);
    CHECK(e[0] == "test.yaml:2:13: an in_app prefix must not be empty");
    CHECK(e[1].rfind("test.yaml:3:3: unknown key 'exlude' in in_app", 0) == 0);
  }
}

}  // namespace homeo::config
