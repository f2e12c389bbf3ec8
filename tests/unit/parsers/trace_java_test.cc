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
  CHECK(r.frames.front().function == "java.lang.Thread.run");
  CHECK(r.frames.back().file == "Orders.java");
  CHECK(r.frames.back().line == 42);
  CHECK(r.frames.back().function == "com.shop.Orders.place");
  CHECK(test::contextString(r, "root_cause", "type") == "java.sql.SQLException");
  CHECK(r.traceback.size() == 9);
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
  const ErrorRecord s = test::analyzeText(
      "java.lang.ArithmeticException: / by zero\n"
      "\tat com.shop.Calc$.div(Calc.scala:5)\n"
      "\tat scala.collection.immutable.List.map(List.scala:250)");
  CHECK(s.language == "scala");
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
}
