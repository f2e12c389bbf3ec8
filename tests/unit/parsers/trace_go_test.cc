#include "tests/unit/parsers/parse_helpers.h"
#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kPanic =
    "panic: runtime error: index out of range [5] with length 3\n"
    "\n"
    "goroutine 1 [running]:\n"
    "main.(*Queue).Pop(0xc000010018)\n"
    "\t/app/queue.go:21 +0x1d\n"
    "main.main()\n"
    "\t/app/main.go:9 +0x25\n"
    "\n"
    "goroutine 6 [select]:\n"
    "main.worker()\n"
    "\t/app/worker.go:30 +0x5e\n"
    "created by main.main in goroutine 1\n"
    "\t/app/main.go:7 +0x1a";

}  // namespace

TEST_CASE("trace go: panic, first goroutine only", "[trace][go]") {
  const ErrorRecord r = test::analyzeText(kPanic);
  CHECK(r.language == "go");
  CHECK(r.exception_type == "panic");
  CHECK(r.message == "runtime error: index out of range [5] with length 3");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.front().class_name == "main");
  CHECK(r.frames.front().function == "main");
  CHECK(r.frames.back().file == "/app/queue.go");
  CHECK(r.frames.back().line == 21);
  CHECK(r.frames.back().class_name == "main.(*Queue)");
  CHECK(r.frames.back().function == "Pop");
  CHECK(r.traceback.size() == 13);
  CHECK(test::num(r.context, "goroutine") == 1);
  CHECK(findField(r.context, "signal") == nullptr);
}

TEST_CASE("trace go: a signal, its name apart from the rest", "[trace][go]") {
  const ErrorRecord r = test::analyzeText(
      "panic: runtime error: invalid memory address or nil pointer dereference\n"
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49a5d3]\n"
      "\n"
      "goroutine 18 [running]:\n"
      "github.com/acme/shop/internal/cart.(*Cart).Total(0x0)\n"
      "\t/src/shop/internal/cart/cart.go:44 +0x13\n"
      "github.com/acme/shop/internal/api.checkout.func1({0x7f1a20, 0xc0002a4000})\n"
      "\t/src/shop/internal/api/checkout.go:27 +0x4b");
  CHECK(r.message == "runtime error: invalid memory address or nil pointer dereference");
  CHECK(test::contextString(r, "signal") == "SIGSEGV");
  CHECK(test::contextString(r, "signal_detail") ==
        "segmentation violation code=0x1 addr=0x0 pc=0x49a5d3");
  CHECK(test::num(r.context, "goroutine") == 18);
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.front().class_name == "github.com/acme/shop/internal/api");
  CHECK(r.frames.front().function == "checkout.func1");
  CHECK(r.frames.back().class_name == "github.com/acme/shop/internal/cart.(*Cart)");
  CHECK(r.frames.back().function == "Total");
}

namespace {

// A deferred function recovered the panic, rolled back, and panicked again.
constexpr std::string_view kRecovered =
    "panic: order 7: stock exhausted [recovered]\n"
    "\tpanic: rollback: connection closed\n"
    "\n"
    "goroutine 21 [running]:\n"
    "main.(*Tx).Rollback(0xc000184000)\n"
    "\t/src/shop/tx.go:40 +0x65\n"
    "panic({0x6c7e40?, 0xc000012345?})\n"
    "\t/usr/local/go/src/runtime/panic.go:770 +0x132\n"
    "main.placeOrder(0x7)\n"
    "\t/src/shop/orders.go:18 +0x9c\n"
    "main.main()\n"
    "\t/src/shop/main.go:11 +0x25";

}  // namespace

TEST_CASE("trace go: a signal line cut short names no signal", "[trace][go]") {
  // "[signal " followed by spaces only: trimmed, it is shorter than its own prefix.
  const ErrorRecord r = test::analyzeText("panic: boom\n[signal   ");
  CHECK(r.exception_type == "panic");
  CHECK(r.message == "boom");
  CHECK(findField(r.context, "signal") == nullptr);
}

TEST_CASE("trace go: a panic raised again after a recovery", "[trace][go]") {
  const ErrorRecord r = test::analyzeText(kRecovered);
  CHECK(r.exception_type == "panic");
  CHECK(r.message == "rollback: connection closed");
  CHECK(test::contextString(r, "root_cause", "message") == "order 7: stock exhausted");
  REQUIRE(r.frames.size() == 4);
  CHECK(r.frames[2].function == "panic");
  CHECK(r.frames[2].class_name.empty());
  CHECK(r.frames.back().function == "Rollback");
  // Recovered and raised again with the same value: nothing else caused it.
  const ErrorRecord same = test::analyzeText(
      "panic: boom [recovered, repanicked]\n"
      "\n"
      "goroutine 1 [running]:\n"
      "main.main()\n"
      "\t/src/main.go:9 +0x25");
  CHECK(same.message == "boom");
  CHECK(findField(same.context, "root_cause") == nullptr);
  REQUIRE(same.frames.size() == 1);
  // One event in the text format.
  CHECK(test::groupText("starting\n" + std::string(kRecovered) + "\nexit status 2\n") ==
        std::vector<size_t>{1, 12, 1});
}

namespace {

// gin's recovery middleware in release mode, as its logger writes it to stderr.
constexpr std::string_view kGin =
    "\x1b[31m2024/03/11 10:15:01 [Recovery] 2024/03/11 - 10:15:01 panic recovered:\n"
    "runtime error: index out of range [3] with length 3\n"
    "/usr/local/go/src/runtime/panic.go:114 (0x43c9a5)\n"
    "\tgoPanicIndex: panic(boundsError{x: int64(x), signed: true, y: y, code: boundsIndex})\n"
    "/src/shop/handlers/orders.go:42 (0x8a1b2c)\n"
    "\tGetOrder: item := order.Items[idx]\n"
    "/root/go/pkg/mod/github.com/gin-gonic/gin@v1.9.1/context.go:174 (0x8a0f2e)\n"
    "\t(*Context).Next: c.handlers[c.index](c)\n"
    "/usr/local/go/src/net/http/server.go:2009 (0x6a1b4e)\n"
    "\t(*conn).serve: serverHandler{c.server}.ServeHTTP(w, w.req)\n"
    "\x1b[0m";

}  // namespace

TEST_CASE("trace go: gin's recovery middleware", "[trace][go]") {
  const ErrorRecord r = test::analyzeText(kGin);
  CHECK(r.language == "go");
  CHECK(r.exception_type == "panic");
  CHECK(r.message == "runtime error: index out of range [3] with length 3");
  CHECK(test::contextString(r, "recovered_by") == "gin");
  REQUIRE(r.frames.size() == 4);
  CHECK(r.frames.front().file == "/usr/local/go/src/net/http/server.go");
  CHECK(r.frames.front().class_name == "(*conn)");
  CHECK(r.frames.front().function == "serve");
  CHECK(r.frames[2].file == "/src/shop/handlers/orders.go");
  CHECK(r.frames[2].line == 42);
  CHECK(r.frames[2].function == "GetOrder");
  CHECK(r.frames.back().function == "goPanicIndex");
  CHECK(r.traceback.size() == 11);
  CHECK(test::groupText("\n\n" + std::string(kGin) +
                        "\n[GIN] 2024/03/11 - 10:15:01 | 500 | 1.2ms | 10.0.0.5 | GET "
                        "\"/orders/7\"\n") == std::vector<size_t>{1, 1, 11, 1});
}

TEST_CASE("trace go: gin in debug mode, and without its header line", "[trace][go]") {
  // Debug mode dumps the request first; gin reads no source it cannot find, so no function
  // lines.
  const ErrorRecord debug = test::analyzeText(
      "2024/03/11 10:15:01 [Recovery] 2024/03/11 - 10:15:01 panic recovered:\n"
      "POST /orders HTTP/1.1\n"
      "Host: shop.internal:8080\n"
      "Content-Type: application/json\n"
      "\n"
      "\n"
      "order has no lines\n"
      "/src/shop/handlers/orders.go:71 (0x8a2c10)\n"
      "/root/go/pkg/mod/github.com/gin-gonic/gin@v1.9.1/context.go:174 (0x8a0f2e)");
  CHECK(debug.message == "order has no lines");
  CHECK(test::str(debug.request_info, "method") == "POST");
  CHECK(test::str(debug.request_info, "path") == "/orders");
  REQUIRE(debug.frames.size() == 2);
  CHECK(debug.frames.back().file == "/src/shop/handlers/orders.go");
  CHECK(debug.frames.back().line == 71);
  CHECK(debug.frames.back().function.empty());
  // A log format that read the header line passes the rest.
  const ErrorRecord bare = test::analyzeText(kGin.substr(kGin.find('\n') + 1));
  CHECK(bare.message == "runtime error: index out of range [3] with length 3");
  CHECK(bare.frames.size() == 4);
}

TEST_CASE("trace go: fatal error", "[trace][go]") {
  const ErrorRecord r = test::analyzeText(
      "fatal error: all goroutines are asleep - deadlock!\n"
      "\n"
      "goroutine 1 [chan receive]:\n"
      "main.main()\n"
      "\t/app/main.go:21 +0x2d");
  CHECK(r.exception_type == "fatal error");
  CHECK(r.message == "all goroutines are asleep - deadlock!");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().line == 21);
}

TEST_CASE("trace go: grouping in the text format", "[trace][go]") {
  std::string text = "worker started\n";
  text += kPanic;
  text += "\nexit status 2\n";
  CHECK(test::groupText(text) == std::vector<size_t>{1, 13, 1});
}

TEST_CASE("trace go: fingerprints", "[trace][go]") {
  const std::string a = test::fingerprintOf(kPanic);
  std::string moved(kPanic);
  moved.replace(moved.find("queue.go:21"), 11, "queue.go:25");
  moved.replace(moved.find("[5]"), 3, "[8]");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kPanic);
  other.replace(other.find("(*Queue).Pop"), 12, "(*Queue).Put");
  CHECK(test::fingerprintOf(other) != a);
  std::string other_goroutine(kPanic);
  other_goroutine.replace(other_goroutine.find("goroutine 1 "), 12, "goroutine 9 ");
  CHECK(test::fingerprintOf(other_goroutine) == a);
}
