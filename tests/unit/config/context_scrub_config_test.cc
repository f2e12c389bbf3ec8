#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "config/config.h"

namespace homeo::config {
namespace {

std::string all(const LoadResult& r) {
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
  LoadResult r = parseConfig(yaml, "c.yaml");
  INFO(all(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.config.has_value());
  return *r.config;
}

}  // namespace

TEST_CASE("context and scrub default when absent", "[config][context]") {
  Config c = valid("service: s\n");
  CHECK_FALSE(c.context.configured);
  CHECK(c.context.providers.empty());
  CHECK(c.context.timeout_ms == 50);
  CHECK(c.scrub.enabled);
  CHECK(c.scrub.disable.empty());
  CHECK(c.scrub.rules.empty());
}

TEST_CASE("the context section decodes providers and timeout", "[config][context]") {
  Config c = valid(R"(context:
  providers:
    - type: host
    - type: labels
      labels: {team: payments, region: eu-1}
    - type: system_metrics
      interval_ms: 10000
  timeout_ms: 75
inputs:
  - paths: /var/log/a.log
    context: {labels: {tier: web}}
)");
  REQUIRE(c.context.configured);
  REQUIRE(c.context.providers.size() == 3);
  CHECK(c.context.providers[0].type == "host");
  CHECK(c.context.providers[1].type == "labels");
  CHECK(c.context.providers[1].options.has("labels"));
  CHECK_FALSE(c.context.providers[1].options.has("type"));
  CHECK(c.context.providers[2].where.line == 6);
  CHECK(c.context.timeout_ms == 75);
  REQUIRE(c.inputs.size() == 1);
  CHECK(c.inputs[0].context_labels.at("tier") == "web");
}

TEST_CASE("the scrub section decodes rules and actions", "[config][scrub]") {
  Config c = valid(R"(scrub:
  enabled: true
  disable: [card_number]
  hash_key_file: /etc/homeostasisd/scrub.key
  rules:
    - name: order_email
      pattern: '[\w.+-]+@example\.com'
      action: hash
    - name: ticket
      pattern: 'TICKET-\d+'
      action: remove
    - name: plain
      pattern: 'x{3}'
)");
  CHECK(c.scrub.disable == std::vector<std::string>{"card_number"});
  CHECK(c.scrub.disable_where[0].line == 3);
  CHECK(c.scrub.hash_key_file == "/etc/homeostasisd/scrub.key");
  REQUIRE(c.scrub.rules.size() == 3);
  CHECK(c.scrub.rules[0].action == ScrubAction::kHash);
  CHECK(c.scrub.rules[1].action == ScrubAction::kRemove);
  CHECK(c.scrub.rules[2].action == ScrubAction::kMask);
  CHECK(valid("scrub: {enabled: false}\n").scrub.enabled == false);
}

TEST_CASE("context and scrub errors carry FILE:LINE:COL", "[config][scrub]") {
  LoadResult r = parseConfig(R"(context:
  providers:
    - labels: {a: b}
  timeout_ms: 0
  extra: 1
scrub:
  rules:
    - name: bad
      pattern: '(unclosed'
    - name: act
      pattern: 'x'
      action: shred
    - name: Upper
      pattern: 'y'
    - name: act
      pattern: 'z'
    - name: empty
      pattern: 'a*'
    - name: h
      pattern: 'q'
      action: hash
  color: blue
)",
                             "c.yaml");
  INFO(all(r));
  CHECK(hasError(r, "c.yaml:3:7: missing required key 'type'"));
  CHECK(hasError(r, "c.yaml:4:15:"));
  CHECK(hasError(r, "c.yaml:5:3: unknown key 'extra'"));
  CHECK(hasError(r, "c.yaml:9:16: invalid pattern"));
  CHECK(hasError(r, "c.yaml:12:15: expected 'mask', 'remove' or 'hash'"));
  CHECK(hasError(r, "c.yaml:13:13: rule name 'Upper'"));
  CHECK(hasError(r, "c.yaml:15:13: duplicate scrub rule name 'act'"));
  CHECK(hasError(r, "c.yaml:18:16: pattern matches the empty string"));
  CHECK(hasError(r, "c.yaml:8:5: action 'hash' needs a key"));
  CHECK(hasError(r, "c.yaml:22:3: unknown key 'color'"));
  CHECK_FALSE(r.config);
}

TEST_CASE("hash_key_env must be set, and not together with a file", "[config][scrub]") {
  ::unsetenv("HOMEO_TEST_NO_KEY");
  LoadResult r =
      parseConfig("scrub:\n  hash_key_env: HOMEO_TEST_NO_KEY\n  hash_key_file: /k\n", "c.yaml");
  INFO(all(r));
  CHECK(hasError(r, "c.yaml:2:17: give either"));
  CHECK(hasError(r, "c.yaml:2:17: environment variable 'HOMEO_TEST_NO_KEY'"));
  ::setenv("HOMEO_TEST_KEY", "k", 1);
  CHECK(valid("scrub:\n  hash_key_env: HOMEO_TEST_KEY\n").scrub.hash_key_env == "HOMEO_TEST_KEY");
}

TEST_CASE("an input's context takes only labels", "[config][context]") {
  LoadResult r = parseConfig(
      "inputs:\n  - paths: /var/log/a.log\n    context: {labels: {a: b}, providers: []}\n",
      "c.yaml");
  INFO(all(r));
  CHECK(hasError(r, "c.yaml:3:31: unknown key 'providers' in input context"));
}

}  // namespace homeo::config
