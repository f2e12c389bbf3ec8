#pragma once

#include <librdkafka/rdkafka.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "transports/record_keys.h"
#include "transports/transport.h"

namespace homeo {

struct KafkaOptions {
  // What a message's key is, and so which partition it goes to (librdkafka's default
  // partitioner hashes the key): records with equal keys land in one partition, in order.
  enum class Key {
    kFingerprint,  // metadata.fingerprint: every occurrence of one error in one partition
    kService,      // the record's service
    kNone,         // no key: partitions are picked at random
  };
  std::string brokers;  // bootstrap.servers
  std::string topic;
  Key key = Key::kFingerprint;
  std::string compression = "lz4";  // none|gzip|snappy|lz4|zstd
  std::string client_id = "homeostasisd";
  std::chrono::milliseconds timeout{30000};  // message.timeout.ms
  // Other librdkafka properties, set after the transport's own (which they may not name).
  std::vector<std::pair<std::string, std::string>> librdkafka;
};

// A producer configuration for `options` (acks=all, idempotence, compression, ...), or null with
// `error` set when librdkafka rejects a property. Contacts nobody.
rd_kafka_conf_t* makeKafkaConf(const KafkaOptions& options, std::string& error);

// How a message's delivery error finishes its batch: the error is permanent when sending the same
// message again cannot help (too large, unknown topic, not authorized, invalid record), retryable
// otherwise (timeouts, brokers down, queue full, purged).
SendResult classifyKafkaError(rd_kafka_resp_err_t err);

// Type "kafka": produces every record of a batch as one message (the record's JSON as value) to
// one topic, with librdkafka, and acknowledges the batch once every message has its delivery
// report: accepted when all were delivered (acks=all), else retryable or permanent (see
// classifyKafkaError()). The producer is idempotent, so librdkafka's own retries neither
// duplicate nor reorder messages within a partition; a batch the Dispatcher retries is sent
// whole again, so messages delivered by the failed attempt are duplicated (at-least-once).
//
// send() runs on the event loop and only enqueues (rd_kafka_producev copies; a full local queue
// fails the batch as retryable instead of waiting). A poll thread of the transport serves the
// delivery reports and posts completions back to the loop. The producer is created on the first
// send, so building the transport (as `check` does) contacts no broker. One batch at a time
// (maxInFlight() 1): a retried batch sent after a later one would reorder a partition.
class KafkaTransport final : public Transport {
 public:
  KafkaTransport(boost::asio::any_io_executor loop, KafkaOptions options);
  ~KafkaTransport() override;
  KafkaTransport(const KafkaTransport&) = delete;
  KafkaTransport& operator=(const KafkaTransport&) = delete;

  std::string_view type() const override { return "kafka"; }
  void send(std::shared_ptr<const Batch> batch, SendDone done) override;
  // Waits up to kStopFlushTimeout for messages still on their way, purges the rest (their
  // batches complete as retryable) and destroys the producer.
  void stop() override;

  const KafkaOptions& options() const { return options_; }

  static constexpr std::chrono::milliseconds kStopFlushTimeout{2000};

 private:
  struct Shared;
  struct InFlight;

  bool ensureProducer(std::string& reason);
  void destroyProducer(std::chrono::milliseconds flush_timeout);
  static void onDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void complete(const std::shared_ptr<Shared>& shared);

  boost::asio::any_io_executor loop_;
  const KafkaOptions options_;
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<RecordKeyReader> keys_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* rkt_ = nullptr;
  std::thread poller_;
  bool stopped_ = false;
};

TransportFactory kafkaTransportFactory();

}  // namespace homeo
