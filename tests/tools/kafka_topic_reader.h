#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace homeo::testing {

// One message read back from a topic.
struct KafkaMessage {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
};

// Reads every message of `topic` (each partition from offset 0 up to its high watermark at the
// time of the call; a partition whose oldest messages were deleted is an error) from the cluster at
// `bootstraps`, in partition then offset order. On a problem returns false and sets `error`.
// Blocks: for tests and test tools only.
inline bool readKafkaTopic(const std::string& bootstraps, const std::string& topic,
                           std::vector<KafkaMessage>& out, std::string& error) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), errstr, sizeof errstr) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr) !=
          RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    error = errstr;
    return false;
  }
  std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> rk(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr), &rd_kafka_destroy);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    error = errstr;
    return false;
  }
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> rkt(
      rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, rkt.get(), &metadata, 10000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || metadata->topic_cnt != 1 ||
      metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = "metadata of " + topic + ": " +
            rd_kafka_err2str(err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : metadata->topics[0].err);
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    return false;
  }
  const int partitions = metadata->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(metadata);

  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    err = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, 10000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "watermarks of " + topic + "/" + std::to_string(p) + ": " + rd_kafka_err2str(err);
      return false;
    }
    if (low > 0) {
      // librdkafka's mock cluster keeps at most 5 MB (compressed) per partition.
      error = topic + "/" + std::to_string(p) + " starts at offset " + std::to_string(low) +
              ": the oldest messages were deleted";
      return false;
    }
    if (high <= low) continue;
    if (rd_kafka_consume_start(rkt.get(), p, RD_KAFKA_OFFSET_BEGINNING) != 0) {
      error = "consume_start: " + std::string(rd_kafka_err2str(rd_kafka_last_error()));
      return false;
    }
    int64_t next = low;
    int idle = 0;
    while (next < high && idle < 20) {
      rd_kafka_message_t* m = rd_kafka_consume(rkt.get(), p, 500);
      if (m == nullptr) {
        ++idle;
        continue;
      }
      idle = 0;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        out.push_back({p, m->offset,
                       std::string(static_cast<const char*>(m->key), m->key ? m->key_len : 0),
                       std::string(static_cast<const char*>(m->payload), m->len)});
        next = m->offset + 1;
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        error = "consume " + topic + "/" + std::to_string(p) + ": " + rd_kafka_err2str(m->err);
        rd_kafka_message_destroy(m);
        rd_kafka_consume_stop(rkt.get(), p);
        return false;
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(rkt.get(), p);
    if (next < high) {
      error = "consume " + topic + "/" + std::to_string(p) + ": stopped at offset " +
              std::to_string(next) + " of " + std::to_string(high);
      return false;
    }
  }
  return true;
}

}  // namespace homeo::testing
