#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kJava =
    "Exception in thread \"main\" com.shop.OrderException: order 7 failed\n"
    "\tat com.shop.Orders.place(Orders.java:42)\n"
    "\tat com.shop.Api.handle(Api.java:7)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n"
    "\tSuppressed: java.io.IOException: close failed\n"
    "\t\tat com.shop.Files.close(Files.java:9)\n"
    "Caused by: java.sql.SQLException: timeout after 30000ms\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\n"
    "\t... 3 more";

}  // namespace

TEST_CASE("trace java: outermost reported, root cause and suppressed in context", "[trace][java]") {
  const ErrorRecord r = test::analyzeText(kJava);
  CHECK(r.language == "java");
  CHECK(r.exception_type == "com.shop.OrderException");
  CHECK(r.message == "order 7 failed");
  REQUIRE(r.frames.size() == 3);
  CHECK(r.frames.front().class_name == "java.lang.Thread");
  CHECK(r.frames.front().function == "run");
  CHECK(r.frames.back().file == "Orders.java");
  CHECK(r.frames.back().line == 42);
  CHECK(r.frames.back().class_name == "com.shop.Orders");
  CHECK(r.frames.back().function == "place");
  CHECK(r.frames.back().column == 0);
  CHECK(test::contextString(r, "root_cause", "type") == "java.sql.SQLException");
  CHECK(test::contextString(r, "thread") == "main");
  CHECK(r.traceback.size() == 9);
}

TEST_CASE("trace java: the thread an uncaught exception ended", "[trace][java]") {
  const ErrorRecord quoted = test::analyzeText(
      "Exception in thread \"pool-2-thread-1\" java.lang.IllegalStateException: closed\n"
      "\tat com.shop.Pool.take(Pool.java:12)");
  CHECK(test::contextString(quoted, "thread") == "pool-2-thread-1");
  CHECK(quoted.exception_type == "java.lang.IllegalStateException");
  // Logged by the application, the exception names no thread.
  const ErrorRecord logged = test::analyzeText(
      "java.lang.IllegalStateException: closed\n"
      "\tat com.shop.Pool.take(Pool.java:12)");
  CHECK(findField(logged.context, "thread") == nullptr);
}

TEST_CASE("trace java: frames without a file and line", "[trace][java]") {
  const ErrorRecord r = test::analyzeText(
      "java.lang.reflect.InvocationTargetException\n"
      "\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n"
      "\tat com.shop.Orders$$SpringCGLIB$$0.place(<generated>)\n"
      "\tat com.shop.Legacy.run(Unknown Source)\n"
      "\tat com.shop.Report.render(Report.java)\n"
      "\tat app//com.shop.Main.main(Main.java:9)");
  REQUIRE(r.frames.size() == 5);
  CHECK(r.frames[0].class_name == "com.shop.Main");
  CHECK(r.frames[0].located());
  CHECK(r.frames[1].file == "Report.java");
  CHECK_FALSE(r.frames[1].located());
  CHECK(r.frames[2].file.empty());
  CHECK(r.frames[2].function == "run");
  CHECK(r.frames[3].class_name == "com.shop.Orders$$SpringCGLIB$$0");
  CHECK(r.frames[3].file.empty());
  CHECK(r.frames[4].class_name == "jdk.internal.reflect.NativeMethodAccessorImpl");
  CHECK(r.frames[4].file.empty());
  CHECK_FALSE(r.frames[4].located());
}

TEST_CASE("trace java: a message that runs over several lines", "[trace][java]") {
  // PostgreSQL's driver adds the server's DETAIL on a line of its own.
  const ErrorRecord pg = test::analyzeText(
      "org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique "
      "constraint \"orders_ref_key\"\n"
      "  Detail: Key (ref)=(A-7) already exists.\n"
      "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse"
      "(QueryExecutorImpl.java:2712)\n"
      "\tat com.shop.OrderRepository.insert(OrderRepository.java:57)");
  CHECK(pg.exception_type == "org.postgresql.util.PSQLException");
  CHECK(pg.message ==
        "ERROR: duplicate key value violates unique constraint \"orders_ref_key\"\n"
        "  Detail: Key (ref)=(A-7) already exists.");
  REQUIRE(pg.frames.size() == 2);
  CHECK(pg.frames.front().class_name == "com.shop.OrderRepository");
  CHECK(pg.traceback.size() == 4);
  // Jackson points into the input on a line that begins with "at".
  const ErrorRecord json = test::analyzeText(
      "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}' (code 125))\n"
      " at [Source: (String)\"{\"qty\":1,}\"; line: 1, column: 10]\n"
      "\tat com.fasterxml.jackson.core.JsonParser._constructError(JsonParser.java:2477)\n"
      "\tat com.shop.OrderController.create(OrderController.java:30)");
  CHECK(json.language == "java");
  CHECK(json.exception_type == "com.fasterxml.jackson.core.JsonParseException");
  CHECK(json.message ==
        "Unexpected character ('}' (code 125))\n"
        " at [Source: (String)\"{\"qty\":1,}\"; line: 1, column: 10]");
  REQUIRE(json.frames.size() == 2);
  CHECK(json.frames.back().function == "_constructError");
}

TEST_CASE("trace java: Kotlin and Scala frames", "[trace][java]") {
  const ErrorRecord k = test::analyzeText(
      "kotlin.KotlinNullPointerException: boom\n"
      "\tat com.shop.Cart.total(Cart.kt:12)\n"
      "\tat com.shop.MainKt.main(Main.kt:3)");
  CHECK(k.language == "kotlin");
  REQUIRE(k.frames.size() == 2);
  CHECK(k.frames.back().file == "Cart.kt");
  CHECK(k.frames.back().line == 12);
  CHECK(k.frames.front().class_name == "com.shop.MainKt");
  const ErrorRecord s = test::analyzeText(
      "java.lang.ArithmeticException: / by zero\n"
      "\tat com.shop.Calc$.div(Calc.scala:5)\n"
      "\tat scala.collection.immutable.List.map(List.scala:250)");
  CHECK(s.language == "scala");
  REQUIRE(s.frames.size() == 2);
  CHECK(s.frames.back().class_name == "com.shop.Calc$");
  CHECK(s.frames.back().function == "div");
}

TEST_CASE("trace java: grouping in the text format", "[trace][java]") {
  std::string text = "Failed to place order\n";
  text += kJava;
  text += "\nRetrying\n";
  CHECK(test::groupText(text) == std::vector<size_t>{1, 9, 1});
}

TEST_CASE("trace java: fingerprints", "[trace][java]") {
  const std::string a = test::fingerprintOf(kJava);
  std::string moved(kJava);
  moved.replace(moved.find("Orders.java:42"), 14, "Orders.java:57");
  moved.replace(moved.find("order 7"), 7, "order 9");
  CHECK(test::fingerprintOf(moved) == a);
  std::string jdk(kJava);
  jdk.replace(jdk.find("Thread.java:1583"), 16, "Thread.java:1600");
  jdk.replace(jdk.find("java.lang.Thread.run"), 20, "java.lang.Thread.runWith");
  CHECK(test::fingerprintOf(jdk) == a);
  std::string other(kJava);
  other.replace(other.find("Orders.place"), 12, "Orders.check");
  CHECK(test::fingerprintOf(other) != a);
  std::string moved_method(kJava);
  moved_method.replace(moved_method.find("com.shop.Orders.place"), 21, "com.shop.Billing.place");
  CHECK(test::fingerprintOf(moved_method) != a);
}

TEST_CASE("trace java: frames without a location do not split a group", "[trace][java]") {
  // Generated proxies and lambdas are named differently from one run to the next.
  constexpr std::string_view kProxied =
      "java.lang.IllegalStateException: no stock\n"
      "\tat com.shop.Stock.take(Stock.java:31)\n"
      "\tat com.shop.Orders$$SpringCGLIB$$0.place(<generated>)\n"
      "\tat com.shop.Api.handle(Api.java:7)";
  std::string other_run(kProxied);
  other_run.replace(other_run.find("$$SpringCGLIB$$0"), 16, "$$SpringCGLIB$$1");
  CHECK(test::fingerprintOf(other_run) == test::fingerprintOf(kProxied));
  // Without any location (classes compiled without debug information), the names decide.
  constexpr std::string_view kNoDebug =
      "java.lang.IllegalStateException: no stock\n"
      "\tat com.shop.Stock.take(Unknown Source)\n"
      "\tat com.shop.Api.handle(Unknown Source)";
  std::string elsewhere(kNoDebug);
  elsewhere.replace(elsewhere.find("Stock.take"), 10, "Stock.keep");
  CHECK(test::fingerprintOf(elsewhere) != test::fingerprintOf(kNoDebug));
}
