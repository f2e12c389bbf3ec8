#include "daemon/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace homeo {
namespace {

// sd-daemon(3) priority prefixes: journald reads "<3>text" as an error line.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    int prio = 6;
    switch (msg.level) {
      case spdlog::level::critical:
        prio = 2;
        break;
      case spdlog::level::err:
        prio = 3;
        break;
      case spdlog::level::warn:
        prio = 4;
        break;
      case spdlog::level::info:
        prio = 6;
        break;
      default:
        prio = 7;
    }
    std::fprintf(stderr, "<%d>%.*s\n", prio, static_cast<int>(msg.payload.size()),
                 msg.payload.data());
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void setupLogging() {
  std::shared_ptr<spdlog::logger> logger;
  if (const char* js = std::getenv("JOURNAL_STREAM"); js != nullptr && *js != '\0') {
    logger = std::make_shared<spdlog::logger>("homeostasisd", std::make_shared<JournalSink>());
  } else {
    logger = spdlog::stderr_logger_mt("homeostasisd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  spdlog::set_default_logger(logger);
}

}  // namespace homeo
