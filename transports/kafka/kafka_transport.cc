#include "transports/kafka/kafka_transport.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <set>

namespace homeo {

namespace {

// The loop's executor marked as having work while a send is pending, so that io_context::run()
// does not return while messages are on their way.
boost::asio::any_io_executor trackWork(const boost::asio::any_io_executor& loop) {
  return boost::asio::prefer(loop, boost::asio::execution::outstanding_work.tracked);
}

// Properties the transport sets itself; the `librdkafka` option may not name them.
const std::set<std::string, std::less<>> kOwnedProperties = {
    "bootstrap.servers",
    "metadata.broker.list",
    "acks",
    "request.required.acks",
    "enable.idempotence",
    "compression.codec",
    "compression.type",
    "client.id",
    "message.timeout.ms",
    "delivery.timeout.ms",
    "transactional.id",
};

// The option (or nothing) that sets an owned property, for the error message.
std::string_view ownerOption(std::string_view property) {
  if (property == "bootstrap.servers" || property == "metadata.broker.list") return "brokers";
  if (property == "compression.codec" || property == "compression.type") return "compression";
  if (property == "client.id") return "client_id";
  if (property == "message.timeout.ms" || property == "delivery.timeout.ms") return "timeout_ms";
  return {};
}

// False, with `error` set, for a property the transport sets itself.
bool allowedProperty(const std::string& property, std::string& error) {
  if (!kOwnedProperties.contains(property)) return true;
  const std::string_view option = ownerOption(property);
  error = "property '" + property + "' is set by the transport" +
          (option.empty() ? std::string() : ": use the option '" + std::string(option) + "'");
  return false;
}

bool setProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                 std::string& error) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) ==
      RD_KAFKA_CONF_OK) {
    return true;
  }
  error = errstr;
  return false;
}

void silentLog(const rd_kafka_t*, int, const char*, const char*) {}

// A Kafka topic name: 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
bool validTopic(std::string_view topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
  for (char c : topic) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string errorText(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + ": " + rd_kafka_err2str(err);
}

}  // namespace

rd_kafka_conf_t* makeKafkaConf(const KafkaOptions& options, std::string& error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::pair<std::string, std::string> own[] = {
      {"bootstrap.servers", options.brokers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"compression.codec", options.compression},
      {"client.id", options.client_id},
      {"message.timeout.ms", std::to_string(options.timeout.count())},
  };
  for (const auto& [name, value] : own) {
    if (!setProperty(conf, name, value, error)) {
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  for (const auto& [name, value] : options.librdkafka) {
    if (!allowedProperty(name, error) || !setProperty(conf, name, value, error)) {
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  return conf;
}

SendResult classifyKafkaError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return SendResult::kAccepted;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return SendResult::kPermanent;
    default:
      // Timeouts, brokers down, leader changes, a full queue, purged messages, a fatal
      // idempotence error (the producer is replaced): sending again can succeed.
      return SendResult::kRetryable;
  }
}

// One batch on its way: how many of its messages still wait for a delivery report, and the
// worst result so far.
struct KafkaTransport::InFlight {
  SendDone done;
  boost::asio::any_io_executor work;
  size_t outstanding = 0;
  SendResult result = SendResult::kAccepted;
  std::string reason;
  size_t failed = 0;
  std::list<std::shared_ptr<InFlight>>::iterator self;

  // Keeps the worst result: permanent over retryable over accepted.
  void fail(SendResult r, std::string why) {
    ++failed;
    if (r == SendResult::kPermanent && result != SendResult::kPermanent) {
      result = r;
      reason = std::move(why);
    } else if (r == SendResult::kRetryable && result == SendResult::kAccepted) {
      result = r;
      reason = std::move(why);
    }
  }
};

// What the librdkafka threads (poll thread, log and error callbacks) share with the transport.
struct KafkaTransport::Shared : std::enable_shared_from_this<Shared> {
  struct Completion {
    SendDone done;
    SendResult result;
    std::string reason;
    boost::asio::any_io_executor work;
  };

  explicit Shared(boost::asio::any_io_executor loop) : loop(std::move(loop)) {}

  // With `mutex` held: the batch has every delivery report; queue its completion for the loop.
  void finishLocked(InFlight& flight) {
    std::string reason = std::move(flight.reason);
    if (flight.failed > 1) reason += " (" + std::to_string(flight.failed) + " messages failed)";
    completions.push_back(
        {std::move(flight.done), flight.result, std::move(reason), std::move(flight.work)});
    in_flight.erase(flight.self);  // destroys `flight`
    if (!completion_posted) {
      completion_posted = true;
      boost::asio::post(loop, [self = shared_from_this()] { complete(self); });
    }
  }

  // librdkafka's log lines and errors, at most one every kLogEvery, with a count of the rest.
  void log(spdlog::level::level_enum level, std::string_view what) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    int64_t last = last_log_ms.load();
    if (last != 0 && now - last < kLogEvery.count()) {
      ++unlogged;
      return;
    }
    if (!last_log_ms.compare_exchange_strong(last, now)) {
      ++unlogged;
      return;
    }
    const uint64_t skipped = unlogged.exchange(0);
    if (skipped > 0) {
      spdlog::log(level, "kafka transport: {} ({} more not logged)", what, skipped);
    } else {
      spdlog::log(level, "kafka transport: {}", what);
    }
  }

  static constexpr std::chrono::milliseconds kLogEvery{5000};

  boost::asio::any_io_executor loop;
  std::mutex mutex;
  std::list<std::shared_ptr<InFlight>> in_flight;  // by `mutex`
  std::vector<Completion> completions;             // by `mutex`: waiting for the loop
  bool completion_posted = false;                  // by `mutex`
  std::atomic<bool> polling{false};
  std::atomic<bool> fatal{false};  // the producer raised a fatal error: replace it
  std::atomic<int64_t> last_log_ms{0};
  std::atomic<uint64_t> unlogged{0};
};

void KafkaTransport::complete(const std::shared_ptr<Shared>& shared) {
  std::vector<Shared::Completion> completions;
  {
    std::lock_guard lock(shared->mutex);
    completions.swap(shared->completions);
    shared->completion_posted = false;
  }
  for (auto& c : completions) c.done(c.result, std::move(c.reason));
}

void KafkaTransport::onDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* shared = static_cast<Shared*>(opaque);
  auto* flight = static_cast<InFlight*>(message->_private);
  std::lock_guard lock(shared->mutex);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    flight->fail(classifyKafkaError(message->err), errorText(message->err));
  }
  if (--flight->outstanding == 0) shared->finishLocked(*flight);
}

KafkaTransport::KafkaTransport(boost::asio::any_io_executor loop, KafkaOptions options)
    : loop_(std::move(loop)),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>(loop_)),
      keys_(std::make_unique<RecordKeyReader>()) {}

KafkaTransport::~KafkaTransport() { stop(); }

bool KafkaTransport::ensureProducer(std::string& reason) {
  if (rk_ != nullptr && shared_->fatal.load()) {
    // An idempotent producer that raised a fatal error refuses every message: start afresh.
    spdlog::warn("kafka transport: replacing the producer after a fatal error");
    destroyProducer(std::chrono::milliseconds(0));
    shared_->fatal = false;
  }
  if (rk_ != nullptr) return true;
  rd_kafka_conf_t* conf = makeKafkaConf(options_, reason);
  if (conf == nullptr) return false;
  rd_kafka_conf_set_opaque(conf, shared_.get());
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaTransport::onDelivery);
  rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t* rk, int level, const char* facility, const char* text) {
        auto* shared = static_cast<Shared*>(rd_kafka_opaque(rk));
        // Errors (syslog level 3: connection failures and the like) reach the error callback
        // too; warnings (configuration) and worse are logged here, the rest at debug level.
        if (level == 3 || level > 4) {
          spdlog::debug("kafka transport: librdkafka {}: {}", facility, text);
          return;
        }
        shared->log(level < 3 ? spdlog::level::err : spdlog::level::warn,
                    std::string("librdkafka ") + facility + ": " + text);
      });
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int err, const char* text, void* opaque) {
    auto* shared = static_cast<Shared*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char errstr[512];
      const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, errstr, sizeof errstr);
      spdlog::error("kafka transport: fatal producer error {}: {}", rd_kafka_err2name(cause),
                    errstr);
      shared->fatal = true;
      return;
    }
    shared->log(
        spdlog::level::warn,
        std::string(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))) + ": " + text);
  });
  char errstr[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    reason = std::string("creating the producer: ") + errstr;
    return false;
  }
  rkt_ = rd_kafka_topic_new(rk_, options_.topic.c_str(), nullptr);
  if (rkt_ == nullptr) {
    reason = "topic " + options_.topic + ": " + errorText(rd_kafka_last_error());
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
    return false;
  }
  shared_->polling = true;
  poller_ = std::thread([rk = rk_, shared = shared_] {
    while (shared->polling.load()) rd_kafka_poll(rk, 100);
  });
  return true;
}

void KafkaTransport::destroyProducer(std::chrono::milliseconds flush_timeout) {
  if (rk_ == nullptr) return;
  shared_->polling = false;
  if (poller_.joinable()) poller_.join();
  // From here delivery reports are served on this thread, by flush.
  if (flush_timeout.count() > 0) rd_kafka_flush(rk_, static_cast<int>(flush_timeout.count()));
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(rk_, 1000);  // serves the purged messages' reports (retryable)
  rd_kafka_topic_destroy(rkt_);
  rkt_ = nullptr;
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
}

void KafkaTransport::send(std::shared_ptr<const Batch> batch, SendDone done) {
  std::string reason;
  if (stopped_) reason = "transport stopped";
  if (!stopped_ && !ensureProducer(reason)) shared_->log(spdlog::level::err, reason);
  if (!reason.empty()) {
    boost::asio::post(trackWork(loop_), [done = std::move(done), reason = std::move(reason)] {
      done(SendResult::kRetryable, reason);
    });
    return;
  }

  const size_t n = batch->records.size();
  InFlight* flight;
  {
    std::lock_guard lock(shared_->mutex);
    auto owned = std::make_shared<InFlight>();
    owned->done = std::move(done);
    owned->work = trackWork(loop_);
    // One count per message plus one held while producing, so that reports arriving meanwhile
    // cannot finish the batch early.
    owned->outstanding = n + 1;
    shared_->in_flight.push_front(owned);
    owned->self = shared_->in_flight.begin();
    flight = owned.get();
  }

  RecordKeys fields;
  for (size_t i = 0; i < n; ++i) {
    const std::string& record = batch->records[i];
    std::string_view key;
    switch (options_.key) {
      case KafkaOptions::Key::kFingerprint:
        if (keys_->read(record, fields)) key = fields.fingerprint;
        break;
      case KafkaOptions::Key::kService:
        if (i < batch->routes.size()) key = batch->routes[i].service;
        if (key.empty() && keys_->read(record, fields)) key = fields.service;
        break;
      case KafkaOptions::Key::kNone:
        break;
    }
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_RKT(rkt_), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<char*>(record.data()), record.size()),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_OPAQUE(flight), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Not enqueued: this message and the rest of the batch will have no report. A full queue
      // fails the batch (retryable) rather than waiting on the loop.
      if (err == RD_KAFKA_RESP_ERR__FATAL) shared_->fatal = true;
      std::lock_guard lock(shared_->mutex);
      flight->fail(classifyKafkaError(err), "produce: " + errorText(err));
      flight->outstanding -= n - i;
      break;
    }
  }

  std::lock_guard lock(shared_->mutex);
  if (--flight->outstanding == 0) shared_->finishLocked(*flight);
}

void KafkaTransport::stop() {
  if (stopped_) return;
  stopped_ = true;
  destroyProducer(kStopFlushTimeout);
  complete(shared_);
  // Every message had its report by now (flushed, purged or destroyed); anything left is
  // finished here all the same.
  std::list<std::shared_ptr<InFlight>> left;
  {
    std::lock_guard lock(shared_->mutex);
    left.swap(shared_->in_flight);
  }
  for (auto& flight : left) flight->done(SendResult::kRetryable, "transport stopped");
}

TransportFactory kafkaTransportFactory() {
  return {
      "kafka",
      "produces each record as a message to a Kafka topic (options: brokers, topic, key, "
      "compression, client_id, timeout_ms, librdkafka)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        auto where = [&](std::string_view key) { return options.whereOf(key); };
        KafkaOptions o;
        if (auto brokers = options.getStringList("brokers", diags)) {
          // A list, or one string of comma-separated host:port (librdkafka's own form).
          for (const auto& entry : *brokers) {
            for (size_t start = 0; start <= entry.size();) {
              const size_t comma = std::min(entry.find(',', start), entry.size());
              const std::string b = entry.substr(start, comma - start);
              if (b.empty() || b.find_first_of(" \t") != std::string::npos) {
                diags.push_back({where("brokers"), "kafka transport: bad broker '" + b + "'"});
              }
              if (!o.brokers.empty()) o.brokers += ',';
              o.brokers += b;
              start = comma + 1;
            }
          }
          if (brokers->empty()) {
            diags.push_back({where("brokers"), "kafka transport: brokers is empty"});
          }
        } else if (!options.has("brokers")) {
          diags.push_back({options.where(), "kafka transport: missing required key 'brokers'"});
        }
        if (auto topic = options.getString("topic", diags, /*required=*/true)) {
          if (!validTopic(*topic)) {
            diags.push_back({where("topic"),
                             "kafka transport: topic must be 1 to 249 of [a-zA-Z0-9._-], got '" +
                                 *topic + "'"});
          }
          o.topic = *topic;
        }
        if (auto key = options.getString("key", diags)) {
          if (*key == "fingerprint") {
            o.key = KafkaOptions::Key::kFingerprint;
          } else if (*key == "service") {
            o.key = KafkaOptions::Key::kService;
          } else if (*key == "none") {
            o.key = KafkaOptions::Key::kNone;
          } else {
            diags.push_back(
                {where("key"),
                 "kafka transport: key must be fingerprint, service or none, got '" + *key + "'"});
          }
        }
        if (auto compression = options.getString("compression", diags)) {
          if (*compression == "none" || *compression == "gzip" || *compression == "snappy" ||
              *compression == "lz4" || *compression == "zstd") {
            o.compression = *compression;
          } else {
            diags.push_back({where("compression"),
                             "kafka transport: compression must be none, gzip, snappy, lz4 or "
                             "zstd, got '" +
                                 *compression + "'"});
          }
        }
        if (auto client_id = options.getString("client_id", diags)) {
          if (client_id->empty()) {
            diags.push_back({where("client_id"), "kafka transport: client_id is empty"});
          }
          o.client_id = *client_id;
        }
        if (auto timeout = options.getInt("timeout_ms", diags, 1, 86400000)) {
          o.timeout = std::chrono::milliseconds(*timeout);
        }
        if (options.getStringMap("librdkafka", diags)) {
          // Each property on its own, at its own location, in written order.
          const config::OptionValue& map = *options.find("librdkafka");
          rd_kafka_conf_t* scratch = rd_kafka_conf_new();
          for (const auto& [name, value] : map.entries) {
            std::string error;
            if (!allowedProperty(name, error) || !setProperty(scratch, name, value.scalar, error)) {
              diags.push_back({value.where, "kafka transport: librdkafka: " + error});
            }
            o.librdkafka.emplace_back(name, value.scalar);
          }
          rd_kafka_conf_destroy(scratch);
        }
        options.rejectUnknown(
            {"brokers", "topic", "key", "compression", "client_id", "timeout_ms", "librdkafka"},
            "kafka transport", diags);
        if (diags.size() != errors) return nullptr;

        // librdkafka checks each property as it is set, and the combinations when a client is
        // made: make one without brokers (so it contacts nobody) and throw it away.
        std::string error;
        KafkaOptions offline = o;
        offline.brokers.clear();
        rd_kafka_conf_t* conf = makeKafkaConf(offline, error);
        if (conf != nullptr) {
          rd_kafka_conf_set_log_cb(conf, &silentLog);
          char errstr[512];
          if (rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr)) {
            rd_kafka_destroy(rk);
          } else {
            rd_kafka_conf_destroy(conf);
            error = errstr;
          }
        }
        if (!error.empty()) {
          diags.push_back({where("librdkafka"), "kafka transport: " + error});
          return nullptr;
        }
        return std::make_unique<KafkaTransport>(ctx.executor, std::move(o));
      },
  };
}

}  // namespace homeo
