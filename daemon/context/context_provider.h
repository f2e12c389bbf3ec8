#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "config/config.h"

namespace homeo {

// Adds context to records (system_info, context.<name>). apply() runs on the event loop for
// every record, so a provider computes what it knows ahead of time (once at construction, or
// on its own sampling thread) and apply() only copies it in; it never blocks. A provider
// whose data is missing, failed or late adds context.context_error_<name> instead.
class ContextProvider {
 public:
  virtual ~ContextProvider() = default;
  virtual std::string_view name() const = 0;
  // Starts background sampling: on an interval for the daemon (`periodic`), a single sample
  // for the one-shot `parse` command. Returns at once.
  virtual void start(bool periodic) { (void)periodic; }
  // Waits for the first sample, at most until `deadline` (so a hung provider delays start-up
  // by its timeout at most, and records not at all).
  virtual void waitReady(std::chrono::steady_clock::time_point deadline) { (void)deadline; }
  virtual void apply(ErrorRecord& record) = 0;
};

// What a factory knows beyond its options.
struct ContextProviderEnv {
  // Data older than this (a sample still running) or a failed sample gives
  // context.context_error_<name>.
  std::chrono::milliseconds timeout{50};
  // The inputs, for providers that need the log files (labels per input, filesystems).
  std::vector<config::InputConfig> inputs;
  // Extra files or directories whose filesystems system_metrics reports (`parse` arguments).
  std::vector<std::string> log_paths;
};

struct ContextProviderFactory {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<ContextProvider>(const ContextProviderEnv& env,
                                                 const config::OptionMap& options,
                                                 std::vector<config::Diagnostic>& diags)>
      create;
};

class ContextRegistry {
 public:
  void add(ContextProviderFactory factory);
  const ContextProviderFactory* find(std::string_view name) const;
  const std::vector<ContextProviderFactory>& all() const { return factories_; }

 private:
  std::vector<ContextProviderFactory> factories_;
};

// daemon/context/builtin.cc: the one place to add a context provider.
void registerBuiltinContextProviders(ContextRegistry& registry);

// Host facts read once: hostname, OS, kernel, architecture, machine and boot id.
struct HostFacts {
  std::string hostname;
  std::string os_name;
  std::string release;
  std::string architecture;
  std::string platform;
  std::string machine_id;
  std::string boot_id;
  static HostFacts read();
};

// Adds context.context_error_<name> = reason.
void addContextError(ErrorRecord& r, std::string_view provider, std::string_view reason);

}  // namespace homeo
