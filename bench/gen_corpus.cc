// homeo_gen_corpus: writes a deterministic benchmark corpus of application logs.
//
//   homeo_gen_corpus --out DIR [--size BYTES] [--seed N]
//
// Writes one file per format into DIR (app.jsonl, python.log, bracket.log, syslog.log,
// java.log), each about a fifth of --size, plus DIR/expected.tsv with each file's line count and
// its exact number of records at ERROR or above (a multi-line traceback is one record; in JSON
// lines the level field decides, in syslog the PRI severity), and DIR/expected.offsets with the
// byte offset where each of those records begins (file, tab, offset; one a line). The same
// arguments give the same bytes on every run and machine: each file has its own xoshiro256**
// generator seeded from --seed and the file's index, and nothing reads the clock or the locale.
//
// About 1% of the records are errors, with varied messages, ids, frames and exception types,
// so that fingerprints differ and the data does not compress trivially. Some records are
// traps for a parser: WARNING lines that carry a traceback (not errors: the header's level
// decides), INFO and DEBUG lines with a multi-line message, Java exceptions no log line
// announces (the JVM's "Exception in thread ...": errors of their own).

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using std::string_view_literals::operator""sv;

// ---------------------------------------------------------------------------------------------
// Randomness

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) (Lemire's multiply-shift; the tiny bias does not matter here).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  // True with probability per_10k / 10000.
  bool chance(uint64_t per_10k) { return below(10000) < per_10k; }

  template <typename Array>
  auto pick(const Array& a) -> decltype(a[0]) {
    return a[below(a.size())];
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

// ---------------------------------------------------------------------------------------------
// Buffered output

void appendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

void appendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  int i = 0;
  do {
    buf[i++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && i < 24);
  while (i < width && i < 24) buf[i++] = '0';
  while (i > 0) out.push_back(buf[--i]);
}

void appendHex(std::string& out, uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 15]);
}

// Appends s as the inside of a JSON string literal.
void appendJsonEscaped(std::string& out, std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char* esc = nullptr;
    switch (c) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\t':
        esc = "\\t";
        break;
      case '\r':
        esc = "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) esc = "\\u0020";  // never generated
        break;
    }
    if (esc != nullptr) {
      out.append(s.substr(start, i - start));
      out.append(esc);
      start = i + 1;
    }
  }
  out.append(s.substr(start));
}

// Collects whole lines in memory and writes them in large blocks.
class FileSink {
 public:
  explicit FileSink(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("open");
    buf_.reserve(kBlock + (64 << 10));
  }
  ~FileSink() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  // The buffer that lines are appended to; call endLine() after each line's text.
  std::string& buf() { return buf_; }

  // Terminates the current line (or lines: embedded '\n' in text count too).
  void endLine(uint64_t lines = 1) {
    buf_.push_back('\n');
    lines_ += lines;
    if (buf_.size() >= kBlock) flush();
  }

  void close() {
    flush();
    if (::close(fd_) != 0) fail("close");
    fd_ = -1;
  }

  uint64_t bytes() const { return written_ + buf_.size(); }
  uint64_t lines() const { return lines_; }

 private:
  static constexpr size_t kBlock = 4 << 20;

  void flush() {
    const char* p = buf_.data();
    size_t left = buf_.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("write");
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    written_ += buf_.size();
    buf_.clear();
  }

  [[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "homeo_gen_corpus: %s %s: %s\n", what, path_.c_str(),
                 std::strerror(errno));
    std::exit(1);
  }

  std::string path_;
  int fd_ = -1;
  std::string buf_;
  uint64_t written_ = 0;
  uint64_t lines_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Time

// Howard Hinnant's civil_from_days.
void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

constexpr std::array<std::string_view, 12> kMonthAbbrev = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A log's clock: starts at 2023-05-20 00:00:00 UTC and moves forward a random step per record.
class Clock {
 public:
  void advance(Rng& rng) {
    ms_ += rng.below(40);
    micros_ = rng.below(1000);
    const int64_t sec = ms_ / 1000;
    if (sec == cached_sec_) return;
    cached_sec_ = sec;
    int64_t days = sec / 86400;
    int64_t rem = sec % 86400;
    civilFromDays(days, year_, month_, day_);
    hour_ = static_cast<unsigned>(rem / 3600);
    minute_ = static_cast<unsigned>(rem / 60 % 60);
    second_ = static_cast<unsigned>(rem % 60);
  }

  int64_t epochMillis() const { return ms_; }

  // 2023-05-20<sep>14:30:22
  void date(std::string& out, char sep) const {
    appendPadded(out, static_cast<uint64_t>(year_), 4);
    out.push_back('-');
    appendPadded(out, month_, 2);
    out.push_back('-');
    appendPadded(out, day_, 2);
    out.push_back(sep);
    hms(out);
  }
  void hms(std::string& out) const {
    appendPadded(out, hour_, 2);
    out.push_back(':');
    appendPadded(out, minute_, 2);
    out.push_back(':');
    appendPadded(out, second_, 2);
  }
  // <sep>123
  void millis(std::string& out, char sep) const {
    out.push_back(sep);
    appendPadded(out, static_cast<uint64_t>(ms_ % 1000), 3);
  }
  void micros(std::string& out) const {
    millis(out, '.');
    appendPadded(out, micros_, 3);
  }
  // May 20 14:30:22 (RFC 3164: the day is padded with a space)
  void syslogTime(std::string& out) const {
    out.append(kMonthAbbrev[month_ - 1]);
    out.push_back(' ');
    if (day_ < 10) out.push_back(' ');
    appendUint(out, day_);
    out.push_back(' ');
    hms(out);
  }

 private:
  int64_t ms_ = 1684540800000;  // 2023-05-20T00:00:00Z
  uint64_t micros_ = 0;
  int64_t cached_sec_ = -1;
  int64_t year_ = 1970;
  unsigned month_ = 1, day_ = 1, hour_ = 0, minute_ = 0, second_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Vocabulary

constexpr std::array kFields = {
    "user_id"sv,     "order_id"sv, "email"sv,  "account_id"sv, "session"sv, "token"sv,
    "product_sku"sv, "currency"sv, "tenant"sv, "invoice_id"sv, "address"sv, "payment_method"sv,
    "shipping_id"sv, "locale"sv,   "cart"sv,   "price"sv};
constexpr std::array kAttrs = {"id"sv,      "email"sv,  "items"sv,   "total"sv,
                               "profile"sv, "status"sv, "owner"sv,   "name"sv,
                               "created"sv, "amount"sv, "address"sv, "settings"sv};
constexpr std::array kWords = {
    "alpha"sv,  "bravo"sv,   "charlie"sv, "delta"sv,  "echo"sv,    "foxtrot"sv, "golf"sv,
    "hotel"sv,  "india"sv,   "juliet"sv,  "kilo"sv,   "lima"sv,    "mike"sv,    "november"sv,
    "oscar"sv,  "papa"sv,    "quebec"sv,  "romeo"sv,  "sierra"sv,  "tango"sv,   "uniform"sv,
    "victor"sv, "whiskey"sv, "xray"sv,    "yankee"sv, "zulu"sv,    "amber"sv,   "basalt"sv,
    "cobalt"sv, "dune"sv,    "ember"sv,   "fjord"sv,  "granite"sv, "harbor"sv,  "iris"sv};
constexpr std::array kUsers = {"alice"sv,   "bob"sv,   "carol"sv,  "dave"sv,   "erin"sv,
                               "frank"sv,   "grace"sv, "heidi"sv,  "ivan"sv,   "judy"sv,
                               "mallory"sv, "niaj"sv,  "olivia"sv, "peggy"sv,  "rupert"sv,
                               "sybil"sv,   "trent"sv, "victor"sv, "walter"sv, "deploy"sv};
constexpr std::array kTables = {"users"sv,    "orders"sv,    "payments"sv, "invoices"sv,
                                "products"sv, "sessions"sv,  "carts"sv,    "shipments"sv,
                                "accounts"sv, "audit_log"sv, "coupons"sv,  "webhooks"sv};
constexpr std::array kHosts = {"db-primary.internal"sv,         "db-replica-2.internal"sv,
                               "redis-0.cache.svc"sv,           "api.stripe.com"sv,
                               "search-3.internal"sv,           "auth.example.com"sv,
                               "s3.eu-west-1.amazonaws.com"sv,  "mq-1.internal"sv,
                               "inventory.svc.cluster.local"sv, "smtp.mailgun.org"sv};
constexpr std::array kMethods = {"GET"sv, "GET"sv,    "GET"sv,  "POST"sv,
                                 "PUT"sv, "DELETE"sv, "PATCH"sv};
constexpr std::array kOkStatus = {"200"sv, "200"sv, "200"sv, "201"sv, "204"sv, "301"sv,
                                  "304"sv, "400"sv, "401"sv, "403"sv, "404"sv, "409"sv};
constexpr std::array kPaths = {"/api/v1/users/{id}"sv,
                               "/api/v1/orders/{id}"sv,
                               "/api/v1/orders/{id}/items"sv,
                               "/api/v2/products/{sku}"sv,
                               "/api/v1/carts/{uuid}"sv,
                               "/api/v1/payments/{id}/capture"sv,
                               "/api/v1/search?q={word}&page={n}"sv,
                               "/static/js/app.{hex8}.js"sv,
                               "/healthz"sv,
                               "/api/v1/invoices/{id}.pdf"sv,
                               "/api/v1/accounts/{id}/settings"sv,
                               "/login?next=/dashboard/{id}"sv,
                               "/webhooks/{word}/{uuid}"sv};
constexpr std::array kJobs = {"cleanup_sessions"sv, "send_digest"sv,     "sync_inventory"sv,
                              "rebuild_index"sv,    "charge_renewals"sv, "export_reports"sv,
                              "expire_carts"sv,     "rotate_keys"sv};
constexpr std::array kTemplates = {"welcome"sv, "password_reset"sv, "receipt"sv,
                                   "shipping_update"sv, "weekly_digest"sv};

// Python side
constexpr std::array kPyModules = {"app.users"sv,
                                   "app.orders"sv,
                                   "app.payments"sv,
                                   "app.api.views"sv,
                                   "app.worker.tasks"sv,
                                   "app.db.session"sv,
                                   "app.auth"sv,
                                   "app.cache"sv,
                                   "app.notifications"sv,
                                   "app.search"sv,
                                   "app.billing.invoices"sv,
                                   "celery.worker"sv,
                                   "django.request"sv,
                                   "sqlalchemy.engine"sv,
                                   "urllib3.connectionpool"sv,
                                   "app.inventory"sv};
constexpr std::array kPyAppFiles = {"/app/api/users.py"sv,
                                    "/app/api/orders.py"sv,
                                    "/app/services/payments.py"sv,
                                    "/app/services/billing.py"sv,
                                    "/app/models/user.py"sv,
                                    "/app/models/order.py"sv,
                                    "/app/tasks/notify.py"sv,
                                    "/app/tasks/inventory.py"sv,
                                    "/app/utils/cache.py"sv,
                                    "/app/db/repository.py"sv,
                                    "/app/auth/tokens.py"sv,
                                    "/app/search/indexer.py"sv,
                                    "/app/integrations/stripe_client.py"sv,
                                    "/app/serializers.py"sv};
constexpr std::array kPyFunctions = {
    "get_user"sv,      "create_order"sv, "process_payment"sv, "load_profile"sv,   "_fetch"sv,
    "handle"sv,        "validate"sv,     "serialize"sv,       "compute_total"sv,  "send_invoice"sv,
    "charge_card"sv,   "lookup"sv,       "__getitem__"sv,     "refresh_token"sv,  "apply_coupon"sv,
    "reserve_stock"sv, "to_dict"sv,      "from_payload"sv,    "index_document"sv, "_request"sv};
constexpr std::array kPyCode = {"user = users[user_id]"sv,
                                "return self._cache[key]"sv,
                                "total = sum(item.price * item.qty for item in order.items)"sv,
                                "resp = self.session.get(url, timeout=self.timeout)"sv,
                                "data = json.loads(payload)"sv,
                                "page = int(request.args['page'])"sv,
                                "return self.repo.find_one(id=order_id)"sv,
                                "amount = order.total / order.quantity"sv,
                                "profile = user.profile.settings"sv,
                                "self.db.execute(stmt, params)"sv,
                                "raise PaymentDeclined(order.id, code)"sv,
                                "token = jwt.decode(raw, key, algorithms=['HS256'])"sv,
                                "with open(path) as fh:"sv,
                                "return [self.serialize(x) for x in rows]"sv,
                                "stock = inventory[sku] - requested"sv,
                                "result = client.charge(amount=amount, currency=currency)"sv};
struct FrameworkFrame {
  std::string_view file;
  int line;
  std::string_view function;
  std::string_view code;
};
constexpr std::array kPyFramework = {
    FrameworkFrame{"/usr/local/lib/python3.11/site-packages/flask/app.py", 1823,
                   "full_dispatch_request", "rv = self.dispatch_request()"},
    FrameworkFrame{"/usr/local/lib/python3.11/site-packages/flask/app.py", 1799, "dispatch_request",
                   "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)"},
    FrameworkFrame{"/usr/local/lib/python3.11/site-packages/django/core/handlers/exception.py", 55,
                   "inner", "response = get_response(request)"},
    FrameworkFrame{"/usr/local/lib/python3.11/site-packages/django/core/handlers/base.py", 197,
                   "_get_response",
                   "response = wrapped_callback(request, *callback_args, "
                   "**callback_kwargs)"},
    FrameworkFrame{"/usr/local/lib/python3.11/site-packages/celery/app/trace.py", 477, "trace_task",
                   "R = retval = fun(*args, **kwargs)"},
    FrameworkFrame{"/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py", 1965,
                   "_exec_single_context", "self.dialect.do_execute("}};
struct ExceptionTemplate {
  std::string_view type;
  std::string_view message;  // may hold {placeholders}; empty: the type alone
};
constexpr std::array kPyExceptions = {
    ExceptionTemplate{"KeyError", "'{field}'"},
    ExceptionTemplate{"KeyError", "'user_id'"},
    ExceptionTemplate{"ValueError", "invalid literal for int() with base 10: '{word}'"},
    ExceptionTemplate{"TypeError", "'NoneType' object is not subscriptable"},
    ExceptionTemplate{"TypeError", "unsupported operand type(s) for +: 'int' and 'str'"},
    ExceptionTemplate{"AttributeError", "'NoneType' object has no attribute '{attr}'"},
    ExceptionTemplate{"IndexError", "list index out of range"},
    ExceptionTemplate{"ZeroDivisionError", "division by zero"},
    ExceptionTemplate{"requests.exceptions.ConnectionError",
                      "HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with "
                      "url: {path} (Caused by NewConnectionError('<urllib3.connection."
                      "HTTPSConnection object at 0x7f{hex8}>: Failed to establish a new "
                      "connection: [Errno 111] Connection refused'))"},
    ExceptionTemplate{"TimeoutError", "timed out after {n} seconds"},
    ExceptionTemplate{"psycopg2.OperationalError",
                      "could not connect to server: Connection refused (host {host}, port 5432)"},
    ExceptionTemplate{"sqlalchemy.exc.IntegrityError",
                      "(psycopg2.errors.UniqueViolation) duplicate key value violates unique "
                      "constraint \"{table}_pkey\""},
    ExceptionTemplate{"json.decoder.JSONDecodeError",
                      "Expecting value: line 1 column {n} (char {n})"},
    ExceptionTemplate{"FileNotFoundError",
                      "[Errno 2] No such file or directory: '/var/lib/app/{word}-{id}.csv'"},
    ExceptionTemplate{"PermissionError", "[Errno 13] Permission denied: '/etc/app/{word}.conf'"},
    ExceptionTemplate{"RecursionError", "maximum recursion depth exceeded in comparison"},
    ExceptionTemplate{"redis.exceptions.ConnectionError",
                      "Error 111 connecting to {host}:6379. Connection refused."},
    ExceptionTemplate{"UnicodeDecodeError",
                      "'utf-8' codec can't decode byte 0x{hex2} in position {n}: invalid start "
                      "byte"},
    ExceptionTemplate{"AssertionError", "expected {n} items, got {n}"},
    ExceptionTemplate{"OSError", "[Errno 28] No space left on device"},
    ExceptionTemplate{"MemoryError", ""},
    ExceptionTemplate{"app.errors.PaymentDeclined", "card declined for order {id} (code={word})"},
    ExceptionTemplate{"jwt.exceptions.ExpiredSignatureError", "Signature has expired"}};

// Java side
constexpr std::array kJavaPackages = {"orders"sv, "users"sv,    "billing"sv, "inventory"sv,
                                      "auth"sv,   "shipping"sv, "search"sv,  "notifications"sv};
constexpr std::array kJavaClasses = {
    "OrderService"sv,     "UserController"sv, "PaymentGateway"sv, "InvoiceRepository"sv,
    "StockReservation"sv, "TokenVerifier"sv,  "ShipmentMapper"sv, "SearchIndexer"sv,
    "EmailDispatcher"sv,  "CartValidator"sv};
constexpr std::array kJavaMethods = {
    "place"sv, "findById"sv, "charge"sv, "save"sv,     "reserve"sv,          "verify"sv,
    "toDto"sv, "reindex"sv,  "send"sv,   "validate"sv, "lambda$process$3"sv, "apply"sv};
constexpr std::array kJavaFramework = {
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)"sv,
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1072)"sv,
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)"sv,
    "org.springframework.transaction.interceptor.TransactionInterceptor.invoke("
    "TransactionInterceptor.java:119)"sv,
    "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)"sv,
    "java.base/java.lang.Thread.run(Thread.java:833)"sv,
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)"sv};
constexpr std::array kJavaExceptions = {
    ExceptionTemplate{"java.lang.NullPointerException",
                      "Cannot invoke \"com.example.model.User.getId()\" because \"user\" is null"},
    ExceptionTemplate{"java.lang.IllegalArgumentException", "Invalid order id: {id}"},
    ExceptionTemplate{"java.lang.IllegalStateException", "Connection pool shut down"},
    ExceptionTemplate{"java.sql.SQLTransientConnectionException",
                      "HikariPool-1 - Connection is not available, request timed out after "
                      "{ms}ms."},
    ExceptionTemplate{"org.springframework.dao.DataIntegrityViolationException",
                      "could not execute statement; SQL [n/a]; constraint [{table}_pkey]"},
    ExceptionTemplate{"java.net.SocketTimeoutException", "Read timed out"},
    ExceptionTemplate{"java.util.NoSuchElementException", "No value present"},
    ExceptionTemplate{"java.lang.ArrayIndexOutOfBoundsException",
                      "Index {n} out of bounds for length {n}"},
    ExceptionTemplate{"com.fasterxml.jackson.core.JsonParseException",
                      "Unexpected character ('<' (code 60)): expected a valid value"},
    ExceptionTemplate{"java.lang.NumberFormatException", "For input string: \"{word}\""}};

constexpr std::array kJavaThreads = {
    "http-nio-8080-exec-{n}"sv, "main"sv,
    "scheduling-1"sv,           "kafka-consumer-{n1}"sv,
    "pool-{n1}-thread-{n}"sv,   "ForkJoinPool.commonPool-worker-{n1}"sv};
constexpr std::array kJavaInfoMessages = {
    "Started OrderController in {secs} seconds (process running for {secs})"sv,
    "Placed order {id} for customer {id} ({n} items, total {n}.{n2} EUR)"sv,
    "HikariPool-1 - Pool stats (total={n}, active={n1}, idle={n1}, waiting=0)"sv,
    "Completed {method} {path} with status {status} in {ms} ms"sv,
    "Published event OrderCreated[{uuid}] to topic orders"sv,
    "Consumed {n} records from partition orders-{n1} at offset {big}"sv,
    "Cache 'products' refreshed: {n} entries in {ms} ms"sv,
    "Scheduled task {job} finished in {ms} ms"sv,
    "Token issued for user {user} (expires in {n} s)"sv,
    "Reserved {n} units of SKU-{sku} for cart {uuid}"sv};
constexpr std::array kJavaDebugMessages = {
    "Fetching {table} by id {id}"sv, "Resolved [{host}] to [{ip}]"sv,
    "Opened session at [{hex}] for transaction {hex4}"sv,
    "Mapped to com.example.web.{attr}Controller#{attr}(Long)"sv};
constexpr std::array kJavaWarnMessages = {
    "HikariPool-1 - Connection is slow to respond: {ms} ms"sv,
    "Retrying call to {host} (attempt {n1}/5)"sv, "Unknown property 'spring.jpa.{attr}' ignored"sv,
    "Circuit breaker 'payments' is HALF_OPEN after {n} failures"sv,
    "Request {method} {path} took {ms} ms, above the {n} ms threshold"sv};
constexpr std::array kJavaErrorMessages = {
    "Failed to place order {id}"sv,
    "Unexpected error processing request {method} {path}"sv,
    "Could not charge card for account {id}"sv,
    "Servlet.service() for servlet [dispatcherServlet] threw exception"sv,
    "Error handling message from partition orders-{n1} at offset {big}"sv,
    "Scheduled task {job} failed"sv,
    "Transaction rolled back for invoice {id}"sv};

// Node side
constexpr std::array kNodeExceptions = {
    ExceptionTemplate{"TypeError", "Cannot read properties of undefined (reading '{attr}')"},
    ExceptionTemplate{"Error", "connect ECONNREFUSED {ip}:5432"},
    ExceptionTemplate{"RangeError", "Invalid time value"},
    ExceptionTemplate{"SyntaxError", "Unexpected token < in JSON at position {n}"},
    ExceptionTemplate{"Error", "Request failed with status code 503"},
    ExceptionTemplate{"ReferenceError", "{attr}Cache is not defined"}};
constexpr std::array kNodeFiles = {
    "/app/src/routes/users.js"sv, "/app/src/routes/orders.js"sv, "/app/src/services/payment.js"sv,
    "/app/src/db/pool.js"sv,      "/app/src/lib/cache.js"sv,     "/app/src/workers/mailer.js"sv};
constexpr std::array kNodeFunctions = {"getUser"sv, "createOrder"sv,       "chargeCard"sv,
                                       "query"sv,   "Cache.get"sv,         "sendMail"sv,
                                       "handler"sv, "Object.<anonymous>"sv};

// Go side (logrus)
constexpr std::array kGoErrors = {
    "dial tcp {ip}:5432: connect: connection refused"sv,
    "context deadline exceeded"sv,
    "pq: duplicate key value violates unique constraint \"{table}_pkey\""sv,
    "open /var/lib/app/{word}.json: no such file or directory"sv,
    "unexpected EOF"sv,
    "json: cannot unmarshal string into Go struct field Order.total of type float64"sv,
    "rpc error: code = Unavailable desc = connection closed before server preface received"sv};
constexpr std::array kGoComponents = {"worker"sv, "scheduler"sv, "ingest"sv, "api"sv, "billing"sv};

// Messages per level; {placeholders} are filled by Generator::expand.
constexpr std::array kInfoMessages = {
    "{method} {path} {status} {ms}ms"sv,
    "User {id} logged in from {ip}"sv,
    "Processed order {id} for customer {id} in {ms} ms"sv,
    "Cache hit for key user:{id}:profile"sv,
    "Task {uuid} succeeded in {secs}s"sv,
    "Sending {template} email to {email}"sv,
    "Connection pool stats: size={n} checked_out={n} overflow={n}"sv,
    "Fetched {n} rows from {table} in {ms} ms"sv,
    "Scheduled job {job} finished, next run in {n} s"sv,
    "Request {hex} completed: {method} {path} status={status} bytes={big}"sv,
    "Reserved {n} units of SKU-{sku} for cart {uuid}"sv,
    "Invoice {id} generated for account {id} (total {n}.{n2} EUR)"sv,
    "Indexed {n} documents into {word}-{n} in {ms} ms"sv,
    "Session {hex} refreshed for {user}"sv,
    "Webhook {uuid} delivered to {host} in {ms} ms"sv};
constexpr std::array kDebugMessages = {
    "SELECT * FROM {table} WHERE id = {id} took {ms} ms"sv, "Cache miss for key {table}:{id}"sv,
    "Resolved {host} to {ip}"sv, "Parsed payload of {big} bytes for request {hex}"sv,
    "Acquired lock {job}:{id} (ttl {n}s)"sv};
constexpr std::array kWarningMessages = {"Slow query on {table}: {ms} ms"sv,
                                         "Retrying request to {host} (attempt {n1}/5)"sv,
                                         "Deprecated parameter 'page_size' used by client {ip}"sv,
                                         "Rate limit at {n2}% for API key ...{hex4}"sv,
                                         "Disk usage at {n2}% on /var/lib/app"sv,
                                         "Payment provider answered in {ms} ms for order {id}"sv};
constexpr std::array kErrorContexts = {"Exception on {path} [{method}]"sv,
                                       "Unhandled exception while processing order {id}"sv,
                                       "Task app.tasks.{job}[{uuid}] raised unexpected exception"sv,
                                       "Failed to send invoice {id} to {email}"sv,
                                       "Internal Server Error: {path}"sv,
                                       "Could not charge card for account {id}"sv,
                                       "Error syncing inventory for SKU-{sku}"sv};
constexpr std::array kErrorSingleLine = {
    "Payment gateway returned 502 for order {id}"sv,
    "Could not acquire lock {job}:{id} after {n1} attempts"sv,
    "Giving up on webhook {uuid} after 5 retries"sv,
    "Upstream {host} answered 503 for {method} {path}"sv,
    "Database connection to {host} lost during transaction {hex}"sv};
constexpr std::array kCriticalMessages = {
    "Database {host} unreachable, shutting down worker {n}"sv,
    "Out of memory while building report {id}, aborting"sv,
    "Configuration for tenant {id} is corrupt, refusing to start"sv};

// syslog side
constexpr std::array kSyslogHosts = {"web01"sv, "web02"sv,   "web03"sv,    "web04"sv,    "db01"sv,
                                     "db02"sv,  "cache01"sv, "worker01"sv, "worker02"sv, "lb01"sv};
constexpr std::array kSyslogInfo = {
    "sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 "
    "SHA256:{hex}{hex4}"sv,
    "CRON[{pid}]: ({user}) CMD (/usr/local/bin/{job} --quiet)"sv,
    "systemd[1]: Started Session {n} of User {user}."sv,
    "systemd-logind[{pid}]: New session {n} of user {user}."sv,
    "postfix/smtpd[{pid}]: connect from unknown[{ip}]"sv,
    "postfix/qmgr[{pid}]: {HEX}: from=<{user}@example.com>, size={big}, nrcpt=1 (queue active)"sv,
    "nginx[{pid}]: {ip} - - \"{method} {path} HTTP/1.1\" {status} {big}"sv,
    "app[{pid}]: {method} {path} {status} {ms}ms"sv,
    "kernel: [{uptime}] eth0: renamed from veth{hex4}"sv,
    "dhclient[{pid}]: DHCPACK of {ip} from {ip}"sv,
    "systemd[1]: Starting Daily apt download activities..."sv,
    "dockerd[{pid}]: container {hex} health check passed in {ms} ms"sv};
constexpr std::array kSyslogDebug = {"app[{pid}]: cache stats hits={big} misses={n}"sv,
                                     "sshd[{pid}]: debug1: channel {n1}: new [client-session]"sv};
constexpr std::array kSyslogWarning = {
    "sshd[{pid}]: Invalid user {word} from {ip} port {port}"sv,
    "kernel: [{uptime}] TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending "
    "cookies."sv,
    "app[{pid}]: slow request {method} {path} took {ms} ms"sv,
    "smartd[{pid}]: Device: /dev/sda [SAT], {n1} Currently unreadable (pending) sectors"sv};
constexpr std::array kSyslogError = {
    "app[{pid}]: Unhandled exception in worker {n1}: KeyError: '{field}'"sv,
    "kernel: [{uptime}] Out of memory: Killed process {pid} (python3) total-vm:{big}kB"sv,
    "systemd[1]: {job}.service: Main process exited, code=exited, status=1/FAILURE"sv,
    "postgres[{pid}]: FATAL:  password authentication failed for user \"{user}\""sv,
    "sshd[{pid}]: error: kex_exchange_identification: Connection closed by remote host"sv,
    "nginx[{pid}]: connect() failed (111: Connection refused) while connecting to upstream, "
    "client: {ip}, server: _, request: \"{method} {path} HTTP/1.1\""sv,
    "app[{pid}]: Database connection to {host} lost: server closed the connection "
    "unexpectedly"sv};
constexpr std::array kSyslog5424Apps = {"app"sv, "checkout"sv, "billing"sv, "gateway"sv,
                                        "scheduler"sv};
constexpr std::array kSyslog5424Info = {
    "{method} {path} {status} {ms}ms"sv, "job {job} completed in {ms} ms"sv,
    "user {id} signed in from {ip}"sv, "flushed {n} events to {host}"sv};
constexpr std::array kSyslog5424Warning = {"retrying {host} (attempt {n1}/5)"sv,
                                           "queue depth {big} above threshold"sv};
constexpr std::array kSyslog5424Error = {
    "Unhandled exception: KeyError: '{field}'"sv,
    "payment {id} failed: upstream {host} returned 502"sv,
    "worker {n1} crashed: segmentation fault"sv,
    "cannot write checkpoint /var/lib/app/{word}.db: No space left on device"sv};

// Compile-time hash of placeholder names, so that expand() can switch on them.
constexpr uint32_t nameHash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

// ---------------------------------------------------------------------------------------------
// Generators

enum class Severity { kDebug, kInfo, kWarning, kError, kCritical };

struct FileStats {
  std::string name;
  uint64_t bytes = 0;
  uint64_t lines = 0;
  uint64_t error_records = 0;
  std::vector<uint64_t> error_offsets;  // where each record at ERROR or above begins

  void addError(uint64_t offset) {
    ++error_records;
    error_offsets.push_back(offset);
  }
};

// Shared randomness, clock and message helpers of the per-format writers.
class Generator {
 public:
  Generator(uint64_t seed, uint64_t file_index) : rng_(mixSeed(seed, file_index)) {}

  // The level of the next record: ~1% ERROR or CRITICAL, ~9% WARNING, ~8% DEBUG.
  Severity nextSeverity() {
    const uint64_t r = rng_.below(10000);
    if (r < 10) return Severity::kCritical;
    if (r < 100) return Severity::kError;
    if (r < 1000) return Severity::kWarning;
    if (r < 1800) return Severity::kDebug;
    return Severity::kInfo;
  }

  // Appends tpl with each {name} replaced by a random value of that kind.
  void expand(std::string& out, std::string_view tpl) {
    size_t i = 0;
    while (i < tpl.size()) {
      const size_t open = tpl.find('{', i);
      if (open == std::string_view::npos) {
        out.append(tpl.substr(i));
        return;
      }
      out.append(tpl.substr(i, open - i));
      const size_t close = tpl.find('}', open);
      fill(out, tpl.substr(open + 1, close - open - 1));
      i = close + 1;
    }
  }

  // "Type: message" (or "Type") of a random exception of the list.
  template <typename List>
  void exception(std::string& out, const List& list) {
    const ExceptionTemplate& e = rng_.pick(list);
    out.append(e.type);
    if (!e.message.empty()) {
      out.append(": ");
      expand(out, e.message);
    }
  }

  // A Python traceback (lines joined by '\n', no trailing newline); sometimes two chained.
  void pythonTraceback(std::string& out) {
    const bool chained = rng_.chance(2000);
    if (chained) {
      pythonTrace(out);
      out.append(rng_.chance(5000)
                     ? "\n\nDuring handling of the above exception, another exception "
                       "occurred:\n\n"
                     : "\n\nThe above exception was the direct cause of the following "
                       "exception:\n\n");
    }
    pythonTrace(out);
  }

  // A Java stack trace, sometimes with a cause.
  void javaStackTrace(std::string& out) {
    exception(out, kJavaExceptions);
    javaFrames(out, rng_.range(4, 12));
    if (rng_.chance(3000)) {
      out.append("\nCaused by: ");
      exception(out, kJavaExceptions);
      javaFrames(out, rng_.range(1, 4));
      out.append("\n\t... ");
      appendUint(out, rng_.range(5, 40));
      out.append(" more");
    }
  }

  // A Java stack trace as logback prints it below a log line: the exception, its frames, and
  // up to three causes, each ending in "... N more" (the frames it shares with the one above).
  void javaLogTrace(std::string& out) {
    exception(out, kJavaExceptions);
    javaFrames(out, rng_.range(6, 24));
    const uint64_t causes = rng_.chance(4000) ? rng_.range(1, 3) : 0;
    for (uint64_t i = 0; i < causes; ++i) {
      out.append("\nCaused by: ");
      exception(out, kJavaExceptions);
      javaFrames(out, rng_.range(1, 8));
      out.append("\n\t... ");
      appendUint(out, rng_.range(8, 120));
      out.append(" more");
    }
  }

  // A Node.js error stack; `type`/`message` receive the error's parts (views into out).
  void nodeStack(std::string& out, std::string& type, std::string& message) {
    const ExceptionTemplate& e = rng_.pick(kNodeExceptions);
    type.assign(e.type);
    message.clear();
    expand(message, e.message);
    out.append(type);
    out.append(": ");
    out.append(message);
    const uint64_t frames = rng_.range(3, 8);
    for (uint64_t i = 0; i < frames; ++i) {
      if (i + 1 == frames && rng_.chance(5000)) {
        out.append(
            "\n    at process.processTicksAndRejections (node:internal/process/"
            "task_queues:95:5)");
        break;
      }
      out.append("\n    at ");
      out.append(rng_.pick(kNodeFunctions));
      out.append(" (");
      out.append(rng_.pick(kNodeFiles));
      out.push_back(':');
      appendUint(out, rng_.range(5, 400));
      out.push_back(':');
      appendUint(out, rng_.range(3, 60));
      out.push_back(')');
    }
  }

  Rng& rng() { return rng_; }
  Clock& clock() { return clock_; }

 private:
  static uint64_t mixSeed(uint64_t seed, uint64_t file_index) {
    uint64_t s = seed ^ (0x9e3779b97f4a7c15ULL * (file_index + 1));
    return splitmix64(s);
  }

  void pythonTrace(std::string& out) {
    out.append("Traceback (most recent call last):");
    const uint64_t frames = rng_.range(2, 6);
    for (uint64_t i = 0; i < frames; ++i) {
      out.append("\n  File \"");
      if (i == 0 && rng_.chance(6000)) {
        const FrameworkFrame& f = rng_.pick(kPyFramework);
        out.append(f.file);
        out.append("\", line ");
        appendUint(out, static_cast<uint64_t>(f.line));
        out.append(", in ");
        out.append(f.function);
        out.append("\n    ");
        out.append(f.code);
        continue;
      }
      out.append(rng_.pick(kPyAppFiles));
      out.append("\", line ");
      appendUint(out, rng_.range(8, 900));
      out.append(", in ");
      out.append(rng_.pick(kPyFunctions));
      out.append("\n    ");
      const std::string_view code = rng_.pick(kPyCode);
      out.append(code);
      if (i + 1 == frames && rng_.chance(2500)) {  // Python 3.11 position markers
        out.append("\n    ");
        const uint64_t lead = rng_.below(code.size() / 2);
        out.append(lead, ' ');
        out.append(rng_.range(3, code.size() - lead), '^');
      }
    }
    out.push_back('\n');
    exception(out, kPyExceptions);
  }

  void javaFrames(std::string& out, uint64_t frames) {
    for (uint64_t i = 0; i < frames; ++i) {
      out.append("\n\tat ");
      if (i >= 2 && rng_.chance(4000)) {
        out.append(rng_.pick(kJavaFramework));
        continue;
      }
      const std::string_view cls = rng_.pick(kJavaClasses);
      out.append("com.example.");
      out.append(rng_.pick(kJavaPackages));
      out.push_back('.');
      out.append(cls);
      out.push_back('.');
      out.append(rng_.pick(kJavaMethods));
      out.push_back('(');
      out.append(cls);
      out.append(".java:");
      appendUint(out, rng_.range(20, 700));
      out.push_back(')');
    }
  }

  void fill(std::string& out, std::string_view name) {
    switch (nameHash(name)) {
      case nameHash("id"):
        appendUint(out, rng_.range(1, 999999));
        break;
      case nameHash("n"):
        appendUint(out, rng_.range(1, 999));
        break;
      case nameHash("n1"):
        appendUint(out, rng_.range(1, 9));
        break;
      case nameHash("n2"):
        appendPadded(out, rng_.below(100), 2);
        break;
      case nameHash("big"):
        appendUint(out, rng_.range(1000, 99999999));
        break;
      case nameHash("ms"):
        appendUint(out, rng_.range(1, 4999));
        break;
      case nameHash("secs"):
        appendUint(out, rng_.below(30));
        out.push_back('.');
        appendPadded(out, rng_.below(1000), 3);
        break;
      case nameHash("uptime"):
        appendUint(out, rng_.range(10, 9999999));
        out.push_back('.');
        appendPadded(out, rng_.below(1000000), 6);
        break;
      case nameHash("pid"):
        appendUint(out, rng_.range(100, 65000));
        break;
      case nameHash("port"):
        appendUint(out, rng_.range(1024, 65535));
        break;
      case nameHash("ip"): {
        const uint64_t r = rng_.next();
        appendUint(out, (r & 1) ? 10 : 172);
        out.push_back('.');
        appendUint(out, (r >> 8) & 255);
        out.push_back('.');
        appendUint(out, (r >> 16) & 255);
        out.push_back('.');
        appendUint(out, ((r >> 24) & 253) + 1);
        break;
      }
      case nameHash("uuid"): {
        const uint64_t a = rng_.next(), b = rng_.next();
        appendHex(out, a >> 32, 8);
        out.push_back('-');
        appendHex(out, (a >> 16) & 0xffff, 4);
        out.push_back('-');
        appendHex(out, 0x4000 | (a & 0x0fff), 4);
        out.push_back('-');
        appendHex(out, 0x8000 | (b >> 50), 4);
        out.push_back('-');
        appendHex(out, b & 0xffffffffffffULL, 12);
        break;
      }
      case nameHash("hex"):
        appendHex(out, rng_.next(), 16);
        break;
      case nameHash("HEX"): {
        const size_t start = out.size();
        appendHex(out, rng_.next(), 10);
        for (size_t i = start; i < out.size(); ++i) {
          if (out[i] >= 'a') out[i] = static_cast<char>(out[i] - 'a' + 'A');
        }
        break;
      }
      case nameHash("hex8"):
        appendHex(out, rng_.next(), 8);
        break;
      case nameHash("hex4"):
        appendHex(out, rng_.next(), 4);
        break;
      case nameHash("hex2"):
        appendHex(out, rng_.range(0x80, 0xff), 2);
        break;
      case nameHash("sku"):
        appendPadded(out, rng_.below(100000), 5);
        break;
      case nameHash("user"):
        out.append(rng_.pick(kUsers));
        break;
      case nameHash("email"):
        out.append(rng_.pick(kUsers));
        appendUint(out, rng_.below(1000));
        out.append("@example.com");
        break;
      case nameHash("word"):
        out.append(rng_.pick(kWords));
        break;
      case nameHash("field"):
        out.append(rng_.pick(kFields));
        break;
      case nameHash("attr"):
        out.append(rng_.pick(kAttrs));
        break;
      case nameHash("table"):
        out.append(rng_.pick(kTables));
        break;
      case nameHash("host"):
        out.append(rng_.pick(kHosts));
        break;
      case nameHash("method"):
        out.append(rng_.pick(kMethods));
        break;
      case nameHash("status"):
        out.append(rng_.pick(kOkStatus));
        break;
      case nameHash("path"):
        expand(out, rng_.pick(kPaths));
        break;
      case nameHash("job"):
        out.append(rng_.pick(kJobs));
        break;
      case nameHash("template"):
        out.append(rng_.pick(kTemplates));
        break;
      default:
        std::fprintf(stderr, "homeo_gen_corpus: unknown placeholder {%.*s}\n",
                     static_cast<int>(name.size()), name.data());
        std::abort();
    }
  }

  Rng rng_;
  Clock clock_;
};

// A message of the given (non-error) level from the lists.
template <typename A, typename B, typename C>
std::string_view messageFor(Rng& rng, Severity s, const A& debug, const B& info, const C& warn) {
  switch (s) {
    case Severity::kDebug:
      return rng.pick(debug);
    case Severity::kWarning:
      return rng.pick(warn);
    default:
      return rng.pick(info);
  }
}

bool isError(Severity s) { return s == Severity::kError || s == Severity::kCritical; }

// python.log: Python logging's default-ish format, tracebacks after ERROR lines.
void writePythonLog(Generator& g, FileSink& sink, uint64_t target, FileStats& stats) {
  Rng& rng = g.rng();
  std::string scratch;
  static constexpr std::array kLevelNames = {"DEBUG"sv, "INFO"sv, "WARNING"sv, "ERROR"sv,
                                             "CRITICAL"sv};
  while (sink.bytes() < target) {
    const uint64_t at = sink.bytes();
    g.clock().advance(rng);
    const Severity sev = g.nextSeverity();
    std::string& out = sink.buf();
    g.clock().date(out, ' ');
    g.clock().millis(out, ',');
    out.append(" - ");
    out.append(rng.pick(kPyModules));
    out.append(" - ");
    out.append(kLevelNames[static_cast<size_t>(sev)]);
    out.append(" - ");
    uint64_t extra_lines = 0;
    scratch.clear();
    if (sev == Severity::kError) {
      stats.addError(at);
      if (rng.chance(8000)) {
        g.expand(out, rng.pick(kErrorContexts));
        g.pythonTraceback(scratch);
      } else {
        g.expand(out, rng.pick(kErrorSingleLine));
      }
    } else if (sev == Severity::kCritical) {
      stats.addError(at);
      g.expand(out, rng.pick(kCriticalMessages));
      if (rng.chance(5000)) g.pythonTraceback(scratch);
    } else if (sev == Severity::kWarning && rng.chance(300)) {
      // logger.warning(..., exc_info=True): a traceback, but a WARNING record.
      out.append("Retrying after transient failure talking to ");
      g.expand(out, "{host}");
      g.pythonTraceback(scratch);
    } else if (sev == Severity::kInfo && rng.chance(20)) {
      // A multi-line INFO message.
      out.append("Effective configuration:");
      scratch.append("  workers: ");
      appendUint(scratch, rng.range(1, 32));
      scratch.append("\n  timeout: ");
      appendUint(scratch, rng.range(5, 120));
      scratch.append("\n  database: postgresql://app@");
      g.expand(scratch, "{host}");
      scratch.append("/app");
    } else {
      g.expand(out, messageFor(rng, sev, kDebugMessages, kInfoMessages, kWarningMessages));
    }
    if (!scratch.empty()) {
      out.push_back('\n');
      out.append(scratch);
      extra_lines = 1 + static_cast<uint64_t>(std::count(scratch.begin(), scratch.end(), '\n'));
    }
    sink.endLine(1 + extra_lines);
  }
}

// bracket.log: the Homeostasis guide's format, one line per record.
void writeBracketLog(Generator& g, FileSink& sink, uint64_t target, FileStats& stats) {
  Rng& rng = g.rng();
  static constexpr std::array kLevelNames = {"DEBUG"sv, "INFO"sv, "WARNING"sv, "ERROR"sv,
                                             "CRITICAL"sv};
  while (sink.bytes() < target) {
    const uint64_t at = sink.bytes();
    g.clock().advance(rng);
    const Severity sev = g.nextSeverity();
    std::string& out = sink.buf();
    out.push_back('[');
    out.append(kLevelNames[static_cast<size_t>(sev)]);
    out.append("][");
    g.clock().date(out, ' ');
    out.append("] ");
    out.append(rng.pick(kPyModules));
    out.append(" - ");
    if (isError(sev)) {
      stats.addError(at);
      if (sev == Severity::kCritical) {
        g.expand(out, rng.pick(kCriticalMessages));
      } else if (rng.chance(7000)) {
        g.exception(out, kPyExceptions);
      } else {
        g.expand(out, rng.pick(kErrorSingleLine));
      }
    } else {
      g.expand(out, messageFor(rng, sev, kDebugMessages, kInfoMessages, kWarningMessages));
    }
    sink.endLine();
  }
}

// syslog.log: RFC 3164 and RFC 5424 lines; the severity is in the PRI.
void writeSyslog(Generator& g, FileSink& sink, uint64_t target, FileStats& stats) {
  Rng& rng = g.rng();
  static constexpr std::array kFacilities = {1, 3, 4, 10, 16, 17, 23};  // user daemon auth ...
  std::string scratch;
  while (sink.bytes() < target) {
    const uint64_t at = sink.bytes();
    g.clock().advance(rng);
    const Severity sev = g.nextSeverity();
    int severity = 6;
    switch (sev) {
      case Severity::kCritical:
        severity = static_cast<int>(rng.below(3));  // emerg, alert, crit
        break;
      case Severity::kError:
        severity = 3;
        break;
      case Severity::kWarning:
        severity = 4;
        break;
      case Severity::kDebug:
        severity = 7;
        break;
      case Severity::kInfo:
        severity = rng.chance(1500) ? 5 : 6;
        break;
    }
    if (isError(sev)) stats.addError(at);
    const int pri = rng.pick(kFacilities) * 8 + severity;
    std::string& out = sink.buf();
    out.push_back('<');
    appendUint(out, static_cast<uint64_t>(pri));
    out.push_back('>');
    if (rng.chance(6000)) {
      // RFC 3164: <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG
      g.clock().syslogTime(out);
      out.push_back(' ');
      out.append(rng.pick(kSyslogHosts));
      out.push_back(' ');
      g.expand(out, isError(sev) ? rng.pick(kSyslogError)
                                 : messageFor(rng, sev, kSyslogDebug, kSyslogInfo, kSyslogWarning));
    } else {
      // RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG
      out.append("1 ");
      g.clock().date(out, 'T');
      if (rng.chance(5000)) {
        g.clock().millis(out, '.');
        out.push_back('Z');
      } else {
        g.clock().micros(out);
        out.append("+00:00");
      }
      out.push_back(' ');
      out.append(rng.pick(kSyslogHosts));
      out.push_back(' ');
      out.append(rng.pick(kSyslog5424Apps));
      out.push_back(' ');
      if (rng.chance(8000)) {
        appendUint(out, rng.range(100, 65000));
      } else {
        out.push_back('-');
      }
      out.push_back(' ');
      if (rng.chance(3000)) {
        out.append("ID");
        appendUint(out, rng.range(1, 99));
      } else {
        out.push_back('-');
      }
      out.push_back(' ');
      if (rng.chance(3000)) {
        out.append("[meta@32473 req=\"");
        g.expand(out, "{hex}");
        out.append("\" tenant=\"");
        g.expand(out, "{id}");
        out.append("\"]");
      } else {
        out.push_back('-');
      }
      out.push_back(' ');
      g.expand(out, isError(sev) ? rng.pick(kSyslog5424Error)
                                 : messageFor(rng, sev, kSyslog5424Info, kSyslog5424Info,
                                              kSyslog5424Warning));
    }
    sink.endLine();
  }
}

// java.log: logback's and Spring Boot's layouts, stack traces with causes below ERROR lines.
void writeJavaLog(Generator& g, FileSink& sink, uint64_t target, FileStats& stats) {
  Rng& rng = g.rng();
  static constexpr std::array kLevelNames = {"DEBUG"sv, "INFO "sv, "WARN "sv, "ERROR"sv};
  static constexpr std::array kPaddedLevels = {"DEBUG"sv, " INFO"sv, " WARN"sv, "ERROR"sv};
  while (sink.bytes() < target) {
    const uint64_t at = sink.bytes();
    g.clock().advance(rng);
    const Severity sev = g.nextSeverity();
    std::string& out = sink.buf();
    const size_t start = out.size();
    if (sev == Severity::kCritical) {
      // An exception no handler caught: the JVM prints it without a log line above it.
      stats.addError(at);
      out.append("Exception in thread \"");
      g.expand(out, rng.pick(kJavaThreads));
      out.append("\" ");
      g.javaLogTrace(out);
      sink.endLine(1 + static_cast<uint64_t>(std::count(out.begin() + start, out.end(), '\n')));
      continue;
    }
    const size_t level = static_cast<size_t>(sev);
    const std::string_view pkg = rng.pick(kJavaPackages);
    const std::string_view cls = rng.pick(kJavaClasses);
    g.clock().date(out, ' ');
    g.clock().millis(out, '.');
    if (rng.chance(6000)) {
      // logback: %d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n
      out.append(" [");
      g.expand(out, rng.pick(kJavaThreads));
      out.append("] ");
      out.append(kLevelNames[level]);
      out.append(" com.example.");
      out.append(pkg);
      out.push_back('.');
      out.append(cls);
      out.append(" - ");
    } else {
      // Spring Boot 2: %5p ${PID} --- [%15.15t] %-40.40logger{39} : %m%n
      out.push_back(' ');
      out.append(kPaddedLevels[level]);
      out.push_back(' ');
      appendUint(out, rng.range(1000, 65000));
      out.append(" --- [");
      const size_t thread_at = out.size();
      g.expand(out, rng.pick(kJavaThreads));
      const size_t thread_len = out.size() - thread_at;
      if (thread_len > 15) {
        out.erase(thread_at, thread_len - 15);
      } else {
        out.insert(thread_at, 15 - thread_len, ' ');
      }
      out.append("] c.e.");
      out.append(pkg);
      out.push_back('.');
      out.append(cls);
      const size_t logger_len = 4 + pkg.size() + 1 + cls.size();
      if (logger_len < 40) out.append(40 - logger_len, ' ');
      out.append(" : ");
    }
    if (isError(sev)) {
      stats.addError(at);
      g.expand(out, rng.pick(kJavaErrorMessages));
      if (rng.chance(7500)) {
        out.push_back('\n');
        g.javaLogTrace(out);
      }
    } else if (sev == Severity::kWarning && rng.chance(300)) {
      // log.warn("...", e): a trace, but a WARN record.
      g.expand(out, rng.pick(kJavaWarnMessages));
      out.push_back('\n');
      g.javaLogTrace(out);
    } else if (sev == Severity::kDebug && rng.chance(300)) {
      // Hibernate's formatted SQL: a DEBUG message over several lines.
      const std::string_view table = rng.pick(kTables);
      out.append("\n    select\n        ");
      out.append(table);
      out.append("0_.id,\n        ");
      out.append(table);
      out.append("0_.status \n    from\n        ");
      out.append(table);
      out.push_back(' ');
      out.append(table);
      out.append("0_ \n    where\n        ");
      out.append(table);
      out.append("0_.id=?");
    } else {
      g.expand(out, messageFor(rng, sev, kJavaDebugMessages, kJavaInfoMessages, kJavaWarnMessages));
    }
    sink.endLine(1 + static_cast<uint64_t>(std::count(out.begin() + start, out.end(), '\n')));
  }
}

// app.jsonl: JSON lines in several logging libraries' dialects.
class JsonLineWriter {
 public:
  JsonLineWriter(Generator& g, FileStats& stats) : g_(g), rng_(g.rng()), stats_(stats) {}

  void run(FileSink& sink, uint64_t target) {
    while (sink.bytes() < target) {
      const uint64_t at = sink.bytes();
      g_.clock().advance(rng_);
      const Severity sev = g_.nextSeverity();
      if (isError(sev)) stats_.addError(at);
      std::string& out = sink.buf();
      const uint64_t dialect = rng_.below(100);
      if (dialect < 35) {
        pythonJsonLogger(out, sev);
      } else if (dialect < 55) {
        pino(out, sev);
      } else if (dialect < 65) {
        bunyan(out, sev);
      } else if (dialect < 85) {
        logrus(out, sev);
      } else {
        logstash(out, sev);
      }
      sink.endLine();
    }
  }

 private:
  void key(std::string& out, std::string_view k, bool first = false) {
    if (!first) out.push_back(',');
    out.push_back('"');
    out.append(k);
    out.append("\":");
  }
  void stringField(std::string& out, std::string_view k, std::string_view v) {
    key(out, k);
    out.push_back('"');
    appendJsonEscaped(out, v);
    out.push_back('"');
  }
  void messageText(Severity sev) {
    msg_.clear();
    switch (sev) {
      case Severity::kCritical:
        g_.expand(msg_, rng_.pick(kCriticalMessages));
        break;
      case Severity::kError:
        g_.expand(msg_,
                  rng_.chance(5000) ? rng_.pick(kErrorContexts) : rng_.pick(kErrorSingleLine));
        break;
      default:
        g_.expand(msg_, messageFor(rng_, sev, kDebugMessages, kInfoMessages, kWarningMessages));
    }
  }

  // python-json-logger: json.dumps with its default ", " / ": " separators.
  void pythonJsonLogger(std::string& out, Severity sev) {
    static constexpr std::array kNames = {"DEBUG"sv, "INFO"sv, "WARNING"sv, "ERROR"sv,
                                          "CRITICAL"sv};
    messageText(sev);
    out.append("{\"asctime\": \"");
    g_.clock().date(out, ' ');
    g_.clock().millis(out, ',');
    out.append("\", \"levelname\": \"");
    out.append(kNames[static_cast<size_t>(sev)]);
    out.append("\", \"name\": \"");
    out.append(rng_.pick(kPyModules));
    out.append("\", \"message\": \"");
    appendJsonEscaped(out, msg_);
    out.append("\", \"request_id\": \"");
    g_.expand(out, "{uuid}");
    out.append("\"");
    if (rng_.chance(5000)) {
      out.append(", \"user_id\": ");
      g_.expand(out, "{id}");
    }
    if (rng_.chance(3000)) {
      out.append(", \"lineno\": ");
      appendUint(out, rng_.range(10, 900));
    }
    // Tracebacks on most errors and, rarely, on a warning (still a WARNING record).
    if ((isError(sev) && rng_.chance(7000)) || (sev == Severity::kWarning && rng_.chance(200))) {
      trace_.clear();
      g_.pythonTraceback(trace_);
      out.append(", \"exc_info\": \"");
      appendJsonEscaped(out, trace_);
      out.push_back('"');
    }
    out.push_back('}');
  }

  static int bunyanLevel(Severity sev) {
    static constexpr std::array kLevels = {20, 30, 40, 50, 60};
    return kLevels[static_cast<size_t>(sev)];
  }

  void nodeError(std::string& out) {
    trace_.clear();
    g_.nodeStack(trace_, err_type_, err_message_);
    key(out, "err");
    out.push_back('{');
    key(out, "type", true);
    out.push_back('"');
    out.append(err_type_);
    out.push_back('"');
    stringField(out, "message", err_message_);
    stringField(out, "stack", trace_);
    out.push_back('}');
  }

  // pino: numeric level, epoch-millisecond time, msg.
  void pino(std::string& out, Severity sev) {
    messageText(sev);
    out.append("{\"level\":");
    appendUint(out, static_cast<uint64_t>(bunyanLevel(sev)));
    out.append(",\"time\":");
    appendUint(out, static_cast<uint64_t>(g_.clock().epochMillis()));
    out.append(",\"pid\":");
    appendUint(out, rng_.range(7, 60));
    out.append(",\"hostname\":\"");
    out.append(rng_.pick(kSyslogHosts));
    out.append("\",\"reqId\":\"req-");
    appendUint(out, rng_.range(1, 99999));
    out.append("\"");
    if (rng_.chance(5000)) {
      out.append(",\"req\":{\"method\":\"");
      out.append(rng_.pick(kMethods));
      out.append("\",\"url\":\"");
      g_.expand(out, rng_.pick(kPaths));
      out.append("\",\"remoteAddress\":\"");
      g_.expand(out, "{ip}");
      out.append("\"}");
    }
    if (isError(sev) && rng_.chance(7000)) nodeError(out);
    stringField(out, "msg", msg_);
    out.push_back('}');
  }

  // bunyan: like pino, with name, ISO time and "v":0.
  void bunyan(std::string& out, Severity sev) {
    messageText(sev);
    out.append("{\"name\":\"");
    out.append(rng_.pick(kSyslog5424Apps));
    out.append("\",\"hostname\":\"");
    out.append(rng_.pick(kSyslogHosts));
    out.append("\",\"pid\":");
    appendUint(out, rng_.range(100, 65000));
    out.append(",\"level\":");
    appendUint(out, static_cast<uint64_t>(bunyanLevel(sev)));
    if (isError(sev) && rng_.chance(7000)) nodeError(out);
    stringField(out, "msg", msg_);
    out.append(",\"time\":\"");
    g_.clock().date(out, 'T');
    g_.clock().millis(out, '.');
    out.append("Z\",\"v\":0}");
  }

  // logrus JSONFormatter: keys sorted, level words, error in "error".
  void logrus(std::string& out, Severity sev) {
    static constexpr std::array kNames = {"debug"sv, "info"sv, "warning"sv, "error"sv, "fatal"sv};
    messageText(sev);
    std::string_view level = kNames[static_cast<size_t>(sev)];
    if (sev == Severity::kCritical && rng_.chance(3000)) level = "panic";
    out.append("{\"component\":\"");
    out.append(rng_.pick(kGoComponents));
    out.push_back('"');
    if (isError(sev) || (sev == Severity::kWarning && rng_.chance(3000))) {
      scratch_.clear();
      g_.expand(scratch_, rng_.pick(kGoErrors));
      stringField(out, "error", scratch_);
    }
    out.append(",\"level\":\"");
    out.append(level);
    out.push_back('"');
    stringField(out, "msg", msg_);
    if (rng_.chance(5000)) {
      out.append(",\"order_id\":");
      g_.expand(out, "{id}");
    }
    out.append(",\"time\":\"");
    g_.clock().date(out, 'T');
    out.append("Z\"}");
  }

  // logstash-logback-encoder (Java): level word, level_value, stack_trace.
  void logstash(std::string& out, Severity sev) {
    static constexpr std::array kNames = {"DEBUG"sv, "INFO"sv, "WARN"sv, "ERROR"sv, "ERROR"sv};
    static constexpr std::array kValues = {10000, 20000, 30000, 40000, 40000};
    messageText(sev);
    out.append("{\"@timestamp\":\"");
    g_.clock().date(out, 'T');
    g_.clock().millis(out, '.');
    out.append("+00:00\",\"@version\":\"1\"");
    stringField(out, "message", msg_);
    out.append(",\"logger_name\":\"com.example.");
    out.append(rng_.pick(kJavaPackages));
    out.push_back('.');
    out.append(rng_.pick(kJavaClasses));
    out.append("\",\"thread_name\":\"http-nio-8080-exec-");
    appendUint(out, rng_.range(1, 200));
    out.append("\",\"level\":\"");
    out.append(kNames[static_cast<size_t>(sev)]);
    out.append("\",\"level_value\":");
    appendUint(out, static_cast<uint64_t>(kValues[static_cast<size_t>(sev)]));
    if (isError(sev) && rng_.chance(8000)) {
      trace_.clear();
      g_.javaStackTrace(trace_);
      stringField(out, "stack_trace", trace_);
    }
    out.push_back('}');
  }

  Generator& g_;
  Rng& rng_;
  FileStats& stats_;
  std::string msg_, trace_, scratch_, err_type_, err_message_;
};

void writeJsonLines(Generator& g, FileSink& sink, uint64_t target, FileStats& stats) {
  JsonLineWriter(g, stats).run(sink, target);
}

using WriterFn = void (*)(Generator&, FileSink&, uint64_t, FileStats&);
struct FileSpec {
  std::string_view name;
  WriterFn write;
};
constexpr std::array kFiles = {
    FileSpec{"app.jsonl", writeJsonLines}, FileSpec{"python.log", writePythonLog},
    FileSpec{"bracket.log", writeBracketLog}, FileSpec{"syslog.log", writeSyslog},
    FileSpec{"java.log", writeJavaLog}};

// ---------------------------------------------------------------------------------------------
// Command line

[[noreturn]] void usage(int status) {
  std::fprintf(status == 0 ? stdout : stderr,
               "usage: homeo_gen_corpus --out DIR [--size BYTES] [--seed N]\n"
               "  --out DIR     directory to write app.jsonl, python.log, bracket.log,\n"
               "                syslog.log, java.log, expected.tsv and expected.offsets\n"
               "                into (created if missing)\n"
               "  --size BYTES  total size, split evenly over the files; K/M/G suffixes are\n"
               "                powers of 1024 (default 1G)\n"
               "  --seed N      generator seed (default 1); the same seed gives the same bytes\n");
  std::exit(status);
}

bool parseSize(std::string_view s, uint64_t& out) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return false;
  std::string_view rest(end, static_cast<size_t>(s.data() + s.size() - end));
  uint64_t mult = 1;
  if (!rest.empty()) {
    switch (rest[0]) {
      case 'k':
      case 'K':
        mult = 1ULL << 10;
        break;
      case 'm':
      case 'M':
        mult = 1ULL << 20;
        break;
      case 'g':
      case 'G':
        mult = 1ULL << 30;
        break;
      default:
        return false;
    }
    rest.remove_prefix(1);
    if (rest != "" && rest != "B" && rest != "iB" && rest != "b") return false;
  }
  out = v * mult;
  return true;
}

bool writeFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size() ||
      std::fclose(f) != 0) {
    std::fprintf(stderr, "homeo_gen_corpus: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir;
  uint64_t size = 1ULL << 30;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "homeo_gen_corpus: %s needs a value\n", argv[i]);
        usage(64);
      }
      return argv[++i];
    };
    if (arg == "--out") {
      out_dir = value();
    } else if (arg == "--size") {
      if (!parseSize(value(), size) || size == 0) {
        std::fprintf(stderr, "homeo_gen_corpus: bad --size\n");
        usage(64);
      }
    } else if (arg == "--seed") {
      if (!parseSize(value(), seed)) {
        std::fprintf(stderr, "homeo_gen_corpus: bad --seed\n");
        usage(64);
      }
    } else if (arg == "--help" || arg == "-h") {
      usage(0);
    } else {
      std::fprintf(stderr, "homeo_gen_corpus: unknown argument %s\n", argv[i]);
      usage(64);
    }
  }
  if (out_dir.empty()) usage(64);

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    std::fprintf(stderr, "homeo_gen_corpus: cannot create %s: %s\n", out_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }

  // One thread per file: each file has its own generator, so the bytes do not depend on
  // scheduling.
  const uint64_t per_file = size / kFiles.size() + 1;
  std::vector<FileStats> stats(kFiles.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kFiles.size(); ++i) {
    threads.emplace_back([&, i] {
      FileStats& st = stats[i];
      st.name = std::string(kFiles[i].name);
      FileSink sink(out_dir + "/" + st.name);
      Generator gen(seed, i);
      kFiles[i].write(gen, sink, per_file, st);
      sink.close();
      st.bytes = sink.bytes();
      st.lines = sink.lines();
    });
  }
  for (auto& t : threads) t.join();

  std::string tsv = "file\tlines\terror_records\n";
  std::string offsets;
  for (const auto& st : stats) {
    tsv +=
        st.name + "\t" + std::to_string(st.lines) + "\t" + std::to_string(st.error_records) + "\n";
    for (uint64_t off : st.error_offsets) offsets += st.name + "\t" + std::to_string(off) + "\n";
  }
  if (!writeFile(out_dir + "/expected.tsv", tsv) ||
      !writeFile(out_dir + "/expected.offsets", offsets)) {
    return 1;
  }
  return 0;
}
