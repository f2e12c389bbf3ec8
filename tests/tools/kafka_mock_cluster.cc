// A librdkafka mock Kafka cluster in a process of its own, for integration tests: the daemon
// under test reaches it over loopback like a real cluster.
//
//   kafka_mock_cluster [BROKERS]     (default 3 brokers)
//
// Prints `bootstraps HOST:PORT,...` once the cluster listens, then reads commands from stdin,
// one per line, and answers each with one line, `ok ...` or `error ...`:
//   topic NAME PARTITIONS     create a topic (replication factor min(3, BROKERS))
//   down ID | up ID           take broker ID (1..BROKERS, or -1 for all) down or up
//   count TOPIC               ok N: messages in the topic (sum of high watermarks)
//   dump TOPIC FILE           write every message as `partition<TAB>offset<TAB>key<TAB>value`
//                             lines to FILE (partition then offset order); ok N
//   quit                      (or end of input) destroy the cluster and exit
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/tools/kafka_topic_reader.h"

namespace {

void silentLog(const rd_kafka_t*, int, const char*, const char*) {}

std::string command(rd_kafka_mock_cluster_t* cluster, const std::string& bootstraps, int brokers,
                    const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "topic") {
    std::string name;
    int partitions = 0;
    if (!(in >> name >> partitions) || partitions < 1) return "error usage: topic NAME PARTITIONS";
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, std::min(3, brokers));
    return err ? std::string("error ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb == "down" || verb == "up") {
    int id = 0;
    if (!(in >> id)) return "error usage: " + verb + " ID";
    const rd_kafka_resp_err_t err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, id)
                                                   : rd_kafka_mock_broker_set_up(cluster, id);
    return err ? std::string("error ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb == "count" || verb == "dump") {
    std::string topic, file;
    if (!(in >> topic) || (verb == "dump" && !(in >> file))) {
      return "error usage: count TOPIC | dump TOPIC FILE";
    }
    std::vector<homeo::testing::KafkaMessage> messages;
    std::string error;
    if (!homeo::testing::readKafkaTopic(bootstraps, topic, messages, error)) {
      return "error " + error;
    }
    if (verb == "dump") {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      for (const auto& m : messages) {
        out << m.partition << '\t' << m.offset << '\t' << m.key << '\t' << m.value << '\n';
      }
      out.close();
      if (!out) return "error writing " + file;
    }
    return "ok " + std::to_string(messages.size());
  }
  return "error unknown command '" + verb + "'";
}

}  // namespace

int main(int argc, char** argv) {
  const int brokers = argc > 1 ? std::atoi(argv[1]) : 3;
  if (brokers < 1) {
    std::cerr << "usage: kafka_mock_cluster [BROKERS]\n";
    return 64;
  }
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, &silentLog);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    std::cerr << "kafka_mock_cluster: " << errstr << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::cerr << "kafka_mock_cluster: could not create the mock cluster\n";
    rd_kafka_destroy(rk);
    return 1;
  }
  const std::string bootstraps = rd_kafka_mock_cluster_bootstraps(cluster);
  std::cout << "bootstraps " << bootstraps << std::endl;

  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    if (line == "quit") break;
    std::cout << command(cluster, bootstraps, brokers, line) << std::endl;
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
