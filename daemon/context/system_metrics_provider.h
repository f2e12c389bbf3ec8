#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "daemon/context/context_provider.h"
#include "daemon/context/sampler.h"

namespace homeo {

// context.system_metrics: CPU use, load averages, memory, and the disk usage of the
// filesystem holding the record's log file. Sampled from /proc/stat, /proc/loadavg,
// /proc/meminfo and statvfs on the provider's own thread every interval; apply() copies the
// last sample, so producing records never reads /proc.
class SystemMetricsProvider final : public ContextProvider {
 public:
  struct Options {
    std::string proc_root = "/proc";
    std::chrono::milliseconds interval{10000};
    std::chrono::milliseconds timeout{50};
    std::vector<std::string> dirs;  // directories of the log files (statvfs targets)
  };

  explicit SystemMetricsProvider(Options options);
  std::string_view name() const override { return "system_metrics"; }
  void start(bool periodic) override { sampler_.start(periodic); }
  void waitReady(std::chrono::steady_clock::time_point deadline) override {
    sampler_.waitReady(deadline);
  }
  void apply(ErrorRecord& record) override;

  // How many samples (each reading the three /proc files once) were taken so far.
  uint64_t samples() const { return shared_->samples.load(); }

  struct Disk {
    std::string dir;
    JsonObject usage;
  };
  struct Sample {
    JsonObject fields;
    std::vector<Disk> disks;
  };

 private:
  struct Shared {
    std::string proc_root;
    std::vector<std::string> dirs;
    uint64_t prev_total = 0;
    uint64_t prev_idle = 0;
    std::atomic<uint64_t> samples{0};
  };
  static bool sample(Shared& shared, Sample& out, std::string& error);

  std::shared_ptr<Shared> shared_;
  Sampler<Sample> sampler_;  // last member: its thread stops before the rest goes
};

// context.process: RSS, threads, open files, uptime and restarts of the process named by a
// pid file or a systemd unit (its cgroup), sampled on the provider's own thread.
class ProcessProvider final : public ContextProvider {
 public:
  struct Options {
    std::string proc_root = "/proc";
    std::string cgroup_root = "/sys/fs/cgroup";
    std::string pid_file;
    std::string unit;
    std::chrono::milliseconds interval{10000};
    std::chrono::milliseconds timeout{50};
  };

  explicit ProcessProvider(Options options);
  std::string_view name() const override { return "process"; }
  void start(bool periodic) override { sampler_.start(periodic); }
  void waitReady(std::chrono::steady_clock::time_point deadline) override {
    sampler_.waitReady(deadline);
  }
  void apply(ErrorRecord& record) override;

 private:
  struct Shared {
    Options options;
    long pid = 0;
    uint64_t restarts = 0;
  };
  static bool sample(Shared& shared, JsonObject& out, std::string& error);

  std::shared_ptr<Shared> shared_;
  Sampler<JsonObject> sampler_;
};

}  // namespace homeo
