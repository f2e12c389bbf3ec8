#include <catch2/catch.hpp>

#include <string>

#include "common/in_app.h"
#include "common/record.h"

using namespace homeo;

namespace {

Frame at(std::string file, int64_t line, std::string function, std::string class_name = {}) {
  return Frame(std::move(file), line, std::move(function), 0, std::move(class_name));
}

}  // namespace

TEST_CASE("in_app: Python site-packages, the standard library and frozen modules", "[in_app]") {
  CHECK(isInApp("python", at("/srv/shop/orders/views.py", 48, "checkout")));
  CHECK(isInApp("python", at("app/tasks.py", 12, "run")));
  CHECK_FALSE(isInApp(
      "python", at("/srv/shop/.venv/lib/python3.12/site-packages/django/core/handlers/base.py", 197,
                   "_get_response")));
  CHECK_FALSE(isInApp("python", at("/usr/lib/python3/dist-packages/requests/api.py", 59, "get")));
  CHECK_FALSE(isInApp("python", at("/usr/lib/python3.11/json/decoder.py", 353, "raw_decode")));
  CHECK_FALSE(isInApp("python", at("lib/python3.10/asyncio/events.py", 80, "_run")));
  CHECK_FALSE(isInApp("python", at("<frozen importlib._bootstrap>", 1050, "_gcd_import")));
}

TEST_CASE("in_app: Node node_modules and the runtime's internals", "[in_app]") {
  CHECK(isInApp("javascript", at("/srv/api/src/routes/orders.js", 31, "createOrder")));
  CHECK_FALSE(
      isInApp("javascript", at("/srv/api/node_modules/express/lib/router/layer.js", 95, "handle")));
  CHECK_FALSE(isInApp("javascript", at("node:internal/process/task_queues", 95, "processTicks")));
  CHECK_FALSE(isInApp("javascript", at("internal/timers.js", 569, "listOnTimeout")));
}

TEST_CASE("in_app: JVM packages of the platform and frameworks, reflection and proxies",
          "[in_app]") {
  CHECK(isInApp("java", at("OrderService.java", 42, "place", "com.shop.orders.OrderService")));
  CHECK(isInApp("kotlin", at("Billing.kt", 17, "charge", "io.shop.billing.Billing")));
  CHECK_FALSE(isInApp("java", at("ArrayList.java", 427, "get", "java.util.ArrayList")));
  CHECK_FALSE(isInApp("java", at("HttpServlet.java", 590, "service", "javax.servlet.HttpServlet")));
  CHECK_FALSE(isInApp("java", at("Method.java", 566, "invoke", "java.lang.reflect.Method")));
  CHECK_FALSE(isInApp("java", at("DirectMethodHandleAccessor.java", 103, "invoke",
                                 "jdk.internal.reflect.DirectMethodHandleAccessor")));
  CHECK_FALSE(isInApp("java", at("NativeMethodAccessorImpl.java", 62, "invoke0",
                                 "sun.reflect.NativeMethodAccessorImpl")));
  CHECK_FALSE(isInApp("java", at("", 0, "findById", "com.sun.proxy.$Proxy134")));
  CHECK_FALSE(isInApp("java", at("", 0, "findById", "com.shop.orders.$Proxy12")));
  CHECK_FALSE(isInApp("java", at("<generated>", 0, "place",
                                 "com.shop.orders.OrderService$$EnhancerBySpringCGLIB$$1f2e3d")));
  CHECK_FALSE(isInApp("java", at("FrameworkServlet.java", 883, "service",
                                 "org.springframework.web.servlet.FrameworkServlet")));
  CHECK_FALSE(isInApp("java", at("StandardWrapperValve.java", 197, "invoke",
                                 "org.apache.catalina.core.StandardWrapperValve")));
  CHECK_FALSE(isInApp("java", at("AbstractChannelHandlerContext.java", 379, "invokeChannelRead",
                                 "io.netty.channel.AbstractChannelHandlerContext")));
  CHECK_FALSE(isInApp("kotlin", at("ContinuationImpl.kt", 33, "resumeWith",
                                   "kotlin.coroutines.jvm.internal.BaseContinuationImpl")));
  CHECK_FALSE(isInApp("scala", at("Future.scala", 288, "apply", "scala.concurrent.Future$")));
  // A package that only begins like a platform one is the application's.
  CHECK(isInApp("java", at("Report.java", 9, "render", "javaland.reports.Report")));
}

TEST_CASE("in_app: Go root, module cache, vendored code and the runtime", "[in_app]") {
  CHECK(isInApp("go", at("/home/ci/src/github.com/shop/api/handlers.go", 88, "main.serve")));
  CHECK_FALSE(isInApp("go", at("/usr/local/go/src/net/http/server.go", 2122, "net/http.serve")));
  CHECK_FALSE(isInApp("go", at("/root/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go", 854,
                               "github.com/lib/pq.(*conn).query")));
  CHECK_FALSE(isInApp("go", at("/srv/api/vendor/github.com/gin-gonic/gin/context.go", 174,
                               "github.com/gin-gonic/gin.(*Context).Next")));
  CHECK_FALSE(isInApp("go", at("runtime/panic.go", 914, "runtime.gopanic")));
}

TEST_CASE("in_app: .NET, Ruby, PHP and Rust", "[in_app]") {
  CHECK(isInApp("csharp", at("/src/Shop/CartService.cs", 57, "AddItem", "Shop.Services.Cart")));
  CHECK_FALSE(isInApp("csharp", at("", 0, "ThrowHelper", "System.ThrowHelper")));
  CHECK_FALSE(
      isInApp("csharp", at("", 0, "Invoke", "Microsoft.AspNetCore.Routing.EndpointMiddleware")));

  CHECK(isInApp("ruby", at("/srv/shop/app/models/order.rb", 14, "total")));
  CHECK_FALSE(isInApp("ruby", at("/usr/local/bundle/gems/activerecord-7.1.2/lib/active_record/"
                                 "relation.rb",
                                 290, "find")));

  CHECK(isInApp("php", at("/var/www/app/src/Controller/OrderController.php", 41, "show")));
  CHECK_FALSE(isInApp(
      "php", at("/var/www/app/vendor/symfony/http-kernel/HttpKernel.php", 163, "handleRaw")));

  CHECK(isInApp("rust", at("src/orders.rs", 33, "place", "shop::orders")));
  CHECK_FALSE(isInApp("rust", at("/rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/core/"
                                 "src/panicking.rs",
                                 72, "panic_fmt", "core::panicking")));
  CHECK_FALSE(isInApp("rust", at("/home/ci/.cargo/registry/src/index.crates.io-6f17d22bba15001f/"
                                 "tokio-1.35.1/src/runtime/task/core.rs",
                                 328, "poll", "tokio::runtime::task::core")));
  CHECK_FALSE(isInApp("rust", at("", 0, "unwrap_failed", "std::result")));
  CHECK_FALSE(isInApp("rust", at("", 0, "call_once", "alloc::boxed")));
}

TEST_CASE("in_app: a language without rules keeps every frame", "[in_app]") {
  CHECK(isInApp("", at("/usr/lib/python3.11/json/decoder.py", 353, "raw_decode")));
  CHECK(isInApp("cobol", at("node_modules/x.js", 1, "f")));
}

TEST_CASE("in_app: classifyFrames marks each frame, a source's own in_app winning", "[in_app]") {
  ErrorRecord r;
  r.language = "python";
  r.frames = {at("/srv/shop/orders/views.py", 48, "checkout"),
              at("/srv/shop/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", 1969,
                 "_exec_single_context"),
              at("/srv/shop/vendor_shim.py", 5, "call")};
  r.frames[2].extra = {{"in_app", false}, {"locals", JsonObject{{"n", "1"}}}};
  classifyFrames(r);
  CHECK(r.frames[0].in_app);
  CHECK_FALSE(r.frames[1].in_app);
  CHECK_FALSE(r.frames[2].in_app);
  // The stated value moved into the frame: it is not written twice.
  REQUIRE(r.frames[2].extra.size() == 1);
  CHECK(r.frames[2].extra[0].first == "locals");

  std::string out;
  serializeRecord(r, out);
  CHECK(out.find("{\"file\":\"/srv/shop/orders/views.py\",\"line\":48,\"function\":\"checkout\","
                 "\"in_app\":true}") != std::string::npos);
  CHECK(out.find("\"function\":\"_exec_single_context\",\"in_app\":false}") != std::string::npos);
  CHECK(out.find("\"function\":\"call\",\"in_app\":false,\"locals\":{\"n\":\"1\"}}") !=
        std::string::npos);
  CHECK(out.find("\"in_app\"", out.find("\"function\":\"call\"") + 30) == std::string::npos);
}

TEST_CASE("in_app: the fingerprint is taken from the in-app frames", "[in_app]") {
  ErrorRecord a;
  a.language = "python";
  a.exception_type = "KeyError";
  a.frames = {at("/srv/shop/orders/views.py", 48, "checkout"),
              at("/srv/shop/.venv/lib/python3.12/site-packages/django/core/handlers/base.py", 197,
                 "_get_response")};
  ErrorRecord b = a;
  // Another version of the library: same group.
  b.frames[1] = at("/srv/shop/.venv/lib/python3.13/site-packages/django/core/handlers/base.py", 204,
                   "get_response_async");
  CHECK(computeFingerprint(a) == computeFingerprint(b));
  ErrorRecord c = a;
  c.frames[0].function = "refund";
  CHECK(computeFingerprint(a) != computeFingerprint(c));
}

TEST_CASE("in_app rules: Python, /app include over site-packages, exclude of a package",
          "[in_app][rules]") {
  const Frame app = at("/app/shop/orders/views.py", 48, "checkout");
  const Frame lib =
      at("/app/.venv/lib/python3.12/site-packages/mycorp_common/db.py", 88, "execute");
  const Frame django = at("/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py",
                          197, "_get_response");
  CHECK(isInApp("python", app, InAppRules{}));
  CHECK_FALSE(isInApp("python", lib, InAppRules{}));

  // The company's own package, installed into site-packages, is its code too.
  InAppRules ours{{"/app/.venv/lib/python3.12/site-packages/mycorp_common/"}, {}};
  CHECK(isInApp("python", lib, ours));
  CHECK_FALSE(isInApp("python", django, ours));
  CHECK(isInApp("python", app, ours));

  // A generated module under /app is not.
  InAppRules generated{{"/app/"}, {"/app/shop/migrations/"}};
  CHECK(isInApp("python", app, generated));
  CHECK_FALSE(
      isInApp("python", at("/app/shop/migrations/0042_auto.py", 10, "forwards"), generated));
  // The longest prefix decides: include inside an excluded directory.
  InAppRules nested{{"/app/shop/migrations/custom/"}, {"/app/shop/migrations/"}};
  CHECK(isInApp("python", at("/app/shop/migrations/custom/fix.py", 3, "run"), nested));
  // Exclude wins a tie.
  CHECK_FALSE(isInApp("python", app, InAppRules{{"/app/"}, {"/app/"}}));
}

TEST_CASE("in_app rules: Java com.mycorp vs org.springframework", "[in_app][rules]") {
  const Frame ours = at("OrderService.java", 42, "place", "com.mycorp.orders.OrderService");
  const Frame spring = at("FrameworkServlet.java", 883, "service",
                          "org.springframework.web.servlet.FrameworkServlet");
  const Frame filter =
      at("SecurityFilter.java", 31, "doFilter", "org.springframework.security.web.SecurityFilter");
  const Frame generated = at("OrderMapperImpl.java", 12, "toDto", "com.mycorp.gen.OrderMapperImpl");
  CHECK(isInApp("java", ours, InAppRules{}));
  CHECK_FALSE(isInApp("java", spring, InAppRules{}));

  const InAppRules rules{{"com.mycorp.", "org.springframework.security."}, {"com.mycorp.gen."}};
  CHECK(isInApp("java", ours, rules));
  CHECK_FALSE(isInApp("java", spring, rules));
  CHECK(isInApp("java", filter, rules));
  CHECK_FALSE(isInApp("java", generated, rules));
  // A prefix that names a method.
  const InAppRules method{{}, {"com.mycorp.orders.OrderService.place"}};
  CHECK_FALSE(isInApp("java", ours, method));
  CHECK(isInApp("java", at("OrderService.java", 50, "cancel", "com.mycorp.orders.OrderService"),
                method));
}

TEST_CASE("in_app rules: Node node_modules of the company's scope", "[in_app][rules]") {
  const Frame scoped = at("/srv/api/node_modules/@mycorp/auth/lib/verify.js", 20, "verifyToken");
  const Frame express = at("/srv/api/node_modules/express/lib/router/layer.js", 95, "handle");
  const Frame route = at("/srv/api/src/routes/orders.js", 31, "createOrder");
  CHECK_FALSE(isInApp("javascript", scoped, InAppRules{}));
  const InAppRules rules{{"/srv/api/node_modules/@mycorp/"}, {"/srv/api/src/generated/"}};
  CHECK(isInApp("javascript", scoped, rules));
  CHECK_FALSE(isInApp("javascript", express, rules));
  CHECK(isInApp("javascript", route, rules));
  CHECK_FALSE(isInApp("javascript", at("/srv/api/src/generated/client.js", 7, "call"), rules));
  // Function names: "Layer.handle" style, when the frame names no class.
  CHECK_FALSE(isInApp("javascript", at("/srv/api/src/db.js", 7, "Pool.connect"),
                      InAppRules{{}, {"Pool."}}));
}

TEST_CASE("in_app rules: Go module paths", "[in_app][rules]") {
  const Frame ours = at("/home/ci/go/pkg/mod/github.com/mycorp/platform@v1.2.0/db/db.go", 55,
                        "Query", "github.com/mycorp/platform/db.(*Pool)");
  const Frame chi = at("/home/ci/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.10/mux.go", 90,
                       "ServeHTTP", "github.com/go-chi/chi/v5.(*Mux)");
  const Frame app = at("/src/internal/api/handler.go", 31, "checkout.func1",
                       "github.com/mycorp/shop/internal/api");
  CHECK_FALSE(isInApp("go", ours, InAppRules{}));
  const InAppRules rules{{"github.com/mycorp/"}, {"github.com/mycorp/shop/internal/gen"}};
  CHECK(isInApp("go", ours, rules));
  CHECK_FALSE(isInApp("go", chi, rules));
  CHECK(isInApp("go", app, rules));
  CHECK_FALSE(isInApp(
      "go", at("/src/internal/gen/api.go", 9, "Decode", "github.com/mycorp/shop/internal/gen/api"),
      rules));
}

TEST_CASE("in_app rules: classifyFrames and the fingerprint follow them, a stated in_app winning",
          "[in_app][rules]") {
  ErrorRecord r;
  r.language = "java";
  r.exception_type = "java.lang.IllegalStateException";
  r.frames = {at("FrameworkServlet.java", 883, "service",
                 "org.springframework.web.servlet.FrameworkServlet"),
              at("OrderService.java", 42, "place", "com.mycorp.orders.OrderService"),
              at("Helper.java", 7, "help", "com.mycorp.util.Helper")};
  r.frames[2].extra = {{"in_app", true}};
  const InAppRules rules{{}, {"com.mycorp."}};
  const std::string builtin = computeFingerprint(r);
  CHECK(computeFingerprint(r, InAppRules{}) == builtin);
  classifyFrames(r, rules);
  CHECK_FALSE(r.frames[0].in_app);
  CHECK_FALSE(r.frames[1].in_app);
  CHECK(r.frames[2].in_app);  // the source said so
  // Every frame is a library's by these rules: the fingerprint falls back to all of them.
  CHECK(computeFingerprint(r, rules) != builtin);
  // With the company's code included, a change in a Spring frame leaves the group alone.
  const InAppRules ours{{"com.mycorp."}, {}};
  ErrorRecord moved = r;
  moved.frames[0].function = "doDispatch";
  CHECK(computeFingerprint(moved, ours) == computeFingerprint(r, ours));
}
