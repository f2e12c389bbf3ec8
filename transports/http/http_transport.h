#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "transports/transport.h"

namespace homeo {

// The parts of an http:// or https:// URL the transport needs.
struct HttpUrl {
  bool tls = false;
  std::string host;         // without brackets for an IPv6 literal
  std::string port;         // "80"/"443" when the URL names none
  std::string target;       // path and query, "/" when empty
  std::string host_header;  // host[:port] as the Host header writes it
};

// Parses `url`; on a problem returns nullopt and sets `error`.
std::optional<HttpUrl> parseHttpUrl(std::string_view url, std::string& error);

// How an HTTP response finishes a send.
struct HttpOutcome {
  SendResult result = SendResult::kAccepted;
  std::string reason;
  std::chrono::milliseconds retry_after{0};
};

// 2xx: accepted. 408, 429 and 5xx: retryable, with Retry-After (delay-seconds) honoured on 429
// and 503. Anything else (other 4xx, 3xx: redirects are not followed): permanent, the reason
// holding the status and the start of the body.
HttpOutcome classifyHttpResponse(unsigned status, std::string_view reason_phrase,
                                 std::string_view body, std::string_view retry_after);

// gzip (RFC 1952) of `data`; false only when zlib fails.
bool gzipCompress(std::string_view data, std::string& out);

struct HttpOptions {
  // kUshs: each record as a USHS v1.0 error event (ushs_event.h), one POST per event.
  enum class Format { kNdjson, kJsonArray, kUshs };
  HttpUrl url;
  std::string method = "POST";
  Format format = Format::kNdjson;
  bool gzip = false;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string bearer_token;       // from bearer_token_env, read when the transport is built
  std::string bearer_token_file;  // read on the first send and again when the file changes
  std::string ca_file;            // empty: the system's trust store
  std::chrono::milliseconds timeout{10000};
};

struct HttpTransportState;

// Type "http": POSTs each batch to a URL (NDJSON or a JSON array, optionally gzip), over one
// keep-alive connection (plain or TLS), all asynchronous on the event loop (resolver included).
// `timeout_ms` bounds each whole attempt: resolve, connect, TLS handshake, request and response.
// Format ushs posts each record as its own USHS error event (Homeostasis' standard has no batch
// form), converted just before it is sent (microseconds each, so the loop is never held up), and
// `timeout_ms` bounds each of those requests. A retry goes on from the first event without an
// answer; an event rejected for good with 400, 409, 413 or 422 is rejected alone (the rest of
// the batch is delivered, see SendDone::partlyRejected), any other permanent answer rejects it
// and the events after it.
// A keep-alive connection the server closed in the meantime is reopened once without counting
// as a failure. Results: see classifyHttpResponse(); timeouts and connection errors are
// retryable. The bearer token is never logged nor put in a reason.
class HttpTransport final : public Transport {
 public:
  HttpTransport(boost::asio::any_io_executor executor, HttpOptions options);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  std::string_view type() const override { return "http"; }
  void send(std::shared_ptr<const Batch> batch, SendDone done) override;
  void stop() override;

  const HttpOptions& options() const;
  // Connections opened so far (a keep-alive connection is counted once).
  uint64_t connectionsOpened() const;

 private:
  // Shared with the coroutine of the send in progress, which may outlive the transport.
  std::shared_ptr<HttpTransportState> state_;
};

TransportFactory httpTransportFactory();

}  // namespace homeo
