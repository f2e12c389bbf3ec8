#include "transports/amqp/amqp_transport.h"

#include <simdjson.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

using namespace std::chrono_literals;

TEST_CASE("parseAmqpUrl reads host, port, credentials and vhost", "[transports][amqp]") {
  std::string error;
  auto u = parseAmqpUrl("amqp://guest:guest@127.0.0.1:5672/", error);
  REQUIRE(u);
  CHECK_FALSE(u->tls);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 5672);
  CHECK(u->user == "guest");
  CHECK(u->password == "guest");
  CHECK(u->vhost == "/");  // a bare trailing slash means the default vhost

  u = parseAmqpUrl("amqps://app:p%40ss@mq.example.com/prod", error);
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->port == 5671);
  CHECK(u->password == "p@ss");  // percent-decoded
  CHECK(u->vhost == "prod");

  u = parseAmqpUrl("amqp://h/%2f", error);
  REQUIRE(u);
  CHECK(u->vhost == "/");
  u = parseAmqpUrl("amqp://[::1]:5673", error);
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 5673);

  for (const char* bad : {"http://h/", "h:5672", "amqp://h:0/", "amqp://h:99999/", "amqp://h:x/",
                          "amqp://u:pw@h/a/b", "amqp://h?x=1"}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(parseAmqpUrl(bad, error));
    CHECK_FALSE(error.empty());
  }
  // The password of a URL that does not parse stays out of the error.
  error.clear();
  CHECK_FALSE(parseAmqpUrl("amqp://u:hunter2@h:0/", error));
  CHECK(error.find("hunter2") == std::string::npos);
  CHECK(error.find("u:***@h:0") != std::string::npos);
}

TEST_CASE("maskUrlPassword hides the password and nothing else", "[transports][amqp]") {
  CHECK(maskUrlPassword("amqp://guest:guest@127.0.0.1:5672/") ==
        "amqp://guest:***@127.0.0.1:5672/");
  CHECK(maskUrlPassword("amqps://u:p%40ss@h/v") == "amqps://u:***@h/v");
  CHECK(maskUrlPassword("amqp://u:a@b:c@h/") == "amqp://u:***@h/");  // the last '@' ends it
  CHECK(maskUrlPassword("amqp://user@h/") == "amqp://user@h/");
  CHECK(maskUrlPassword("amqp://h:5672/") == "amqp://h:5672/");
  CHECK(maskUrlPassword("amqp://h/v@x:y") == "amqp://h/v@x:y");  // '@' in the path
  CHECK(maskUrlPassword("") == "");
}

TEST_CASE("routing keys: placeholders filled, services made one word", "[transports][amqp]") {
  std::string error;
  auto t = RoutingKeyTemplate::compile("errors.{service}.{level}", error);
  REQUIRE(t);
  CHECK(t->expand("checkout-api", Level::kError) == "errors.checkout-api.error");
  CHECK(t->expand("billing", Level::kCritical) == "errors.billing.critical");
  CHECK(t->expand("api.v2 eu", Level::kWarning) == "errors.api_v2_eu.warning");
  CHECK(t->expand("", Level::kError) == "errors.unknown.error");
  CHECK(t->expand("a\tb\nc", Level::kDebug) == "errors.a_b_c.debug");

  t = RoutingKeyTemplate::compile("fixed", error);
  REQUIRE(t);
  CHECK(t->expand("x", Level::kError) == "fixed");
  t = RoutingKeyTemplate::compile("{level}-{level}.{service}", error);
  REQUIRE(t);
  CHECK(t->expand("s", Level::kInfo) == "info-info.s");

  // Cut to the AMQP limit of 255 bytes, not inside a UTF-8 sequence.
  t = RoutingKeyTemplate::compile("e.{service}", error);
  REQUIRE(t);
  std::string long_service;
  for (int i = 0; i < 200; ++i) long_service += "\xc3\xa9";  // é
  const std::string key = t->expand(long_service, Level::kError);
  CHECK(key.size() <= 255);
  CHECK(key.size() >= 254);
  CHECK((static_cast<unsigned char>(key.back()) & 0xC0) != 0xC0);  // no cut lead byte
  CHECK(key.size() % 2 == 0);                                      // "e." + whole pairs

  for (const char* bad : {"errors.{host}", "errors.{service", "errors.service}", "{}", ""}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(RoutingKeyTemplate::compile(bad, error));
    CHECK_FALSE(error.empty());
  }
  error.clear();
  RoutingKeyTemplate::compile("errors.{host}.{level}", error);
  CHECK(error.find("unknown placeholder '{host}'") != std::string::npos);
}

TEST_CASE("a record without a route gives its own service and level", "[transports][amqp]") {
  simdjson::dom::parser json;
  std::string service;
  Level level = Level::kError;
  REQUIRE(recordServiceAndLevel(
      json, R"({"timestamp":"t","service":"billing.eu","level":"CRITICAL","message":"m"})", service,
      level));
  CHECK(service == "billing.eu");
  CHECK(level == Level::kCritical);

  service = "kept";
  level = Level::kWarning;
  REQUIRE(recordServiceAndLevel(json, R"({"message":"no service","level":7})", service, level));
  CHECK(service == "kept");
  CHECK(level == Level::kWarning);
  CHECK_FALSE(recordServiceAndLevel(json, "not json", service, level));
  CHECK_FALSE(recordServiceAndLevel(json, "[1,2]", service, level));
}

TEST_CASE("amqp transport factory checks its options", "[transports][amqp]") {
  boost::asio::io_context io;
  TransportContext ctx{io.get_executor(), "/tmp"};
  const TransportFactory factory = amqpTransportFactory();
  std::vector<config::Diagnostic> diags;

  auto t = factory.create(
      ctx,
      testing::makeTransportConfig("amqp", {{"url", "amqp://app:s3cret@mq:5673/prod"},
                                            {"exchange", "ops"},
                                            {"routing_key", "e.{level}.{service}"},
                                            {"mandatory", "true"},
                                            {"timeout_ms", "2500"},
                                            {"heartbeat_s", "0"}}),
      diags);
  REQUIRE(t);
  CHECK(diags.empty());
  CHECK(t->type() == "amqp");
  const AmqpOptions& o = static_cast<AmqpTransport&>(*t).options();
  CHECK(o.url.host == "mq");
  CHECK(o.url.port == 5673);
  CHECK(o.url.vhost == "prod");
  CHECK(o.display_url == "amqp://app:***@mq:5673/prod");
  CHECK(o.exchange == "ops");
  REQUIRE(o.routing_key);
  CHECK(o.routing_key->expand("s", Level::kError) == "e.error.s");
  CHECK(o.mandatory);
  CHECK(o.timeout == 2500ms);
  CHECK(o.heartbeat_s == 0);

  // Defaults: the exchange and routing key of the documented example.
  t = factory.create(ctx, testing::makeTransportConfig("amqp", {{"url", "amqp://h/"}}), diags);
  REQUIRE(t);
  const AmqpOptions& d = static_cast<AmqpTransport&>(*t).options();
  CHECK(d.exchange == "homeostasis");
  CHECK(d.routing_key->text() == "errors.{service}.{level}");
  CHECK_FALSE(d.mandatory);
  CHECK(d.timeout == 10000ms);
  CHECK(d.heartbeat_s == 60);

  t = factory.create(
      ctx,
      testing::makeTransportConfig("amqp", {{"url", "amqps://h/"}, {"ca_file", "/etc/ca.pem"}}),
      diags);
  REQUIRE(t);
  CHECK(static_cast<AmqpTransport&>(*t).options().ca_file == "/etc/ca.pem");
  CHECK(diags.empty());

  auto expectError = [&](std::vector<std::pair<std::string, std::string>> entries,
                         const std::string& needle) {
    std::vector<config::Diagnostic> errs;
    INFO(needle);
    CHECK_FALSE(factory.create(ctx, testing::makeTransportConfig("amqp", entries), errs));
    bool found = false;
    for (const auto& x : errs) {
      found = found || x.message.find(needle) != std::string::npos;
      CHECK(x.message.find("pw") == std::string::npos);
    }
    CHECK(found);
  };
  expectError({}, "url");
  expectError({{"url", "http://u:pw@h/"}}, "url must be amqp://");
  expectError({{"url", "amqp://u:pw@h:0/"}}, "bad port");
  expectError({{"url", "amqp://h/"}, {"routing_key", "errors.{host}"}}, "unknown placeholder");
  expectError({{"url", "amqp://h/"}, {"routing_key", "errors.{level"}}, "without '}'");
  expectError({{"url", "amqp://h/"}, {"exchange", ""}}, "exchange");
  expectError({{"url", "amqp://h/"}, {"exchange", std::string(256, 'x')}}, "exchange");
  expectError({{"url", "amqp://h/"}, {"timeout_ms", "0"}}, "timeout_ms");
  expectError({{"url", "amqp://h/"}, {"heartbeat_s", "-1"}}, "heartbeat_s");
  expectError({{"url", "amqp://h/"}, {"mandatory", "maybe"}}, "mandatory");
  expectError({{"url", "amqp://h/"}, {"ca_file", "/etc/ca.pem"}}, "amqps://");
  expectError({{"url", "amqps://h/"}, {"ca_file", "ca.pem"}}, "absolute");
  expectError({{"url", "amqp://h/"}, {"brokers", "x"}}, "unknown key 'brokers'");
}

TEST_CASE("amqp transport can be built without an event loop or a broker, as check does",
          "[transports][amqp]") {
  std::vector<config::Diagnostic> diags;
  auto t = amqpTransportFactory().create(
      TransportContext{}, testing::makeTransportConfig("amqp", {{"url", "amqp://h.invalid/"}}),
      diags);
  CHECK(t);
  CHECK(diags.empty());
  CHECK(static_cast<AmqpTransport&>(*t).connectionsOpened() == 0);
}

// Sends one batch and returns its result and reason, running the loop for at most `limit`.
std::pair<std::optional<SendResult>, std::string> sendOne(boost::asio::io_context& io,
                                                          AmqpTransport& t,
                                                          std::chrono::milliseconds limit) {
  std::optional<SendResult> result;
  std::string reason;
  t.send(testing::makeBatch(1, {"{}"}), [&](SendResult r, std::string why) {
    result = r;
    reason = std::move(why);
  });
  testing::runUntil(
      io, [&] { return result.has_value(); }, limit);
  return {result, reason};
}

AmqpOptions optionsFor(const std::string& url, std::chrono::milliseconds timeout) {
  AmqpOptions o;
  std::string error;
  o.url = *parseAmqpUrl(url, error);
  o.display_url = maskUrlPassword(url);
  o.routing_key = RoutingKeyTemplate::compile("errors.{service}.{level}", error);
  o.timeout = timeout;
  return o;
}

TEST_CASE("amqp transport reports a refused connection as retryable, password masked",
          "[transports][amqp]") {
  boost::asio::io_context io;
  // Port 1 on loopback: nothing listens there.
  AmqpTransport t(io.get_executor(), optionsFor("amqp://app:hunter2@127.0.0.1:1/", 2000ms));
  auto [result, reason] = sendOne(io, t, 5s);
  REQUIRE(result);
  CHECK(*result == SendResult::kRetryable);
  CHECK(reason.find("connect to amqp://app:***@127.0.0.1:1/") != std::string::npos);
  CHECK(reason.find("hunter2") == std::string::npos);
  t.stop();
  CHECK(t.connectionsOpened() == 0);
}

TEST_CASE("amqp transport gives up on a broker that never answers within timeout_ms",
          "[transports][amqp]") {
  boost::asio::io_context io;
  // A listening socket that never accepts: the TCP connect succeeds (backlog), the AMQP
  // handshake gets no answer.
  boost::asio::ip::tcp::acceptor silent(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const std::string url =
      "amqp://app:hunter2@127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/";
  AmqpTransport t(io.get_executor(), optionsFor(url, 500ms));
  const auto started = std::chrono::steady_clock::now();
  auto [result, reason] = sendOne(io, t, 5s);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(result);
  CHECK(*result == SendResult::kRetryable);
  CHECK(took < 3s);
  CHECK(reason.find("login to amqp://app:***@") != std::string::npos);
  CHECK(reason.find("hunter2") == std::string::npos);
  t.stop();
}

TEST_CASE("amqp transport stop completes pending sends as retryable", "[transports][amqp]") {
  boost::asio::io_context io;
  auto t =
      std::make_unique<AmqpTransport>(io.get_executor(), optionsFor("amqp://127.0.0.1:1/", 1000ms));
  std::vector<SendResult> results;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    t->send(testing::makeBatch(seq, {"{}"}),
            [&](SendResult r, std::string) { results.push_back(r); });
  }
  t->stop();
  testing::runReady(io);
  REQUIRE(results.size() == 3);
  for (SendResult r : results) CHECK(r == SendResult::kRetryable);
}

}  // namespace
}  // namespace homeo
