// User in-app rules (config `in_app:`) on traces as the parsers read them, and through
// SourceParser as the daemon reads a file.

#include <string>
#include <vector>

#include "common/in_app.h"
#include "parse_helpers.h"
#include "tests/unit/parsers/trace_helpers.h"

namespace homeo {
namespace {

std::vector<bool> inAppOf(ErrorRecord r, const InAppRules& rules) {
  classifyFrames(r, rules);
  std::vector<bool> out;
  for (const Frame& f : r.frames) out.push_back(f.in_app);
  return out;
}

constexpr std::string_view kPython =
    "Traceback (most recent call last):\n"
    "  File \"/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py\", line 197, "
    "in _get_response\n"
    "    response = wrapped_callback(request, *callback_args, **callback_kwargs)\n"
    "  File \"/app/shop/views.py\", line 48, in checkout\n"
    "    total = pricing.total(cart)\n"
    "  File \"/usr/local/lib/python3.12/site-packages/mycorp_pricing/total.py\", line 12, in "
    "total\n"
    "    return sum(item.price for item in cart.items)\n"
    "  File \"/app/shop/generated/models_pb2.py\", line 7, in price\n"
    "    raise KeyError(self.sku)\n"
    "KeyError: 'sku-42'";

constexpr std::string_view kJava =
    "java.lang.IllegalStateException: cart is empty\n"
    "\tat com.mycorp.shop.CartService.checkout(CartService.java:42)\n"
    "\tat com.mycorp.shop.generated.CartMapper.map(CartMapper.java:9)\n"
    "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)\n"
    "\tat org.springframework.security.web.FilterChainProxy.doFilter(FilterChainProxy.java:"
    "352)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:833)";

constexpr std::string_view kNode =
    "TypeError: Cannot read properties of undefined (reading 'id')\n"
    "    at getUser (/srv/api/src/users.js:10:5)\n"
    "    at verify (/srv/api/node_modules/@mycorp/auth/lib/verify.js:20:11)\n"
    "    at Layer.handle [as handle_request] "
    "(/srv/api/node_modules/express/lib/router/layer.js:95:5)\n"
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)";

constexpr std::string_view kGo =
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49a5d3]\n"
    "\n"
    "goroutine 18 [running]:\n"
    "github.com/mycorp/platform/db.(*Pool).Query(0x0)\n"
    "\t/root/go/pkg/mod/github.com/mycorp/platform@v1.2.0/db/db.go:55 +0x13\n"
    "github.com/go-chi/chi/v5.(*Mux).ServeHTTP(0xc000, {0x7f1a20, 0xc0002a4000})\n"
    "\t/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.10/mux.go:90 +0x2f\n"
    "github.com/mycorp/shop/internal/api.checkout.func1({0x7f1a20, 0xc0002a4000})\n"
    "\t/src/shop/internal/api/checkout.go:27 +0x4b";

}  // namespace

TEST_CASE("in_app rules on a Python trace: site-packages vs /app", "[in_app][rules][python]") {
  const ErrorRecord r = test::analyzeText(kPython);
  REQUIRE(r.frames.size() == 4);
  CHECK(inAppOf(r, {}) == std::vector<bool>{false, true, false, true});
  const InAppRules rules{{"/usr/local/lib/python3.12/site-packages/mycorp_pricing/"},
                         {"/app/shop/generated/"}};
  CHECK(inAppOf(r, rules) == std::vector<bool>{false, true, true, false});
}

TEST_CASE("in_app rules on a Java trace: com.mycorp vs org.springframework",
          "[in_app][rules][java]") {
  const ErrorRecord r = test::analyzeText(kJava);
  REQUIRE(r.frames.size() == 5);
  // Outermost first: Thread.run, the filter chain, the servlet, the mapper, the service.
  CHECK(r.frames.back().class_name == "com.mycorp.shop.CartService");
  CHECK(inAppOf(r, {}) == std::vector<bool>{false, false, false, true, true});
  const InAppRules rules{{"org.springframework.security."}, {"com.mycorp.shop.generated."}};
  CHECK(inAppOf(r, rules) == std::vector<bool>{false, true, false, false, true});
  // The fingerprint follows the rules: the generated mapper's frame no longer counts.
  ErrorRecord moved = r;
  moved.frames[3].function = "mapAll";
  CHECK(computeFingerprint(moved, rules) == computeFingerprint(r, rules));
  CHECK(computeFingerprint(moved) != computeFingerprint(r));
}

TEST_CASE("in_app rules on a Node trace: the company's scope in node_modules",
          "[in_app][rules][node]") {
  const ErrorRecord r = test::analyzeText(kNode);
  REQUIRE(r.frames.size() == 4);
  // Outermost first: the runtime's, express, the company's package, the application.
  CHECK(r.frames.back().function == "getUser");
  CHECK(inAppOf(r, {}) == std::vector<bool>{false, false, false, true});
  const InAppRules rules{{"/srv/api/node_modules/@mycorp/"}, {}};
  CHECK(inAppOf(r, rules) == std::vector<bool>{false, false, true, true});
  const InAppRules exclude{{}, {"getUser"}};  // a function name, the frame naming no class
  CHECK(inAppOf(r, exclude) == std::vector<bool>{false, false, false, false});
}

TEST_CASE("in_app rules on a Go panic: the company's modules in the module cache",
          "[in_app][rules][go]") {
  const ErrorRecord r = test::analyzeText(kGo);
  REQUIRE(r.frames.size() == 3);
  // Outermost first: the application's handler, chi, then the company's db package.
  CHECK(r.frames.front().class_name == "github.com/mycorp/shop/internal/api");
  CHECK(inAppOf(r, {}) == std::vector<bool>{true, false, false});
  const InAppRules rules{{"github.com/mycorp/"}, {}};
  CHECK(inAppOf(r, rules) == std::vector<bool>{true, false, true});
}

TEST_CASE("in_app rules reach the records of a source", "[in_app][rules][source]") {
  SourceInfo info;
  info.min_level = Level::kError;
  info.in_app = InAppRules{{"/usr/local/lib/python3.12/site-packages/mycorp_pricing/"}, {}};
  std::vector<std::string_view> views;
  splitLines(kPython, views);
  std::vector<std::string> lines = {"2024-01-01 10:00:00,123 ERROR shop.views: checkout failed"};
  lines.insert(lines.end(), views.begin(), views.end());
  const std::vector<ErrorRecord> records = test::readSource(lines, info).records;
  REQUIRE(records.size() == 1);
  const ErrorRecord& r = records[0];
  REQUIRE(r.frames.size() == 4);
  CHECK(r.frames[2].in_app);
  CHECK_FALSE(r.frames[0].in_app);
  CHECK(r.fingerprint == computeFingerprint(r, info.in_app));
}

}  // namespace homeo
