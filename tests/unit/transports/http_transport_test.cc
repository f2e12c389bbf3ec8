#include "transports/http/http_transport.h"

#include <zlib.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

using namespace std::chrono_literals;

TEST_CASE("parseHttpUrl splits scheme, host, port and target", "[transports][http]") {
  std::string error;
  auto u = parseHttpUrl("http://127.0.0.1:8080/errors?x=1", error);
  REQUIRE(u);
  CHECK_FALSE(u->tls);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == "8080");
  CHECK(u->target == "/errors?x=1");
  CHECK(u->host_header == "127.0.0.1:8080");

  u = parseHttpUrl("HTTPS://logs.example.com", error);
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->port == "443");
  CHECK(u->target == "/");

  u = parseHttpUrl("http://[::1]:9000/in#frag", error);
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == "9000");
  CHECK(u->target == "/in");
  CHECK(u->host_header == "[::1]:9000");

  for (const char* bad : {"ftp://x/", "http://", "http://host:0/", "http://host:99999/",
                          "http://host:/", "http://user:pw@host/", "http://[::1/", "host/x"}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(parseHttpUrl(bad, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("classifyHttpResponse: 2xx accepted, 408/429/5xx retryable, other 4xx permanent",
          "[transports][http]") {
  CHECK(classifyHttpResponse(200, "OK", "", "").result == SendResult::kAccepted);
  CHECK(classifyHttpResponse(204, "", "", "").result == SendResult::kAccepted);
  for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
    INFO(status);
    CHECK(classifyHttpResponse(status, "", "", "").result == SendResult::kRetryable);
  }
  auto busy = classifyHttpResponse(429, "Too Many Requests", "slow", "7");
  CHECK(busy.retry_after == 7s);
  CHECK(busy.reason == "HTTP 429 Too Many Requests: slow");
  CHECK(classifyHttpResponse(503, "", "", "2").retry_after == 2s);
  CHECK(classifyHttpResponse(503, "", "", "Wed, 21 Oct 2015 07:28:00 GMT").retry_after == 0ms);
  CHECK(classifyHttpResponse(503, "", "", "100000").retry_after == 300s);  // capped
  CHECK(classifyHttpResponse(500, "", "", "5").retry_after == 0ms);

  const std::string long_body(1000, 'x');
  auto bad = classifyHttpResponse(400, "Bad Request", "bad\nrecord " + long_body, "");
  CHECK(bad.result == SendResult::kPermanent);
  CHECK(bad.reason.rfind("HTTP 400 Bad Request: bad record xxx", 0) == 0);
  CHECK(bad.reason.size() < 260);
  CHECK(bad.reason.find('\n') == std::string::npos);
  CHECK(classifyHttpResponse(404, "", "", "").result == SendResult::kPermanent);
  CHECK(classifyHttpResponse(301, "", "", "").result == SendResult::kPermanent);
}

TEST_CASE("gzipCompress produces what zlib inflates back", "[transports][http]") {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "{\"n\":" + std::to_string(i) + "}\n";
  std::string packed;
  REQUIRE(gzipCompress(data, packed));
  CHECK(packed.size() < data.size() / 4);
  REQUIRE(packed.size() > 2);
  CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);  // gzip magic
  CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);

  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
  std::string out(data.size() + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(packed.data());
  zs.avail_in = static_cast<uInt>(packed.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  CHECK(out == data);
}

TEST_CASE("http transport factory checks its options", "[transports][http]") {
  boost::asio::io_context io;
  TransportContext ctx{io.get_executor(), "/tmp"};
  const TransportFactory factory = httpTransportFactory();
  std::vector<config::Diagnostic> diags;

  auto t = factory.create(ctx,
                          testing::makeTransportConfig("http", {{"url", "https://h.example/in"},
                                                                {"format", "json_array"},
                                                                {"gzip", "true"},
                                                                {"timeout_ms", "2500"},
                                                                {"ca_file", "/etc/ca.pem"}}),
                          diags);
  REQUIRE(t);
  CHECK(diags.empty());
  const auto& o = static_cast<HttpTransport&>(*t).options();
  CHECK(o.url.tls);
  CHECK(o.format == HttpOptions::Format::kJsonArray);
  CHECK(o.gzip);
  CHECK(o.timeout == 2500ms);
  CHECK(o.ca_file == "/etc/ca.pem");
  CHECK(o.method == "POST");

  t = factory.create(
      ctx, testing::makeTransportConfig("http", {{"url", "http://h/errors"}, {"format", "ushs"}}),
      diags);
  REQUIRE(t);
  CHECK(diags.empty());
  CHECK(static_cast<HttpTransport&>(*t).options().format == HttpOptions::Format::kUshs);

  ::setenv("HOMEO_TEST_HTTP_TOKEN", "tok", 1);
  t = factory.create(
      ctx,
      testing::makeTransportConfig(
          "http", {{"url", "http://h/"}, {"bearer_token_env", "HOMEO_TEST_HTTP_TOKEN"}}),
      diags);
  REQUIRE(t);
  CHECK(static_cast<HttpTransport&>(*t).options().bearer_token == "tok");
  ::unsetenv("HOMEO_TEST_HTTP_TOKEN");

  auto expectError = [&](std::vector<std::pair<std::string, std::string>> entries,
                         const std::string& needle) {
    std::vector<config::Diagnostic> d;
    INFO(needle);
    CHECK_FALSE(factory.create(ctx, testing::makeTransportConfig("http", entries), d));
    bool found = false;
    for (const auto& x : d) found = found || x.message.find(needle) != std::string::npos;
    CHECK(found);
  };
  expectError({}, "url");
  expectError({{"url", "ftp://h/"}}, "http:// or https://");
  expectError({{"url", "http://h/"}, {"format", "xml"}}, "ndjson, json_array or ushs");
  expectError({{"url", "http://h/"}, {"format", "ushs"}, {"method", "PUT"}}, "POST /errors");
  expectError({{"url", "http://h/"}, {"method", "GET"}}, "POST or PUT");
  expectError({{"url", "http://h/"}, {"timeout_ms", "0"}}, "timeout_ms");
  expectError({{"url", "http://h/"}, {"bearer_token_env", "HOMEO_TEST_UNSET_VAR"}}, "not set");
  expectError({{"url", "http://h/"}, {"bearer_token_file", "relative"}}, "absolute");
  expectError({{"url", "http://h/"}, {"bearer_token_file", "/a"}, {"bearer_token_env", "X"}},
              "exclude each other");
  expectError({{"url", "http://h/"}, {"bogus", "1"}}, "unknown key 'bogus'");
}

TEST_CASE("http transport can be built without an event loop, as check does",
          "[transports][http]") {
  std::vector<config::Diagnostic> diags;
  auto t = httpTransportFactory().create(
      TransportContext{}, testing::makeTransportConfig("http", {{"url", "http://h/"}}), diags);
  CHECK(t);
  CHECK(diags.empty());
}

TEST_CASE("http transport reports a refused connection as retryable", "[transports][http]") {
  boost::asio::io_context io;
  HttpOptions o;
  std::string error;
  // Port 1 on loopback: nothing listens there.
  o.url = *parseHttpUrl("http://127.0.0.1:1/", error);
  o.timeout = 2000ms;
  HttpTransport t(io.get_executor(), o);
  std::optional<SendResult> result;
  std::string reason;
  t.send(testing::makeBatch(1, {"{}"}), [&](SendResult r, std::string why) {
    result = r;
    reason = std::move(why);
  });
  REQUIRE(testing::runUntil(
      io, [&] { return result.has_value(); }, 5s));
  CHECK(*result == SendResult::kRetryable);
  CHECK(reason.find("connect") != std::string::npos);
}

TEST_CASE("http transport stop completes the pending send as retryable", "[transports][http]") {
  boost::asio::io_context io;
  HttpOptions o;
  std::string error;
  o.url = *parseHttpUrl("http://127.0.0.1:1/", error);
  auto t = std::make_unique<HttpTransport>(io.get_executor(), o);
  std::optional<SendResult> result;
  t->send(testing::makeBatch(1, {"{}"}), [&](SendResult r, std::string) { result = r; });
  t->stop();
  REQUIRE(result);
  CHECK(*result == SendResult::kRetryable);
  t.reset();
  testing::runReady(io);  // the coroutine winds down without touching the transport
}

}  // namespace
}  // namespace homeo
