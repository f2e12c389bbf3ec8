#include "transports/http/http_transport.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>

#include "common/serial_worker.h"
#include "transports/http/ushs_event.h"

namespace homeo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// A response body longer than this is an error (we only keep a snippet of it anyway).
constexpr uint64_t kMaxResponseBody = 1 << 20;
constexpr size_t kReasonBodySnippet = 200;
constexpr std::chrono::seconds kMaxRetryAfter{300};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A printable, one-line excerpt of a response body for a reason.
std::string snippet(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kReasonBodySnippet)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > kReasonBodySnippet) out += "...";
  return out;
}

// ndjson or json_array: the whole batch.
std::string body(const Batch& batch, HttpOptions::Format format) {
  if (format == HttpOptions::Format::kNdjson) return batch.ndjson();
  std::string out;
  out.reserve(batch.bytes + batch.records.size() + 2);
  out.push_back('[');
  for (size_t i = 0; i < batch.records.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += batch.records[i];
  }
  out.push_back(']');
  return out;
}

}  // namespace

std::optional<HttpUrl> parseHttpUrl(std::string_view url, std::string& error) {
  HttpUrl out;
  std::string_view rest;
  const std::string scheme = lower(url.substr(0, url.find("://")));
  if (url.find("://") == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    error = "url must start with http:// or https://, got '" + std::string(url) + "'";
    return std::nullopt;
  }
  out.tls = scheme == "https";
  rest = url.substr(scheme.size() + 3);
  const size_t path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  if (const size_t hash = path.find('#'); hash != std::string_view::npos)
    path = path.substr(0, hash);
  if (authority.find('@') != std::string_view::npos) {
    error = "url must not hold credentials (use bearer_token_file or headers)";
    return std::nullopt;
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "url has an unterminated IPv6 address: '" + std::string(url) + "'";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "url has junk after the IPv6 address: '" + std::string(url) + "'";
        return std::nullopt;
      }
      port = after.substr(1);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    error = "url has no host: '" + std::string(url) + "'";
    return std::nullopt;
  }
  if (!port.empty() || authority.ends_with(':')) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      error = "url has a bad port: '" + std::string(url) + "'";
      return std::nullopt;
    }
  }
  out.host = std::string(host);
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  out.target =
      path.empty() ? "/" : (path.front() == '?' ? "/" + std::string(path) : std::string(path));
  out.host_header = std::string(authority);
  return out;
}

HttpOutcome classifyHttpResponse(unsigned status, std::string_view reason_phrase,
                                 std::string_view body, std::string_view retry_after) {
  HttpOutcome out;
  if (status >= 200 && status < 300) return out;
  out.reason = "HTTP " + std::to_string(status);
  if (!reason_phrase.empty()) out.reason += " " + std::string(reason_phrase);
  if (const std::string text = snippet(body); !text.empty()) out.reason += ": " + text;
  if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
    out.result = SendResult::kRetryable;
    if (status == 429 || status == 503) {
      // delay-seconds only; an HTTP-date is left to the backoff.
      unsigned seconds = 0;
      auto [end, ec] =
          std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
      if (!retry_after.empty() && ec == std::errc() &&
          end == retry_after.data() + retry_after.size()) {
        out.retry_after =
            std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), kMaxRetryAfter);
      }
    }
    return out;
  }
  out.result = SendResult::kPermanent;
  return out;
}

bool gzipCompress(std::string_view data, std::string& out) {
  z_stream zs{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return false;
  }
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END;
}

struct HttpTransportState {
  HttpTransportState(asio::any_io_executor ex, HttpOptions opts)
      : executor(std::move(ex)), options(std::move(opts)) {}

  asio::any_io_executor executor;
  HttpOptions options;
  // Made on the first send: `check` builds transports without an event loop.
  std::optional<tcp::resolver> resolver;
  std::optional<asio::steady_timer> watchdog;
  std::optional<ssl::context> tls_context;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  bool connected = false;
  bool timed_out = false;
  bool stopped = false;
  uint64_t connections = 0;
  beast::flat_buffer buffer;
  SendDone pending;
  // The body of the last batch (ushs: of its current event), kept for its retries.
  std::shared_ptr<const Batch> body_batch;
  std::string body;
  // ushs: how far the destination has answered body_batch's events, kept across its retries.
  struct EventProgress {
    size_t next = 0;                           // the first event not answered yet
    size_t body_of = static_cast<size_t>(-1);  // the event `body` holds
    std::vector<RejectedRecord> rejected;      // rejected for good so far
  };
  EventProgress events;
  UshsEncoder encoder;
  // gzip runs here, off the event loop (a batch of a MiB takes milliseconds); one at a time.
  SerialWorker compressor{4};
  // bearer_token_file, re-read when it changes.
  std::string file_token;
  struct timespec token_mtime {};
  off_t token_size = -1;

  tcp::socket& socket() { return tls ? beast::get_lowest_layer(*tls).socket() : plain->socket(); }
  void close() {
    if (plain || tls) {
      boost::system::error_code ignored;
      socket().close(ignored);
    }
    connected = false;
  }
  void finish(SendResult result, std::string reason,
              std::chrono::milliseconds retry_after = std::chrono::milliseconds(0)) {
    if (!pending) return;
    SendDone done = std::move(pending);
    pending = nullptr;
    done(result, std::move(reason), retry_after);
  }
  void finishPartly(std::vector<RejectedRecord> rejected) {
    if (!pending) return;
    SendDone done = std::move(pending);
    pending = nullptr;
    done.partlyRejected(std::move(rejected));
  }
};

namespace {

template <typename Stream>
asio::awaitable<boost::system::error_code> writeAndRead(
    Stream& stream, beast::flat_buffer& buffer, http::request<http::string_body>& request,
    http::response_parser<http::string_body>& parser) {
  auto [wec, written] = co_await http::async_write(stream, request, kUseTuple);
  (void)written;
  if (wec) co_return wec;
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  (void)read;
  co_return rec;
}

}  // namespace

namespace {

// Reads the token file when it changed since the last read; false (and `error`) on failure.
bool refreshToken(HttpTransportState& s, std::string& error) {
  const std::string& path = s.options.bearer_token_file;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = "bearer_token_file " + path + " cannot be read";
    return false;
  }
  if (st.st_size == s.token_size && st.st_mtim.tv_sec == s.token_mtime.tv_sec &&
      st.st_mtim.tv_nsec == s.token_mtime.tv_nsec) {
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    error = "bearer_token_file " + path + " cannot be read";
    return false;
  }
  std::string token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) {
    token.erase(token.begin());
  }
  s.file_token = std::move(token);
  s.token_mtime = st.st_mtim;
  s.token_size = st.st_size;
  return true;
}

// Opens a new connection: resolve, connect, TLS handshake. Returns an error text or empty.
asio::awaitable<std::string> connect(std::shared_ptr<HttpTransportState> s) {
  const HttpUrl& url = s->options.url;
  s->close();
  s->plain.reset();
  s->tls.reset();
  auto [rec, endpoints] = co_await s->resolver->async_resolve(url.host, url.port, kUseTuple);
  if (s->stopped) co_return "transport stopped";
  if (rec) co_return "resolve " + url.host + ": " + rec.message();
  if (url.tls) {
    if (!s->tls_context) {
      s->tls_context.emplace(ssl::context::tls_client);
      boost::system::error_code ec;
      s->tls_context->set_verify_mode(ssl::verify_peer, ec);
      if (s->options.ca_file.empty()) {
        s->tls_context->set_default_verify_paths(ec);
      } else {
        s->tls_context->load_verify_file(s->options.ca_file, ec);
      }
      if (ec) {
        std::string error = "TLS set-up (ca_file " + s->options.ca_file + "): " + ec.message();
        s->tls_context.reset();
        co_return error;
      }
    }
    s->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(s->executor, *s->tls_context);
    // SNI, and the certificate must name the host.
    SSL_set_tlsext_host_name(s->tls->native_handle(), url.host.c_str());
    s->tls->set_verify_callback(ssl::host_name_verification(url.host));
  } else {
    s->plain = std::make_unique<beast::tcp_stream>(s->executor);
  }
  auto& lowest = s->tls ? beast::get_lowest_layer(*s->tls) : *s->plain;
  auto [cec, endpoint] = co_await asio::async_connect(lowest.socket(), endpoints, kUseTuple);
  (void)endpoint;
  if (s->stopped) co_return "transport stopped";
  if (cec) co_return "connect to " + url.host_header + ": " + cec.message();
  boost::system::error_code ignored;
  lowest.socket().set_option(tcp::no_delay(true), ignored);
  if (s->tls) {
    auto [hec] = co_await s->tls->async_handshake(ssl::stream_base::client, kUseTuple);
    if (s->stopped) co_return "transport stopped";
    if (hec) co_return "TLS handshake with " + url.host_header + ": " + hec.message();
  }
  s->buffer.clear();
  s->connected = true;
  ++s->connections;
  co_return std::string();
}

// The request of a send, without its body.
http::request<http::string_body> makeRequest(const HttpTransportState& s) {
  const HttpOptions& o = s.options;
  http::request<http::string_body> request{http::string_to_verb(o.method), o.url.target, 11};
  request.set(http::field::host, o.url.host_header);
  request.set(http::field::user_agent, "homeostasisd/" HOMEO_VERSION);
  request.set(http::field::content_type, o.format == HttpOptions::Format::kNdjson
                                             ? "application/x-ndjson"
                                             : "application/json");
  if (o.format == HttpOptions::Format::kUshs) request.set(http::field::accept, "application/json");
  if (o.gzip) request.set(http::field::content_encoding, "gzip");
  const std::string& token = o.bearer_token_file.empty() ? o.bearer_token : s.file_token;
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : o.headers) request.set(name, value);
  request.keep_alive(true);
  return request;
}

// One request on the kept-alive connection (opened when there is none), within one deadline of
// timeout_ms for the whole attempt. Returns the response; or nullopt with `error` set (the
// connection is closed then, the send is to be retried), or when the transport was stopped.
asio::awaitable<std::optional<http::response<http::string_body>>> exchange(
    std::shared_ptr<HttpTransportState> s, http::request<http::string_body>& request,
    std::string& error) {
  const HttpOptions& o = s->options;
  // When the deadline passes, everything in progress is cancelled.
  s->timed_out = false;
  s->watchdog->expires_after(o.timeout);
  s->watchdog->async_wait(
      [weak = std::weak_ptr<HttpTransportState>(s)](const boost::system::error_code& ec) {
        auto state = weak.lock();
        if (ec || !state) return;
        state->timed_out = true;
        state->resolver->cancel();
        state->close();
      });
  auto failed = [&](const std::string& what) {
    s->watchdog->cancel();
    s->close();
    if (s->stopped) return;
    error = s->timed_out
                ? "timed out after " + std::to_string(o.timeout.count()) + " ms (" + what + ")"
                : what;
  };

  std::optional<http::response_parser<http::string_body>> parser;
  for (int round = 0;; ++round) {
    const bool reused = s->connected;
    if (!s->connected) {
      std::string connect_error = co_await connect(s);
      if (!connect_error.empty()) {
        failed(connect_error);
        co_return std::nullopt;
      }
    }
    parser.emplace();
    parser->body_limit(kMaxResponseBody);
    boost::system::error_code ec =
        s->tls ? co_await writeAndRead(*s->tls, s->buffer, request, *parser)
               : co_await writeAndRead(*s->plain, s->buffer, request, *parser);
    if (s->stopped) co_return std::nullopt;
    if (!ec) break;
    // A kept-alive connection the server closed while idle: open a new one, once.
    const bool stale = reused && round == 0 && !s->timed_out &&
                       (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                        ec == asio::error::broken_pipe || ec == asio::error::eof);
    if (stale) {
      s->close();
      continue;
    }
    failed((reused ? "request on kept-alive connection: " : "request: ") + ec.message());
    co_return std::nullopt;
  }
  s->watchdog->cancel();
  http::response<http::string_body> response = parser->release();
  if (!response.keep_alive()) s->close();
  co_return response;
}

// Whether a USHS destination that rejects an event for good with this status rejects that
// event alone (it is malformed, too large, a conflict), not the endpoint or the credentials.
bool rejectsEventAlone(unsigned status) {
  return status == 400 || status == 409 || status == 413 || status == 422;
}

// `data` gzipped on the transport's compressor thread; nullopt when zlib failed. The coroutine
// resumes on the event loop.
asio::awaitable<std::optional<std::string>> gzipOffLoop(std::shared_ptr<HttpTransportState> s,
                                                        std::string data) {
  auto result = std::make_shared<std::optional<std::string>>();
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&s, &result, &data](auto handler) {
        auto resume = std::make_shared<decltype(handler)>(std::move(handler));
        auto loop = asio::prefer(s->executor, asio::execution::outstanding_work.tracked);
        const bool posted =
            s->compressor.post([result, data = std::move(data), resume, loop]() mutable {
              std::string out;
              if (gzipCompress(data, out)) *result = std::move(out);
              asio::post(loop, [resume] { std::move (*resume)(); });
              resume.reset();  // the loop holds the coroutine now
            });
        if (!posted) asio::post(s->executor, [resume] { std::move (*resume)(); });
      },
      asio::use_awaitable);
  co_return std::move(*result);
}

// ndjson and json_array: the whole batch in one request.
asio::awaitable<void> deliverBatch(std::shared_ptr<HttpTransportState> s,
                                   std::shared_ptr<const Batch> batch) {
  const HttpOptions& o = s->options;
  if (s->body_batch != batch) {
    s->body = body(*batch, o.format);
    if (o.gzip) {
      auto compressed = co_await gzipOffLoop(s, std::move(s->body));
      if (s->stopped) co_return;
      if (!compressed) {
        s->finish(SendResult::kRetryable, "gzip failed");
        co_return;
      }
      s->body = std::move(*compressed);
    }
    s->body_batch = batch;
  }
  http::request<http::string_body> request = makeRequest(*s);
  request.body() = s->body;
  request.prepare_payload();
  std::string error;
  auto response = co_await exchange(s, request, error);
  if (s->stopped) co_return;
  if (!response) {
    s->finish(SendResult::kRetryable, std::move(error));
    co_return;
  }
  HttpOutcome outcome =
      classifyHttpResponse(response->result_int(), response->reason(), response->body(),
                           (*response)[http::field::retry_after]);
  if (outcome.result == SendResult::kAccepted) s->body_batch.reset();
  s->finish(outcome.result, std::move(outcome.reason), outcome.retry_after);
}

// ushs: one POST per record, in order. A retry of the batch goes on from the first event the
// destination has not answered, so its own retries repeat no event.
asio::awaitable<void> deliverEvents(std::shared_ptr<HttpTransportState> s,
                                    std::shared_ptr<const Batch> batch) {
  const HttpOptions& o = s->options;
  HttpTransportState::EventProgress& p = s->events;
  if (s->body_batch != batch) {
    s->body_batch = batch;
    p = {};
  }
  const size_t total = batch->records.size();
  while (p.next < total) {
    const size_t i = p.next;
    if (p.body_of != i) {
      s->body.clear();
      std::string error;
      if (!s->encoder.encode(batch->records[i], s->body, error)) {
        // Never sent, so the destination cannot have it: it goes to the dead letter.
        p.rejected.push_back({i, "not convertible to a USHS event: " + error});
        ++p.next;
        continue;
      }
      if (o.gzip) {
        auto compressed = co_await gzipOffLoop(s, std::move(s->body));
        if (s->stopped) co_return;
        if (!compressed) {
          s->finish(SendResult::kRetryable, "gzip failed");
          co_return;
        }
        s->body = std::move(*compressed);
      }
      p.body_of = i;
    }
    http::request<http::string_body> request = makeRequest(*s);
    request.body() = s->body;
    request.prepare_payload();
    std::string error;
    auto response = co_await exchange(s, request, error);
    if (s->stopped) co_return;
    if (!response) {
      s->finish(SendResult::kRetryable,
                "event " + std::to_string(i + 1) + " of " + std::to_string(total) + ": " + error);
      co_return;
    }
    const unsigned status = response->result_int();
    HttpOutcome outcome = classifyHttpResponse(status, response->reason(), response->body(),
                                               (*response)[http::field::retry_after]);
    if (outcome.result == SendResult::kAccepted) {
      ++p.next;
      continue;
    }
    if (outcome.result == SendResult::kRetryable) {
      s->finish(
          SendResult::kRetryable,
          "event " + std::to_string(i + 1) + " of " + std::to_string(total) + ": " + outcome.reason,
          outcome.retry_after);
      co_return;
    }
    if (rejectsEventAlone(status)) {
      p.rejected.push_back({i, std::move(outcome.reason)});
      ++p.next;
      continue;
    }
    // The endpoint or the credentials refuse: so they would every event after this one.
    if (p.rejected.empty() && i == 0) {
      s->body_batch.reset();
      s->finish(SendResult::kPermanent, std::move(outcome.reason));
      co_return;
    }
    for (size_t j = i; j < total; ++j) p.rejected.push_back({j, outcome.reason});
    p.next = total;
  }
  std::vector<RejectedRecord> rejected = std::move(p.rejected);
  s->body_batch.reset();
  p = {};
  if (rejected.empty()) {
    s->finish(SendResult::kAccepted, std::string());
  } else {
    s->finishPartly(std::move(rejected));
  }
}

asio::awaitable<void> deliver(std::shared_ptr<HttpTransportState> s,
                              std::shared_ptr<const Batch> batch) {
  if (s->stopped) co_return;
  std::string token_error;
  if (!s->options.bearer_token_file.empty() && !refreshToken(*s, token_error)) {
    s->finish(SendResult::kRetryable, token_error);
    co_return;
  }
  if (s->options.format == HttpOptions::Format::kUshs) {
    co_await deliverEvents(std::move(s), std::move(batch));
  } else {
    co_await deliverBatch(std::move(s), std::move(batch));
  }
}

}  // namespace

HttpTransport::HttpTransport(asio::any_io_executor executor, HttpOptions options)
    : state_(std::make_shared<HttpTransportState>(std::move(executor), std::move(options))) {}

HttpTransport::~HttpTransport() { stop(); }

const HttpOptions& HttpTransport::options() const { return state_->options; }

uint64_t HttpTransport::connectionsOpened() const { return state_->connections; }

void HttpTransport::send(std::shared_ptr<const Batch> batch, SendDone done) {
  HttpTransportState& s = *state_;
  if (s.stopped || s.pending) {
    const char* why = s.stopped ? "transport stopped" : "a send is already in progress";
    asio::post(s.executor, [done = std::move(done), why] { done(SendResult::kRetryable, why); });
    return;
  }
  s.pending = std::move(done);
  if (!s.resolver) {
    s.resolver.emplace(s.executor);
    s.watchdog.emplace(s.executor);
  }
  asio::co_spawn(s.executor, deliver(state_, std::move(batch)),
                 [state = state_](std::exception_ptr error) {
                   if (!error) return;
                   // Nothing in deliver() should throw; if something does (bad_alloc), retry.
                   std::string what = "internal error";
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& e) {
                     what = e.what();
                   } catch (...) {
                   }
                   state->close();
                   state->finish(SendResult::kRetryable, what);
                 });
}

void HttpTransport::stop() {
  HttpTransportState& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.watchdog) s.watchdog->cancel();
  if (s.resolver) s.resolver->cancel();
  s.close();
  s.compressor.stop();
  s.finish(SendResult::kRetryable, "transport stopped");
}

TransportFactory httpTransportFactory() {
  return {
      "http",
      "POSTs batches, or USHS error events, to an HTTP(S) endpoint (options: url, method, "
      "format, gzip, headers, "
      "bearer_token_file, bearer_token_env, ca_file, timeout_ms)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        auto where = [&](std::string_view key) { return options.whereOf(key); };
        HttpOptions o;
        if (auto url = options.getString("url", diags, /*required=*/true)) {
          std::string error;
          if (auto parsed = parseHttpUrl(*url, error)) {
            o.url = std::move(*parsed);
          } else {
            diags.push_back({where("url"), "http transport: " + error});
          }
        }
        if (auto method = options.getString("method", diags)) {
          if (*method != "POST" && *method != "PUT") {
            diags.push_back({where("method"),
                             "http transport: method must be POST or PUT, got '" + *method + "'"});
          }
          o.method = *method;
        }
        if (auto format = options.getString("format", diags)) {
          if (*format == "ndjson") {
            o.format = HttpOptions::Format::kNdjson;
          } else if (*format == "json_array") {
            o.format = HttpOptions::Format::kJsonArray;
          } else if (*format == "ushs") {
            o.format = HttpOptions::Format::kUshs;
          } else {
            diags.push_back({where("format"),
                             "http transport: format must be ndjson, json_array or ushs, got '" +
                                 *format + "'"});
          }
        }
        if (o.format == HttpOptions::Format::kUshs && o.method != "POST") {
          diags.push_back({where("method"),
                           "http transport: format ushs reports errors with POST (USHS v1.0 "
                           "POST /errors), not " +
                               o.method});
        }
        if (auto gzip = options.getBool("gzip", diags)) o.gzip = *gzip;
        if (auto headers = options.getStringMap("headers", diags)) {
          for (auto& [name, value] : *headers) {
            const std::string key = lower(name);
            if (key == "host" || key == "content-length" || key == "content-encoding" ||
                key == "transfer-encoding" || key == "connection") {
              diags.push_back({where("headers"),
                               "http transport: header '" + name + "' is set by the transport"});
            } else if (name.empty() || value.find_first_of("\r\n") != std::string::npos ||
                       name.find_first_of(" :\r\n") != std::string::npos) {
              diags.push_back({where("headers"), "http transport: bad header '" + name + "'"});
            } else {
              o.headers.emplace_back(name, value);
            }
          }
        }
        auto token_file = options.getString("bearer_token_file", diags);
        auto token_env = options.getString("bearer_token_env", diags);
        if (token_file && token_env) {
          diags.push_back({where("bearer_token_env"),
                           "http transport: bearer_token_file and bearer_token_env exclude each "
                           "other"});
        } else if (token_file) {
          if (token_file->empty() || token_file->front() != '/') {
            diags.push_back({where("bearer_token_file"),
                             "http transport: bearer_token_file must be an absolute path"});
          }
          o.bearer_token_file = *token_file;
        } else if (token_env) {
          const char* value = std::getenv(token_env->c_str());
          if (value == nullptr || *value == '\0') {
            diags.push_back({where("bearer_token_env"),
                             "http transport: environment variable " + *token_env + " is not set"});
          } else {
            o.bearer_token = value;
          }
        }
        if (auto ca = options.getString("ca_file", diags)) o.ca_file = *ca;
        if (auto timeout = options.getInt("timeout_ms", diags, 1, 600000)) {
          o.timeout = std::chrono::milliseconds(*timeout);
        }
        options.rejectUnknown({"url", "method", "format", "gzip", "headers", "bearer_token_file",
                               "bearer_token_env", "ca_file", "timeout_ms"},
                              "http transport", diags);
        if (diags.size() != errors) return nullptr;
        return std::make_unique<HttpTransport>(ctx.executor, std::move(o));
      },
  };
}

}  // namespace homeo
