#include "transports/kafka/kafka_transport.h"

#include <librdkafka/rdkafka_mock.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/tools/kafka_topic_reader.h"
#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

using namespace std::chrono_literals;
using testing::KafkaMessage;
using testing::makeTransportConfig;
using testing::runUntil;

constexpr const char* kTopic = "homeo-errors";

// A mock cluster of three brokers, librdkafka's, on loopback, with kTopic in 4 partitions.
class MockCluster {
 public:
  MockCluster() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    char errstr[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(rk_ != nullptr);
    cluster_ = rd_kafka_mock_cluster_new(rk_, 3);
    REQUIRE(cluster_ != nullptr);
    REQUIRE(rd_kafka_mock_topic_create(cluster_, kTopic, 4, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() { return cluster_; }

  std::vector<KafkaMessage> read() const {
    std::vector<KafkaMessage> out;
    std::string error;
    const bool ok = testing::readKafkaTopic(bootstraps(), kTopic, out, error);
    INFO(error);
    REQUIRE(ok);
    return out;
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

std::string record(const std::string& service, const std::string& fingerprint, int n) {
  return R"({"service":")" + service + R"(","message":"KeyError: n=)" + std::to_string(n) +
         R"(","context":{"fingerprint":"not-this-one"},"metadata":{"format":"json",)" +
         R"("fingerprint":")" + fingerprint + R"("}})";
}

// `key: value` mappings nested under `key` (for the librdkafka option).
config::TransportConfig withMap(config::TransportConfig cfg, const std::string& key,
                                const std::vector<std::pair<std::string, std::string>>& entries) {
  config::OptionValue value = testing::makeOptions(entries).value();
  value.where = {"test.yaml", 20, 7};
  config::OptionValue map = cfg.options.value();
  map.entries.emplace_back(key, std::move(value));
  map.key_locations.push_back({"test.yaml", 20, 5});
  cfg.options = config::OptionMap(std::move(map));
  return cfg;
}

struct Built {
  std::unique_ptr<Transport> transport;
  std::vector<config::Diagnostic> diags;
  std::string messages() const {
    std::string out;
    for (const auto& d : diags) out += d.str() + "\n";
    return out;
  }
};

Built build(boost::asio::io_context& io, const config::TransportConfig& cfg) {
  Built b;
  b.transport = kafkaTransportFactory().create({io.get_executor(), "/tmp"}, cfg, b.diags);
  return b;
}

// Sends `batch` and runs the loop until its completion (or `limit`).
std::optional<std::pair<SendResult, std::string>> sendAndWait(
    boost::asio::io_context& io, Transport& t, std::shared_ptr<const Batch> batch,
    std::chrono::milliseconds limit = 10s) {
  std::optional<std::pair<SendResult, std::string>> result;
  t.send(std::move(batch),
         [&](SendResult r, std::string reason) { result.emplace(r, std::move(reason)); });
  runUntil(
      io, [&] { return result.has_value(); }, limit);
  return result;
}

TEST_CASE("kafka factory: options are validated without contacting a broker",
          "[transports][kafka]") {
  boost::asio::io_context io;
  // Nothing listens on port 1: building must not need a broker.
  auto ok =
      build(io, withMap(makeTransportConfig("kafka", {{"brokers", "127.0.0.1:1"},
                                                      {"topic", kTopic},
                                                      {"key", "service"},
                                                      {"compression", "zstd"},
                                                      {"client_id", "web-1"},
                                                      {"timeout_ms", "5000"}}),
                        "librdkafka", {{"linger.ms", "20"}, {"socket.keepalive.enable", "true"}}));
  INFO(ok.messages());
  REQUIRE(ok.transport);
  auto& kafka = dynamic_cast<KafkaTransport&>(*ok.transport);
  CHECK(kafka.type() == "kafka");
  CHECK(kafka.maxInFlight() == 1);
  CHECK(kafka.options().brokers == "127.0.0.1:1");
  CHECK(kafka.options().key == KafkaOptions::Key::kService);
  CHECK(kafka.options().compression == "zstd");
  CHECK(kafka.options().timeout == 5000ms);
  CHECK(kafka.options().librdkafka.size() == 2);

  auto defaults = build(io, makeTransportConfig("kafka", {{"brokers", "b1:9092"}, {"topic", "t"}}));
  REQUIRE(defaults.transport);
  const auto& d = dynamic_cast<KafkaTransport&>(*defaults.transport).options();
  CHECK(d.key == KafkaOptions::Key::kFingerprint);
  CHECK(d.compression == "lz4");

  struct Bad {
    config::TransportConfig cfg;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {makeTransportConfig("kafka", {{"topic", "t"}}), "missing required key 'brokers'"},
      {makeTransportConfig("kafka", {{"brokers", "b:9092"}}), "topic"},
      {makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "a topic"}}),
       "topic must be"},
      {makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}, {"key", "level"}}),
       "key must be fingerprint, service or none"},
      {makeTransportConfig("kafka",
                           {{"brokers", "b:9092"}, {"topic", "t"}, {"compression", "brotli"}}),
       "compression must be"},
      {makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}, {"timeout_ms", "0"}}),
       "timeout_ms"},
      {makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}, {"acks", "1"}}),
       "unknown key 'acks'"},
      {withMap(makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}}), "librdkafka",
               {{"no.such.property", "1"}}),
       "No such configuration property"},
      {withMap(makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}}), "librdkafka",
               {{"linger.ms", "soon"}}),
       "Invalid value"},
      {withMap(makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}}), "librdkafka",
               {{"acks", "1"}}),
       "property 'acks' is set by the transport"},
      {withMap(makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}}), "librdkafka",
               {{"compression.codec", "gzip"}}),
       "use the option 'compression'"},
      // Accepted property by property, refused in combination (idempotence allows at most 5).
      {withMap(makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}}), "librdkafka",
               {{"max.in.flight.requests.per.connection", "10"}}),
       "max.in.flight"},
  };
  for (const auto& b : bad) {
    auto built = build(io, b.cfg);
    INFO(b.message << "\n" << built.messages());
    CHECK_FALSE(built.transport);
    REQUIRE_FALSE(built.diags.empty());
    CHECK(built.messages().find(b.message) != std::string::npos);
    CHECK(built.messages().find("test.yaml:") == 0);
  }
}

TEST_CASE("kafka factory: every bad librdkafka property is reported at its own line",
          "[transports][kafka]") {
  boost::asio::io_context io;
  auto built =
      build(io, withMap(makeTransportConfig("kafka", {{"brokers", "b:9092"}, {"topic", "t"}}),
                        "librdkafka", {{"linger.ms", "5"}, {"no.such", "1"}, {"client.id", "x"}}));
  INFO(built.messages());
  CHECK_FALSE(built.transport);
  REQUIRE(built.diags.size() == 2);
  CHECK(built.diags[0].str().rfind("test.yaml:4:", 0) == 0);
  CHECK(built.diags[0].message.find("no.such") != std::string::npos);
  CHECK(built.diags[1].str().rfind("test.yaml:5:", 0) == 0);
  CHECK(built.diags[1].message.find("use the option 'client_id'") != std::string::npos);
}

TEST_CASE("classifyKafkaError: retryable unless sending again cannot help", "[transports][kafka]") {
  CHECK(classifyKafkaError(RD_KAFKA_RESP_ERR_NO_ERROR) == SendResult::kAccepted);
  for (auto err : {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
                   RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL,
                   RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
                   RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR__FATAL,
                   RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT}) {
    INFO(rd_kafka_err2name(err));
    CHECK(classifyKafkaError(err) == SendResult::kRetryable);
  }
  for (auto err :
       {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR_INVALID_RECORD}) {
    INFO(rd_kafka_err2name(err));
    CHECK(classifyKafkaError(err) == SendResult::kPermanent);
  }
}

TEST_CASE("kafka: records are delivered keyed by fingerprint, one error in one partition",
          "[transports][kafka]") {
  MockCluster cluster;
  boost::asio::io_context io;
  auto built = build(io, makeTransportConfig("kafka", {{"brokers", cluster.bootstraps()},
                                                       {"topic", kTopic},
                                                       {"timeout_ms", "10000"}}));
  INFO(built.messages());
  REQUIRE(built.transport);

  std::vector<std::string> records;
  std::map<std::string, std::string> fingerprint_of;  // record -> fingerprint
  for (int i = 0; i < 200; ++i) {
    const std::string fp = "fp-" + std::to_string(i % 8);
    records.push_back(record("svc", fp, i));
    fingerprint_of[records.back()] = fp;
  }
  auto result = sendAndWait(io, *built.transport, testing::makeBatch(1, records));
  REQUIRE(result);
  INFO(result->second);
  CHECK(result->first == SendResult::kAccepted);
  built.transport->stop();

  const auto messages = cluster.read();
  REQUIRE(messages.size() == records.size());
  std::map<std::string, std::set<int32_t>> partitions_of;  // fingerprint -> partitions
  std::map<int32_t, std::vector<std::string>> by_partition;
  for (const auto& m : messages) {
    REQUIRE(fingerprint_of.contains(m.value));
    CHECK(m.key == fingerprint_of[m.value]);
    partitions_of[m.key].insert(m.partition);
    by_partition[m.partition].push_back(m.value);
  }
  CHECK(partitions_of.size() == 8);
  for (const auto& [fp, parts] : partitions_of) {
    INFO(fp);
    CHECK(parts.size() == 1);
  }
  CHECK(by_partition.size() > 1);  // eight keys spread over the four partitions
  // Within a partition, the batch's order.
  for (const auto& [p, values] : by_partition) {
    std::vector<std::string> expected;
    for (const auto& r : records) {
      if (partitions_of[fingerprint_of[r]].contains(p)) expected.push_back(r);
    }
    CHECK(values == expected);
  }
}

TEST_CASE("kafka: key by service (from the routes, else the record) or none",
          "[transports][kafka]") {
  MockCluster cluster;
  boost::asio::io_context io;
  auto by_service = build(io, makeTransportConfig("kafka", {{"brokers", cluster.bootstraps()},
                                                            {"topic", kTopic},
                                                            {"key", "service"},
                                                            {"compression", "gzip"}}));
  REQUIRE(by_service.transport);
  auto batch = std::make_shared<Batch>(
      *testing::makeBatch(1, {record("from-record", "f1", 1), record("from-record", "f2", 2)}));
  batch->routes = {{"from-route", {}}, {"", {}}};
  auto result = sendAndWait(io, *by_service.transport, batch);
  REQUIRE(result);
  CHECK(result->first == SendResult::kAccepted);
  by_service.transport->stop();

  auto unkeyed = build(io, makeTransportConfig("kafka", {{"brokers", cluster.bootstraps()},
                                                         {"topic", kTopic},
                                                         {"key", "none"},
                                                         {"compression", "none"}}));
  REQUIRE(unkeyed.transport);
  result = sendAndWait(io, *unkeyed.transport, testing::makeBatch(2, {record("s", "f3", 3)}));
  REQUIRE(result);
  CHECK(result->first == SendResult::kAccepted);
  unkeyed.transport->stop();

  std::map<std::string, std::string> key_of;  // message n -> key
  for (const auto& m : cluster.read()) {
    key_of[m.value.substr(m.value.find("n=") + 2, 1)] = m.key;
  }
  CHECK(key_of ==
        std::map<std::string, std::string>{{"1", "from-route"}, {"2", "from-record"}, {"3", ""}});
}

TEST_CASE("kafka: brokers down fail the batch as retryable; back up, it is accepted",
          "[transports][kafka]") {
  MockCluster cluster;
  boost::asio::io_context io;
  auto built = build(io, withMap(makeTransportConfig("kafka", {{"brokers", cluster.bootstraps()},
                                                               {"topic", kTopic},
                                                               {"timeout_ms", "1000"}}),
                                 "librdkafka", {{"reconnect.backoff.max.ms", "200"}}));
  REQUIRE(built.transport);

  // A first batch, so that the producer knows the cluster before it goes away.
  auto result = sendAndWait(io, *built.transport, testing::makeBatch(1, {record("s", "f", 0)}));
  REQUIRE(result);
  REQUIRE(result->first == SendResult::kAccepted);

  REQUIRE(rd_kafka_mock_broker_set_down(cluster.get(), -1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  const auto batch = testing::makeBatch(2, {record("s", "f", 1), record("s", "g", 2)});
  const auto started = std::chrono::steady_clock::now();
  result = sendAndWait(io, *built.transport, batch);
  REQUIRE(result);
  INFO(result->second);
  CHECK(result->first == SendResult::kRetryable);
  CHECK(result->second.find("MSG_TIMED_OUT") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < 5s);  // about timeout_ms

  REQUIRE(rd_kafka_mock_broker_set_up(cluster.get(), -1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  result = sendAndWait(io, *built.transport, batch, 20s);
  REQUIRE(result);
  INFO(result->second);
  CHECK(result->first == SendResult::kAccepted);
  built.transport->stop();

  std::multiset<std::string> values;
  for (const auto& m : cluster.read()) values.insert(m.value);
  CHECK(values.count(record("s", "f", 0)) == 1);
  CHECK(values.count(record("s", "f", 1)) >= 1);
  CHECK(values.count(record("s", "g", 2)) >= 1);
}

TEST_CASE("kafka: a full local queue fails the batch as retryable once the rest is delivered",
          "[transports][kafka]") {
  MockCluster cluster;
  boost::asio::io_context io;
  auto built = build(
      io,
      withMap(makeTransportConfig("kafka", {{"brokers", cluster.bootstraps()}, {"topic", kTopic}}),
              "librdkafka", {{"queue.buffering.max.messages", "5"}}));
  REQUIRE(built.transport);
  std::vector<std::string> records;
  for (int i = 0; i < 10; ++i) records.push_back(record("s", "f", i));
  auto result = sendAndWait(io, *built.transport, testing::makeBatch(1, records));
  REQUIRE(result);
  INFO(result->second);
  CHECK(result->first == SendResult::kRetryable);
  CHECK(result->second.find("_QUEUE_FULL") != std::string::npos);
  // The five that were queued were delivered before the batch finished.
  CHECK(cluster.read().size() == 5);

  records.resize(5);
  result = sendAndWait(io, *built.transport, testing::makeBatch(2, records));
  REQUIRE(result);
  CHECK(result->first == SendResult::kAccepted);
  built.transport->stop();
  CHECK(cluster.read().size() == 10);
}

TEST_CASE("kafka: a message too large fails the batch for good", "[transports][kafka]") {
  MockCluster cluster;
  boost::asio::io_context io;
  auto built = build(
      io,
      withMap(makeTransportConfig("kafka", {{"brokers", cluster.bootstraps()}, {"topic", kTopic}}),
              "librdkafka", {{"message.max.bytes", "1000"}}));
  REQUIRE(built.transport);
  const std::string large = record("s", "f", 1) + std::string(2000, ' ');
  auto result =
      sendAndWait(io, *built.transport, testing::makeBatch(1, {record("s", "f", 0), large}));
  REQUIRE(result);
  INFO(result->second);
  CHECK(result->first == SendResult::kPermanent);
  CHECK(result->second.find("MSG_SIZE_TOO_LARGE") != std::string::npos);
  built.transport->stop();
}

TEST_CASE("kafka: stop() finishes a pending send as retryable before it returns",
          "[transports][kafka]") {
  MockCluster cluster;
  REQUIRE(rd_kafka_mock_broker_set_down(cluster.get(), -1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  boost::asio::io_context io;
  auto built = build(io, makeTransportConfig("kafka", {{"brokers", cluster.bootstraps()},
                                                       {"topic", kTopic},
                                                       {"timeout_ms", "60000"}}));
  REQUIRE(built.transport);
  std::optional<SendResult> result;
  built.transport->send(testing::makeBatch(1, {record("s", "f", 1)}),
                        [&](SendResult r, std::string) { result = r; });
  testing::runReady(io);
  CHECK_FALSE(result);
  const auto started = std::chrono::steady_clock::now();
  built.transport->stop();
  CHECK(std::chrono::steady_clock::now() - started < KafkaTransport::kStopFlushTimeout + 3s);
  REQUIRE(result);
  CHECK(*result == SendResult::kRetryable);

  // After stop, sends fail at once.
  std::optional<SendResult> late;
  built.transport->send(testing::makeBatch(2, {record("s", "f", 2)}),
                        [&](SendResult r, std::string) { late = r; });
  REQUIRE(runUntil(io, [&] { return late.has_value(); }));
  CHECK(*late == SendResult::kRetryable);
}

}  // namespace
}  // namespace homeo
