// The default layouts of Java and Node.js servers, written as they log: the header and the
// stack trace below it are one record, with the header's time, level, logger and thread, the
// exception's own message in `message` and the logged sentence in context.log_message.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/json.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {

using test::readSource;
using test::str;

TEST_CASE("Tomcat: catalina's SEVERE line, its milliseconds and the trace below",
          "[java][servers][tomcat]") {
  const auto run = readSource({
      "11-Mar-2024 19:45:00.001 INFO [main] org.apache.catalina.startup.Catalina.start Server "
      "startup in [1234] milliseconds",
      "11-Mar-2024 19:45:10.123 SEVERE [http-nio-8080-exec-1] "
      "org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() for servlet "
      "[dispatcher] in context with path [/shop] threw exception",
      "java.lang.IllegalStateException: cart is empty",
      "\tat com.example.shop.CartService.checkout(CartService.java:42)",
      "\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:764)",
  });
  CHECK(run.format == "java");
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(formatRfc3339(r.time).starts_with("2024-03-11T19:45:10.123"));
  CHECK(r.level == Level::kError);
  CHECK(r.module == "org.apache.catalina.core.StandardWrapperValve.invoke");
  CHECK(r.exception_type == "java.lang.IllegalStateException");
  CHECK(r.message == "cart is empty");
  CHECK(str(r.context, "thread") == "http-nio-8080-exec-1");
  CHECK(str(r.context, "log_message") ==
        "Servlet.service() for servlet [dispatcher] in context with path [/shop] threw exception");
  CHECK(r.frames.size() == 2);
}

TEST_CASE("WildFly: JBoss LogManager writes the exception at the end of the message",
          "[java][servers][wildfly]") {
  const auto run = readSource({
      "19:45:00,001 INFO  [org.jboss.as] (Controller Boot Thread) WFLYSRV0025: WildFly Full "
      "30.0.1.Final started in 4321ms",
      "19:45:10,123 ERROR [io.undertow.request] (default task-1) UT005023: Exception handling "
      "request to /shop/cart: java.lang.NullPointerException: cart is null",
      "\tat com.example.shop.CartServlet.doGet(CartServlet.java:42)",
      "\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:503)",
      "19:45:11,000 WARN  [org.jboss.as.ejb3] (default task-2) WFLYEJB0043: pool exhausted",
  });
  CHECK(run.format == "java");
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(formatRfc3339(r.time).substr(10, 13) == "T19:45:10.123");
  CHECK(r.module == "io.undertow.request");
  CHECK(str(r.context, "thread") == "default task-1");
  CHECK(r.exception_type == "java.lang.NullPointerException");
  CHECK(r.message == "cart is null");
  CHECK(str(r.context, "log_message") == "UT005023: Exception handling request to /shop/cart");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "CartServlet.java");
  CHECK(r.frames.back().line == 42);
  CHECK(r.traceback.front() == "java.lang.NullPointerException: cart is null");
}

TEST_CASE("Quarkus: category and thread, the exception after the message",
          "[java][servers][quarkus]") {
  const auto run = readSource({
      "2024-03-11 19:45:00,001 INFO  [io.quarkus] (main) shop 1.0.0 on JVM started in 1.234s.",
      "2024-03-11 19:45:10,123 ERROR [io.qua.ver.htt.run.QuarkusErrorHandler] (executor-thread-1) "
      "HTTP Request to /cart failed, error id: 3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b-1: "
      "java.lang.IllegalStateException: cart is empty",
      "\tat com.example.shop.CartResource.get(CartResource.java:42)",
      "\tat com.example.shop.CartResource_Subclass.get(Unknown Source)",
  });
  CHECK(run.format == "java");
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(formatRfc3339(r.time).starts_with("2024-03-11T19:45:10.123"));
  CHECK(r.module == "io.qua.ver.htt.run.QuarkusErrorHandler");
  CHECK(str(r.context, "thread") == "executor-thread-1");
  CHECK(r.exception_type == "java.lang.IllegalStateException");
  CHECK(r.message == "cart is empty");
  CHECK(str(r.context, "log_message") ==
        "HTTP Request to /cart failed, error id: 3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b-1");
}

TEST_CASE("Jetty: 9's and 10's default lines with the trace below", "[java][servers][jetty]") {
  const auto run = readSource(
      {
          "2024-03-11 19:45:00.001:INFO :oejs.Server:main: jetty-12.0.7; built: "
          "2024-02-29T21:19:41.771Z; jvm 21.0.2+13-LTS",
          "2024-03-11 19:45:10.123:WARN :oejs.HttpChannel:qtp1406718218-33: handleException "
          "/orders/7",
          "java.lang.IllegalStateException: cart is empty",
          "\tat com.example.shop.CartServlet.doGet(CartServlet.java:42)",
          "2024-03-11 19:45:11.456:WARN:oejs.ServletHandler:qtp1406718218-34: /orders/8",
          "java.lang.NullPointerException: no order",
          "\tat com.example.shop.OrderServlet.doGet(OrderServlet.java:40)",
      },
      Level::kWarning);
  CHECK(run.format == "java");
  REQUIRE(run.records.size() == 2);
  const ErrorRecord& r = run.records[0];
  CHECK(formatRfc3339(r.time).starts_with("2024-03-11T19:45:10.123"));
  CHECK(r.level == Level::kWarning);
  CHECK(r.module == "oejs.HttpChannel");
  CHECK(str(r.context, "thread") == "qtp1406718218-33");
  CHECK(r.exception_type == "java.lang.IllegalStateException");
  CHECK(str(r.context, "log_message") == "handleException /orders/7");
  const ErrorRecord& nine = run.records[1];
  CHECK(nine.module == "oejs.ServletHandler");
  CHECK(nine.exception_type == "java.lang.NullPointerException");
  CHECK(str(nine.context, "log_message") == "/orders/8");
}

TEST_CASE("Spring Boot 2: the servlet's error, a blank line and the root cause",
          "[java][servers][spring]") {
  const auto run = readSource({
      "2024-03-11 19:45:00.100  INFO 4242 --- [           main] c.e.shop.ShopApplication        "
      " : Started ShopApplication in 2.345 seconds (JVM running for 2.8)",
      "2024-03-11 19:45:10.123 ERROR 4242 --- [nio-8080-exec-1] "
      "o.a.c.c.C.[.[.[/].[dispatcherServlet]"
      "    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
      "exception [Request processing failed; nested exception is "
      "java.lang.IllegalStateException: cart is empty] with root cause",
      "",
      "java.lang.IllegalStateException: cart is empty",
      "\tat com.example.shop.CartService.checkout(CartService.java:42) ~[classes/:na]",
      "\tat com.example.shop.CheckoutController.checkout(CheckoutController.java:20) "
      "~[classes/:na]",
  });
  CHECK(run.format == "java");
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(formatRfc3339(r.time).starts_with("2024-03-11T19:45:10.123"));
  CHECK(r.exception_type == "java.lang.IllegalStateException");
  CHECK(r.message == "cart is empty");
  CHECK(str(r.context, "thread") == "nio-8080-exec-1");
  CHECK(str(r.context, "log_message").starts_with("Servlet.service() for servlet"));
  CHECK(r.frames.size() == 2);
}

TEST_CASE("NestJS: the ConsoleLogger's ERROR line and the stack it prints",
          "[node][servers][nest]") {
  const auto run = readSource(
      {
          "[Nest] 4242  - 03/11/2024, 7:45:00 PM     LOG [NestFactory] Starting Nest "
          "application...",
          "[Nest] 4242  - 03/11/2024, 7:45:00 PM     LOG [RoutesResolver] AppController {/}: +2ms",
          "[Nest] 4242  - 03/11/2024, 7:45:10 PM   ERROR [ExceptionsHandler] Cannot read "
          "properties "
          "of undefined (reading 'id')",
          "TypeError: Cannot read properties of undefined (reading 'id')",
          "    at AppService.getUser (/srv/api/dist/app.service.js:12:25)",
          "    at AppController.getUser (/srv/api/dist/app.controller.js:20:33)",
          "[Nest] 4242  - 11/03/2024, 19:45:11   WARN [Auth] token about to expire",
      },
      Level::kWarning);
  CHECK(run.format == "generic");
  REQUIRE(run.records.size() == 2);
  const ErrorRecord& r = run.records[0];
  CHECK(formatRfc3339(r.time) == "2024-03-11T19:45:10Z");
  CHECK(r.level == Level::kError);
  CHECK(r.module == "ExceptionsHandler");
  CHECK(r.exception_type == "TypeError");
  CHECK(r.message == "Cannot read properties of undefined (reading 'id')");
  CHECK(r.language == "javascript");
  CHECK(r.frames.size() == 2);
  // Another locale's time is not guessed at; the level and context are still read.
  const ErrorRecord& warn = run.records[1];
  CHECK(warn.level == Level::kWarning);
  CHECK(warn.module == "Auth");
  CHECK(warn.message == "token about to expire");
}

}  // namespace homeo
