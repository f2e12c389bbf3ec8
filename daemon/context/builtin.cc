// The one place where built-in context providers are registered.
#include "daemon/context/context_provider.h"

namespace homeo {

std::unique_ptr<ContextProvider> makeHostProvider();

void ContextRegistry::add(ContextProviderFactory factory) {
  factories_.push_back(std::move(factory));
}

const ContextProviderFactory* ContextRegistry::find(std::string_view name) const {
  for (const auto& f : factories_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void registerBuiltinContextProviders(ContextRegistry& registry) {
  registry.add({"host", "hostname, OS, platform and architecture in system_info",
                [](const config::OptionMap& options, std::vector<config::Diagnostic>& diags) {
                  options.rejectUnknown({}, "context provider 'host'", diags);
                  return makeHostProvider();
                }});
}

}  // namespace homeo
