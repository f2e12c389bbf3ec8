#include "transports/amqp/amqp_transport.h"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "transports/amqp/socket_watchdog.h"

namespace homeo {

namespace {

constexpr size_t kMaxShortString = 255;  // AMQP shortstr: exchange names, routing keys
constexpr amqp_channel_t kChannel = 1;
// Closing a healthy connection politely must not hold up a stopping daemon.
constexpr std::chrono::milliseconds kCloseTimeout{1000};

timeval toTimeval(std::chrono::milliseconds ms) {
  ms = std::max(ms, std::chrono::milliseconds(0));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string bytesText(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

std::string statusText(int status) { return amqp_error_string2(status); }

// Why an RPC failed, as a reason; empty when it did not.
std::string replyText(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return {};
    case AMQP_RESPONSE_NONE:
      return "no reply from the broker";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return statusText(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
        return "the broker closed the connection: " + std::to_string(m->reply_code) + " " +
               bytesText(m->reply_text);
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
        return "the broker closed the channel: " + std::to_string(m->reply_code) + " " +
               bytesText(m->reply_text);
      }
      return "unexpected method from the broker";
  }
  return "unknown reply";
}

// The channel-close code of a server exception, 0 for anything else.
uint16_t channelCloseCode(const amqp_rpc_reply_t& reply) {
  if (reply.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION ||
      reply.reply.id != AMQP_CHANNEL_CLOSE_METHOD) {
    return 0;
  }
  return static_cast<const amqp_channel_close_t*>(reply.reply.decoded)->reply_code;
}

amqp_bytes_t bytesOf(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }

}  // namespace

std::optional<AmqpUrl> parseAmqpUrl(std::string_view url, std::string& error) {
  std::string buffer(url);  // amqp_parse_url cuts its argument in place
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  const bool has_scheme = url.starts_with("amqp://") || url.starts_with("amqps://");
  if (!has_scheme || amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    error = "url must be amqp://[user[:password]@]host[:port][/vhost] (or amqps://), got '" +
            maskUrlPassword(url) + "'";
    return std::nullopt;
  }
  if (info.port <= 0 || info.port > 65535) {
    error = "url has a bad port: '" + maskUrlPassword(url) + "'";
    return std::nullopt;
  }
  AmqpUrl out;
  out.tls = info.ssl != 0;
  out.host = info.host;
  out.port = info.port;
  out.user = info.user;
  out.password = info.password;
  // "amqp://host/" names the empty vhost by the letter of the URI spec; everyone means "/".
  out.vhost = *info.vhost == '\0' ? "/" : info.vhost;
  return out;
}

std::string maskUrlPassword(std::string_view url) {
  const size_t scheme_end = url.find("://");
  const size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const size_t authority_end = std::min(url.find_first_of("/?#", start), url.size());
  const size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const size_t colon = url.substr(0, at).find(':', start);
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string routingKeyWord(std::string_view text) {
  if (text.empty()) return "unknown";
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.' || u < 0x20 || u == 0x7f || std::isspace(u)) c = '_';
  }
  return out;
}

std::optional<RoutingKeyTemplate> RoutingKeyTemplate::compile(std::string_view text,
                                                              std::string& error) {
  RoutingKeyTemplate out;
  out.text_ = std::string(text);
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find_first_of("{}", i);
    if (open == std::string_view::npos) {
      out.parts_.push_back({Kind::kText, std::string(text.substr(i))});
      break;
    }
    if (text[open] == '}') {
      error = "routing_key has a '}' without '{' at offset " + std::to_string(open);
      return std::nullopt;
    }
    if (open > i) out.parts_.push_back({Kind::kText, std::string(text.substr(i, open - i))});
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      error = "routing_key has a '{' without '}' at offset " + std::to_string(open);
      return std::nullopt;
    }
    const std::string_view name = text.substr(open + 1, close - open - 1);
    if (name == "service") {
      out.parts_.push_back({Kind::kService, {}});
    } else if (name == "level") {
      out.parts_.push_back({Kind::kLevel, {}});
    } else {
      error = "routing_key has an unknown placeholder '{" + std::string(name) +
              "}' (known: {service}, {level})";
      return std::nullopt;
    }
    i = close + 1;
  }
  if (text.empty()) {
    error = "routing_key must not be empty";
    return std::nullopt;
  }
  return out;
}

std::string RoutingKeyTemplate::expand(std::string_view service, Level level) const {
  std::string key;
  for (const Part& part : parts_) {
    switch (part.kind) {
      case Kind::kText:
        key += part.text;
        break;
      case Kind::kService:
        key += routingKeyWord(service);
        break;
      case Kind::kLevel:
        for (char c : levelName(level)) {
          key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
        break;
    }
  }
  if (key.size() > kMaxShortString) {
    size_t cut = kMaxShortString;
    // Back off over UTF-8 continuation bytes so the key stays valid text.
    while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
    key.resize(cut);
  }
  return key;
}

bool recordServiceAndLevel(simdjson::dom::parser& json, std::string_view record,
                           std::string& service, Level& level) {
  simdjson::dom::object object;
  if (json.parse(record.data(), record.size()).get_object().get(object) != simdjson::SUCCESS) {
    return false;
  }
  std::string_view text;
  if (object["service"].get_string().get(text) == simdjson::SUCCESS) service = text;
  if (object["level"].get_string().get(text) == simdjson::SUCCESS) {
    if (const std::optional<Level> parsed = parseLevel(text)) level = *parsed;
  }
  return true;
}

AmqpTransport::AmqpTransport(boost::asio::any_io_executor loop, AmqpOptions options)
    : ThreadedTransport(std::move(loop)),
      options_(std::move(options)),
      watchdog_(std::make_unique<SocketWatchdog>()),
      json_(std::make_unique<simdjson::dom::parser>()) {}

AmqpTransport::~AmqpTransport() {
  stop();
  dropConnection();  // the worker closes it; this covers a worker that never ran close()
}

void AmqpTransport::dropConnection() {
  if (conn_ == nullptr) return;
  amqp_destroy_connection(conn_);
  conn_ = nullptr;
}

bool AmqpTransport::connect(Clock::time_point deadline, std::string& reason) {
  const AmqpOptions& o = options_;
  const AmqpUrl& url = o.url;
  conn_ = amqp_new_connection();
  if (conn_ == nullptr) {
    reason = "out of memory for a connection";
    return false;
  }
  amqp_socket_t* socket = nullptr;
  if (url.tls) {
    socket = amqp_ssl_socket_new(conn_);
    if (socket != nullptr) {
      amqp_ssl_socket_set_verify_peer(socket, 1);
      amqp_ssl_socket_set_verify_hostname(socket, 1);
      int rc = AMQP_STATUS_OK;
      if (o.ca_file.empty()) {
        auto* ctx = static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(socket));
        if (ctx == nullptr || SSL_CTX_set_default_verify_paths(ctx) != 1) {
          rc = AMQP_STATUS_SSL_ERROR;
        }
      } else {
        rc = amqp_ssl_socket_set_cacert(socket, o.ca_file.c_str());
      }
      if (rc != AMQP_STATUS_OK) {
        reason = "TLS set-up (ca_file '" + o.ca_file + "'): " + statusText(rc);
        return false;
      }
    }
  } else {
    socket = amqp_tcp_socket_new(conn_);
  }
  if (socket == nullptr) {
    reason = "cannot create a socket";
    return false;
  }
  const timeval connect_timeout = toTimeval(o.timeout);
  if (const int rc = amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &connect_timeout);
      rc != AMQP_STATUS_OK) {
    reason = "connect to " + o.display_url + ": " + statusText(rc);
    return false;
  }
  // From here the watchdog bounds the whole attempt; these bound each step as well.
  watchdog_->arm(amqp_get_sockfd(conn_), deadline);
  amqp_set_handshake_timeout(conn_, &connect_timeout);
  amqp_set_rpc_timeout(conn_, &connect_timeout);
  std::string err = replyText(
      amqp_login(conn_, url.vhost.c_str(), AMQP_DEFAULT_MAX_CHANNELS, AMQP_DEFAULT_FRAME_SIZE,
                 o.heartbeat_s, AMQP_SASL_METHOD_PLAIN, url.user.c_str(), url.password.c_str()));
  if (!err.empty()) {
    reason = "login to " + o.display_url + " as '" + url.user + "': " + err;
    return false;
  }
  amqp_channel_open(conn_, kChannel);
  if (err = replyText(amqp_get_rpc_reply(conn_)); !err.empty()) {
    reason = "open channel: " + err;
    return false;
  }
  // Declared only if missing (passive first), so that an existing exchange is used as it is and
  // a user without the configure permission can publish to one made for it.
  const amqp_bytes_t exchange = bytesOf(o.exchange);
  amqp_exchange_declare(conn_, kChannel, exchange, amqp_cstring_bytes("topic"), /*passive=*/1,
                        /*durable=*/1, /*auto_delete=*/0, /*internal=*/0, amqp_empty_table);
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(conn_);
  if (channelCloseCode(reply) == AMQP_NOT_FOUND) {
    // The failed passive declare closed the channel: acknowledge, reopen, declare for real.
    amqp_channel_close_ok_t close_ok{};
    if (const int rc = amqp_send_method(conn_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
        rc != AMQP_STATUS_OK) {
      reason = "declare exchange '" + o.exchange + "': " + statusText(rc);
      return false;
    }
    amqp_channel_open(conn_, kChannel);
    if (err = replyText(amqp_get_rpc_reply(conn_)); !err.empty()) {
      reason = "reopen channel: " + err;
      return false;
    }
    amqp_exchange_declare(conn_, kChannel, exchange, amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                          amqp_empty_table);
    reply = amqp_get_rpc_reply(conn_);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      spdlog::info("amqp transport: declared the durable topic exchange '{}' on {}", o.exchange,
                   o.display_url);
    }
  }
  if (err = replyText(reply); !err.empty()) {
    reason = "declare exchange '" + o.exchange + "': " + err;
    return false;
  }
  amqp_confirm_select(conn_, kChannel);
  if (err = replyText(amqp_get_rpc_reply(conn_)); !err.empty()) {
    reason = "enable publisher confirms: " + err;
    return false;
  }
  next_tag_ = 0;
  ++connections_;
  spdlog::info("amqp transport: connected to {} (exchange '{}')", o.display_url, o.exchange);
  return true;
}

bool AmqpTransport::stillOpen() {
  // Reads what arrived while idle (a closed socket, a close from the broker) and lets
  // librabbitmq answer heartbeats, without waiting.
  while (true) {
    amqp_frame_t frame;
    timeval zero{};
    const int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &zero);
    if (rc == AMQP_STATUS_TIMEOUT) return true;
    if (rc != AMQP_STATUS_OK) return false;
    if (frame.frame_type == AMQP_FRAME_METHOD &&
        (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
         frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)) {
      return false;
    }
  }
}

SendResult AmqpTransport::publish(const Batch& batch, Clock::time_point deadline,
                                  std::string& reason, bool& reusable) {
  reusable = false;
  const AmqpOptions& o = options_;
  amqp_basic_properties_t props{};
  props._flags =
      AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_APP_ID_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  props.app_id = amqp_cstring_bytes("homeostasisd");
  const amqp_bytes_t exchange = bytesOf(o.exchange);

  const uint64_t first = next_tag_ + 1;
  const size_t n = batch.records.size();
  std::string key;
  std::string service;
  for (size_t i = 0; i < n; ++i) {
    Level level = i < batch.levels.size() ? batch.levels[i] : Level::kError;
    if (i < batch.routes.size()) {
      key = o.routing_key->expand(batch.routes[i].service, level);
    } else {
      service.clear();
      recordServiceAndLevel(*json_, batch.records[i], service, level);
      key = o.routing_key->expand(service, level);
    }
    const int rc = amqp_basic_publish(conn_, kChannel, exchange, bytesOf(key), o.mandatory,
                                      /*immediate=*/0, &props, bytesOf(batch.records[i]));
    if (rc != AMQP_STATUS_OK) {
      reason = "publish: " + statusText(rc);
      return SendResult::kRetryable;
    }
    ++next_tag_;
  }

  // Confirms come in order of the delivery tags, one by one or `multiple` up to a tag.
  std::vector<bool> acked(n, false);
  size_t pending = n;
  uint64_t returned = 0;
  std::string returned_key;
  std::string blocked;
  auto ack = [&](uint64_t tag, bool multiple) {
    const uint64_t from = multiple ? first : std::max(tag, first);
    for (uint64_t t = from; t <= tag && t < first + n; ++t) {
      if (!acked[t - first]) {
        acked[t - first] = true;
        --pending;
      }
    }
  };
  while (pending > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      reason = "no confirm for " + std::to_string(pending) + " of " + std::to_string(n) +
               " messages within " + std::to_string(o.timeout.count()) + " ms" + blocked;
      return SendResult::kRetryable;
    }
    amqp_frame_t frame;
    const timeval tv = toTimeval(left);
    const int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &tv);
    if (rc == AMQP_STATUS_TIMEOUT) continue;
    if (rc != AMQP_STATUS_OK) {
      reason = "waiting for confirms: " + statusText(rc);
      return SendResult::kRetryable;
    }
    // Content frames of a returned message need nothing.
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    const amqp_method_t& method = frame.payload.method;
    switch (method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* m = static_cast<const amqp_basic_ack_t*>(method.decoded);
        ack(m->delivery_tag, m->multiple != 0);
        break;
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* m = static_cast<const amqp_basic_nack_t*>(method.decoded);
        reason = "the broker refused (nack) message " +
                 std::to_string(m->delivery_tag >= first ? m->delivery_tag - first : 0) + " of " +
                 std::to_string(n);
        return SendResult::kRetryable;
      }
      case AMQP_BASIC_RETURN_METHOD: {
        const auto* m = static_cast<const amqp_basic_return_t*>(method.decoded);
        if (returned++ == 0) {
          returned_key = bytesText(m->routing_key) + "' (" + std::to_string(m->reply_code) + " " +
                         bytesText(m->reply_text) + ")";
        }
        break;
      }
      case AMQP_CONNECTION_BLOCKED_METHOD: {
        const auto* m = static_cast<const amqp_connection_blocked_t*>(method.decoded);
        blocked = "; the broker blocked publishing: " + bytesText(m->reason);
        break;
      }
      case AMQP_CONNECTION_UNBLOCKED_METHOD:
        blocked.clear();
        break;
      case AMQP_CONNECTION_CLOSE_METHOD: {
        const auto* m = static_cast<const amqp_connection_close_t*>(method.decoded);
        reason = "the broker closed the connection: " + std::to_string(m->reply_code) + " " +
                 bytesText(m->reply_text);
        return SendResult::kRetryable;
      }
      case AMQP_CHANNEL_CLOSE_METHOD: {
        const auto* m = static_cast<const amqp_channel_close_t*>(method.decoded);
        reason = "the broker closed the channel: " + std::to_string(m->reply_code) + " " +
                 bytesText(m->reply_text);
        return SendResult::kRetryable;
      }
      default:
        break;
    }
  }
  if (returned > 0) {
    reason = std::to_string(returned) + " of " + std::to_string(n) +
             " messages were returned as unroutable (mandatory), first with routing key '" +
             returned_key;
    reusable = true;  // the broker answered everything: the channel is fine
    return SendResult::kRetryable;
  }
  reusable = true;
  return SendResult::kAccepted;
}

SendResult AmqpTransport::deliver(const Batch& batch, std::string& reason) {
  const auto deadline = Clock::now() + options_.timeout;
  if (conn_ != nullptr && !stillOpen()) {
    // Closed while idle (a broker restart, a missed heartbeat): a new one, not a failure.
    spdlog::debug("amqp transport: the connection to {} was closed while idle; reopening it",
                  options_.display_url);
    dropConnection();
  }
  SendResult result = SendResult::kRetryable;
  bool reusable = false;
  if (conn_ == nullptr) {
    if (connect(deadline, reason)) result = publish(batch, deadline, reason, reusable);
  } else {
    watchdog_->arm(amqp_get_sockfd(conn_), deadline);
    result = publish(batch, deadline, reason, reusable);
  }
  if (watchdog_->disarm()) {
    reusable = false;  // its socket was shut down
    if (result != SendResult::kAccepted) {
      reason =
          "timed out after " + std::to_string(options_.timeout.count()) + " ms (" + reason + ")";
    }
  }
  // After a failure the connection is closed (stale confirms must not reach the next attempt),
  // except when the broker answered every message and only refused to route some.
  if (reusable) {
    amqp_maybe_release_buffers(conn_);
  } else {
    dropConnection();
  }
  return result;
}

void AmqpTransport::close() {
  if (conn_ == nullptr) return;
  const timeval tv = toTimeval(kCloseTimeout);
  amqp_set_rpc_timeout(conn_, &tv);
  amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  dropConnection();
}

TransportFactory amqpTransportFactory() {
  return {
      "amqp",
      "publishes records to an AMQP 0-9-1 (RabbitMQ) topic exchange with publisher confirms "
      "(options: url, exchange, routing_key, mandatory, timeout_ms, heartbeat_s, ca_file)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        auto where = [&](std::string_view key) { return options.whereOf(key); };
        AmqpOptions o;
        bool url_ok = false;
        if (auto url = options.getString("url", diags, /*required=*/true)) {
          std::string error;
          if (auto parsed = parseAmqpUrl(*url, error)) {
            url_ok = true;
            o.url = std::move(*parsed);
            o.display_url = maskUrlPassword(*url);
          } else {
            diags.push_back({where("url"), "amqp transport: " + error});
          }
        }
        if (auto exchange = options.getString("exchange", diags)) {
          if (exchange->empty() || exchange->size() > kMaxShortString) {
            diags.push_back(
                {where("exchange"), "amqp transport: exchange must be a name of 1 to 255 bytes"});
          }
          o.exchange = std::move(*exchange);
        }
        std::string key_text = "errors.{service}.{level}";
        if (auto key = options.getString("routing_key", diags)) key_text = std::move(*key);
        std::string error;
        o.routing_key = RoutingKeyTemplate::compile(key_text, error);
        if (!o.routing_key) diags.push_back({where("routing_key"), "amqp transport: " + error});
        if (auto mandatory = options.getBool("mandatory", diags)) o.mandatory = *mandatory;
        if (auto timeout = options.getInt("timeout_ms", diags, 1, 600000)) {
          o.timeout = std::chrono::milliseconds(*timeout);
        }
        if (auto heartbeat = options.getInt("heartbeat_s", diags, 0, 3600)) {
          o.heartbeat_s = static_cast<int>(*heartbeat);
        }
        if (auto ca = options.getString("ca_file", diags)) {
          if (ca->empty() || ca->front() != '/') {
            diags.push_back({where("ca_file"), "amqp transport: ca_file must be an absolute path"});
          } else if (url_ok && !o.url.tls) {
            diags.push_back({where("ca_file"), "amqp transport: ca_file needs an amqps:// url"});
          }
          o.ca_file = std::move(*ca);
        }
        options.rejectUnknown(
            {"url", "exchange", "routing_key", "mandatory", "timeout_ms", "heartbeat_s", "ca_file"},
            "amqp transport", diags);
        if (diags.size() != errors) return nullptr;
        return std::make_unique<AmqpTransport>(ctx.executor, std::move(o));
      },
  };
}

}  // namespace homeo
