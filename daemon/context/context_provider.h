#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "config/config.h"

namespace homeo {

// Adds context to records (system_info, context.<name>). apply() runs on the event loop for
// every record, so a provider computes what it knows ahead of time (once, or on a timer) and
// only copies it in here.
class ContextProvider {
 public:
  virtual ~ContextProvider() = default;
  virtual std::string_view name() const = 0;
  virtual void apply(ErrorRecord& record) = 0;
};

struct ContextProviderFactory {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<ContextProvider>(const config::OptionMap& options,
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

// Host facts read once: hostname, OS, kernel, architecture.
struct HostFacts {
  std::string hostname;
  std::string os_name;
  std::string release;
  std::string architecture;
  std::string platform;
  static HostFacts read();
};

}  // namespace homeo
