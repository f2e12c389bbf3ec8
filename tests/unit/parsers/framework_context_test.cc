// Request context from the logs web frameworks write by default: Django, Flask, gunicorn,
// uvicorn, Rails, Spring Boot, Express (morgan) and pino. Each record names the request
// (method, path, client_ip where the line has them), the response status and, where the
// framework writes one, the request id (request_info.request_id).
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/record.h"
#include "parsers/parser_set.h"
#include "parsers/source_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {
namespace {

using test::num;
using test::str;

struct Run {
  std::vector<ErrorRecord> records;
  std::string format;
};

// Reads `lines` as the daemon reads a file (auto detection), keeping records >= min_level.
Run runSource(const std::vector<std::string>& lines, Level min_level = Level::kError) {
  ParserRegistry reg;
  registerBuiltinParsers(reg);
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(reg, {}, diags);
  REQUIRE(set);
  Run run;
  SourceInfo info;
  info.min_level = min_level;
  SourceParser sp(*set, info, [&](ErrorRecord& r) { run.records.push_back(r); });
  uint64_t off = 0;
  for (const auto& l : lines) {
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  run.format = sp.format() ? std::string(sp.format()->name()) : "";
  return run;
}

}  // namespace

TEST_CASE("Django: the server line and django.request's error", "[framework][django]") {
  const Run server = runSource({
      "[02/Jan/2024 15:04:04] \"GET /orders HTTP/1.1\" 200 5120",
      "[02/Jan/2024 15:04:05] \"POST /orders/7/pay HTTP/1.1\" 500 145",
  });
  CHECK(server.format == "access_log");
  REQUIRE(server.records.size() == 1);
  CHECK(str(server.records[0].request_info, "method") == "POST");
  CHECK(str(server.records[0].request_info, "path") == "/orders/7/pay");
  CHECK(num(server.records[0].response_info, "status_code") == 500);

  const Run app = runSource({
      "2024-01-02 15:04:05,123 - django.request - ERROR - Internal Server Error: /orders/7/pay",
      "Traceback (most recent call last):",
      "  File \"/app/orders/views.py\", line 42, in pay",
      "    order.charge()",
      "KeyError: 'card'",
  });
  CHECK(app.format == "python");
  REQUIRE(app.records.size() == 1);
  CHECK(app.records[0].exception_type == "KeyError");
  CHECK(str(app.records[0].request_info, "path") == "/orders/7/pay");
  CHECK(num(app.records[0].response_info, "status_code") == 500);
}

TEST_CASE("Flask and gunicorn: unhandled exception and access line", "[framework][flask]") {
  const Run app = runSource({
      "[2024-01-02 15:04:05,123] ERROR in app: Exception on /checkout [POST]",
      "Traceback (most recent call last):",
      "  File \"/app/app.py\", line 12, in checkout",
      "    total = cart['total']",
      "KeyError: 'total'",
  });
  CHECK(app.format == "python");
  REQUIRE(app.records.size() == 1);
  CHECK(str(app.records[0].request_info, "method") == "POST");
  CHECK(str(app.records[0].request_info, "path") == "/checkout");
  CHECK(num(app.records[0].response_info, "status_code") == 500);

  const Run access = runSource({
      "10.0.0.7 - - [02/Jan/2024:15:04:05 +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"kube\"",
      "10.0.0.8 - - [02/Jan/2024:15:04:06 +0000] \"POST /checkout HTTP/1.1\" 500 265 \"-\" "
      "\"Mozilla/5.0\"",
  });
  CHECK(access.format == "access_log");
  REQUIRE(access.records.size() == 1);
  CHECK(str(access.records[0].request_info, "client_ip") == "10.0.0.8");
  CHECK(num(access.records[0].response_info, "status_code") == 500);
}

TEST_CASE("FastAPI/uvicorn access lines", "[framework][uvicorn]") {
  const Run run = runSource({
      "INFO:     172.18.0.1:40112 - \"GET /items/1 HTTP/1.1\" 200 OK",
      "INFO:     172.18.0.1:40114 - \"POST /items HTTP/1.1\" 500 Internal Server Error",
  });
  CHECK(run.format == "access_log");
  REQUIRE(run.records.size() == 1);
  CHECK(str(run.records[0].request_info, "method") == "POST");
  CHECK(str(run.records[0].request_info, "path") == "/items");
  CHECK(str(run.records[0].request_info, "client_ip") == "172.18.0.1");
  CHECK(num(run.records[0].response_info, "status_code") == 500);
}

TEST_CASE("Rails: request id tag, Started and Completed lines", "[framework][rails]") {
  const Run run = runSource(
      {
          "I, [2024-01-02T15:04:05.100000 #4242]  INFO -- : "
          "[0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0] Started POST \"/orders\" for 10.0.0.9 at "
          "2024-01-02 15:04:05 +0000",
          "F, [2024-01-02T15:04:05.200000 #4242] FATAL -- : "
          "[0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0] NoMethodError (undefined method `total' for "
          "nil):",
          "I, [2024-01-02T15:04:05.210000 #4242]  INFO -- : "
          "[0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0] Completed 500 Internal Server Error in 12ms",
      },
      Level::kInfo);
  CHECK(run.format == "generic");
  REQUIRE(run.records.size() == 3);
  for (const auto& r : run.records) {
    CHECK(str(r.request_info, "request_id") == "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
  }
  CHECK(str(run.records[0].request_info, "method") == "POST");
  CHECK(str(run.records[0].request_info, "path") == "/orders");
  CHECK(str(run.records[0].request_info, "client_ip") == "10.0.0.9");
  CHECK(run.records[1].level == Level::kCritical);
  CHECK(run.records[2].level == Level::kError);
  CHECK(num(run.records[2].response_info, "status_code") == 500);
}

TEST_CASE("Spring Boot: the trace id is the request id", "[framework][spring]") {
  const Run boot3 = runSource({
      "2024-01-02T15:04:05.123Z  INFO 4242 --- [shop] [nio-8080-exec-1] "
      "[                                                 ] o.s.web.servlet.DispatcherServlet  "
      ": Completed initialization in 1 ms",
      "2024-01-02T15:04:05.456Z ERROR 4242 --- [shop] [nio-8080-exec-2] "
      "[65a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5-1a2b3c4d5e6f7a8b] o.a.c.c.C.[.[.[/].[dispatcherServlet]"
      "    : Servlet.service() threw exception",
      "java.lang.IllegalStateException: cart is empty",
      "\tat com.example.shop.CartService.checkout(CartService.java:42)",
  });
  CHECK(boot3.format == "java");
  REQUIRE(boot3.records.size() == 1);
  const ErrorRecord& r = boot3.records[0];
  CHECK(str(r.request_info, "request_id") == "65a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5");
  CHECK(r.trace_id == "65a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5");
  CHECK(r.span_id == "1a2b3c4d5e6f7a8b");
  CHECK_FALSE(findField(r.context, "span_id"));
  CHECK(str(r.context, "thread") == "nio-8080-exec-2");
  CHECK(r.exception_type == "java.lang.IllegalStateException");

  const Run sleuth = runSource({
      "2024-01-02 15:04:05.456 ERROR [shop,5f1e2d3c4b5a6978,a1b2c3d4e5f60718,true] 4242 --- "
      "[nio-8080-exec-3] c.e.shop.PaymentController : payment failed",
  });
  CHECK(sleuth.format == "java");
  REQUIRE(sleuth.records.size() == 1);
  CHECK(str(sleuth.records[0].request_info, "request_id") == "5f1e2d3c4b5a6978");
  CHECK(str(sleuth.records[0].context, "thread") == "nio-8080-exec-3");
  CHECK(sleuth.records[0].module == "c.e.shop.PaymentController");
}

TEST_CASE("Express: morgan lines and pino's req/res objects", "[framework][express]") {
  const Run morgan =
      runSource({"GET /api/users 200 3.120 ms - 512", "POST /api/pay 502 30.5 ms - 27"});
  CHECK(morgan.format == "access_log");
  REQUIRE(morgan.records.size() == 1);
  CHECK(str(morgan.records[0].request_info, "path") == "/api/pay");
  CHECK(num(morgan.records[0].response_info, "status_code") == 502);

  const Run pino = runSource({
      "{\"level\":30,\"time\":1704207845000,\"pid\":7,\"hostname\":\"api\",\"req\":{\"id\":41,"
      "\"method\":\"GET\",\"url\":\"/health\",\"remoteAddress\":\"10.0.0.2\"},\"res\":"
      "{\"statusCode\":200},\"msg\":\"request completed\"}",
      "{\"level\":50,\"time\":1704207846000,\"pid\":7,\"hostname\":\"api\",\"req\":{\"id\":42,"
      "\"method\":\"POST\",\"url\":\"/api/pay\",\"remoteAddress\":\"10.0.0.3\"},\"res\":"
      "{\"statusCode\":500},\"err\":{\"type\":\"Error\",\"message\":\"card declined\"},"
      "\"msg\":\"request errored\"}",
  });
  CHECK(pino.format == "json");
  REQUIRE(pino.records.size() == 1);
  const ErrorRecord& r = pino.records[0];
  CHECK(str(r.request_info, "method") == "POST");
  CHECK(str(r.request_info, "path") == "/api/pay");
  CHECK(str(r.request_info, "client_ip") == "10.0.0.3");
  CHECK(str(r.request_info, "request_id") == "42");
  CHECK(num(r.response_info, "status_code") == 500);
}

TEST_CASE("Laravel: the exception in the entry's context and its stack trace",
          "[framework][laravel]") {
  const Run run = runSource({
      "[2024-01-02 15:04:05] production.INFO: order 7 placed",
      "[2024-01-02 15:04:06] production.ERROR: Payment failed {\"exception\":\"[object] "
      "(App\\\\Exceptions\\\\PaymentException(code: 0): Card declined at "
      "/var/www/app/Services/Billing.php:42)",
      "[stacktrace]",
      "#0 /var/www/app/Http/Controllers/OrderController.php(31): "
      "App\\\\Services\\\\Billing->charge(Object(App\\\\Models\\\\Order))",
      "#1 [internal function]: App\\\\Http\\\\Controllers\\\\OrderController->pay(7)",
      "#2 /var/www/public/index.php(55): Illuminate\\\\Foundation\\\\Http\\\\Kernel->handle()",
      "#3 {main}",
      "\"} ",
  });
  CHECK(run.format == "generic");
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(r.exception_type == "App\\Exceptions\\PaymentException");
  CHECK(r.message == "Card declined");
  CHECK(r.language == "php");
  CHECK(str(r.context, "log_message") == "Payment failed");
  REQUIRE(r.frames.size() == 3);
  CHECK(r.frames[0].file == "/var/www/public/index.php");
  CHECK(r.frames[0].function == "{main}");
  CHECK(r.frames[1].file == "/var/www/app/Http/Controllers/OrderController.php");
  CHECK(r.frames[1].line == 31);
  CHECK(r.frames[1].class_name == "App\\Http\\Controllers\\OrderController");
  CHECK(r.frames[1].function == "pay");
  CHECK(r.frames[2].file == "/var/www/app/Services/Billing.php");
  CHECK(r.frames[2].line == 42);
  CHECK(r.frames[2].class_name == "App\\Services\\Billing");
  CHECK(r.frames[2].function == "charge");
  // Laravel logged the exception its handler caught: the line's level stands.
  CHECK(r.level == Level::kError);
}

TEST_CASE("Laravel: PHP's uncaught exception with its stack trace", "[framework][laravel]") {
  const Run run = runSource({
      "[2024-01-02 15:04:06] local.ERROR: Uncaught ReflectionException: Class \"App\\Policy\" "
      "does not exist in /var/www/app/Boot.php:12",
      "Stack trace:",
      "#0 /var/www/app/Boot.php(12): ReflectionClass->__construct('App\\\\Policy')",
      "#1 {main}",
  });
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(r.exception_type == "ReflectionException");
  CHECK(r.message == "Class \"App\\Policy\" does not exist");
  CHECK(r.language == "php");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames[1].file == "/var/www/app/Boot.php");
  CHECK(r.frames[1].class_name == "ReflectionClass");
  CHECK(r.frames[1].function == "__construct");
}

TEST_CASE("Laravel and Monolog: context keys before the exception, no stack trace",
          "[framework][laravel]") {
  // Laravel's handler puts the signed-in user's id before the exception.
  Run run = runSource({
      "[2024-03-11 19:45:10] production.ERROR: Division by zero {\"userId\":7,\"exception\":"
      "\"[object] (DivisionByZeroError(code: 0): Division by zero at "
      "/var/www/app/Http/Controllers/CartController.php:31)",
      "[stacktrace]",
      "#0 /var/www/public/index.php(55): App\\\\Http\\\\Controllers\\\\CartController->show()",
      "#1 {main}",
      "\"} ",
  });
  REQUIRE(run.records.size() == 1);
  CHECK(run.records[0].exception_type == "DivisionByZeroError");
  CHECK(run.records[0].message == "Division by zero");
  CHECK(str(run.records[0].context, "log_message") == "Division by zero");
  REQUIRE(run.records[0].frames.size() == 2);
  CHECK(run.records[0].frames.back().line == 31);

  // Monolog's default line formatter: the exception in the context, on one line.
  run = runSource({
      "[2024-03-11T19:45:09.120381+00:00] app.INFO: started [] []",
      "[2024-03-11T19:45:10.223456+00:00] app.CRITICAL: db down {\"exception\":\"[object] "
      "(PDOException(code: 2002): SQLSTATE[HY000] [2002] Connection refused at "
      "/app/src/Db.php:12)\"} []",
  });
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(r.level == Level::kCritical);
  CHECK(r.exception_type == "PDOException");
  CHECK(r.message == "SQLSTATE[HY000] [2002] Connection refused");
  CHECK(str(r.context, "log_message") == "db down");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames[0].file == "/app/src/Db.php");
  CHECK(r.frames[0].line == 12);
}

TEST_CASE("generic: vdsm's double colons and CouchDB's leading level", "[generic]") {
  const Run vdsm = runSource({
      "MainThread::INFO::2024-01-02 15:04:05,100::vdsm::71::vds::(run) I am the actual vdsm",
      "MainThread::ERROR::2024-01-02 15:04:05,300::vdsm::74::vds::(run) Traceback (most recent "
      "call last):",
      "  File \"/usr/share/vdsm/vdsm\", line 72, in run",
      "    serve_clients(log)",
      "KeyError: 'storage'",
  });
  CHECK(vdsm.format == "generic");
  REQUIRE(vdsm.records.size() == 1);
  CHECK(vdsm.records[0].module == "vdsm");
  CHECK(vdsm.records[0].exception_type == "KeyError");

  const Run couch = runSource({
      "[notice] 2024-01-02T15:04:05.100000Z couchdb@127.0.0.1 <0.17165.1> a5f585a0d3 "
      "localhost:5984 127.0.0.1 admin PUT /shop 201 ok 16",
      "[error] 2024-01-02T15:04:06.100000Z couchdb@127.0.0.1 emulator -------- Error in process "
      "<0.463.0> with exit value: {badarg}",
  });
  CHECK(couch.format == "generic");
  REQUIRE(couch.records.size() == 1);
  CHECK(couch.records[0].level == Level::kError);
}

}  // namespace homeo
