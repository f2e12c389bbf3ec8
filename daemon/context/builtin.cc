// The one place where built-in context providers are registered.
#include <algorithm>
#include <map>

#include "daemon/context/context_provider.h"
#include "daemon/context/system_metrics_provider.h"
#include "tail/path_glob.h"

namespace homeo {

std::unique_ptr<ContextProvider> makeHostProvider();
std::unique_ptr<ContextProvider> makeLabelsProvider(std::map<std::string, std::string> labels,
                                                    std::vector<config::InputConfig> inputs);
std::unique_ptr<ContextProvider> makeEnvironmentProvider(const std::vector<std::string>& allow);
std::unique_ptr<ContextProvider> makeFileProvider();

void ContextRegistry::add(ContextProviderFactory factory) {
  factories_.push_back(std::move(factory));
}

const ContextProviderFactory* ContextRegistry::find(std::string_view name) const {
  for (const auto& f : factories_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

namespace {

using Diags = std::vector<config::Diagnostic>;

constexpr int64_t kMinIntervalMs = 10;
constexpr int64_t kMaxIntervalMs = 3600000;

std::chrono::milliseconds intervalOf(const config::OptionMap& o, Diags& d) {
  return std::chrono::milliseconds(
      o.getInt("interval_ms", d, kMinIntervalMs, kMaxIntervalMs).value_or(10000));
}

std::string procRootOf(const config::OptionMap& o, Diags& d) {
  return o.getString("proc_root", d).value_or("/proc");
}

}  // namespace

void registerBuiltinContextProviders(ContextRegistry& registry) {
  registry.add({"host",
                "hostname, OS, kernel, platform, architecture, processor, machine and boot id in "
                "system_info",
                [](const ContextProviderEnv&, const config::OptionMap& options, Diags& diags) {
                  options.rejectUnknown({}, "context provider 'host'", diags);
                  return makeHostProvider();
                }});
  registry.add({"labels", "static key/values in context.labels (inputs may add their own)",
                [](const ContextProviderEnv& env, const config::OptionMap& options,
                   Diags& diags) -> std::unique_ptr<ContextProvider> {
                  options.rejectUnknown({"labels"}, "context provider 'labels'", diags);
                  auto labels = options.getStringMap("labels", diags);
                  return makeLabelsProvider(labels.value_or(std::map<std::string, std::string>{}),
                                            env.inputs);
                }});
  registry.add({"environment",
                "an allowlist of environment variables in system_info.environment_variables",
                [](const ContextProviderEnv&, const config::OptionMap& options,
                   Diags& diags) -> std::unique_ptr<ContextProvider> {
                  options.rejectUnknown({"allow"}, "context provider 'environment'", diags);
                  if (!options.has("allow")) {
                    diags.push_back({options.where(),
                                     "missing required key 'allow' in provider 'environment'"});
                  }
                  auto allow = options.getStringList("allow", diags);
                  return makeEnvironmentProvider(allow.value_or(std::vector<std::string>{}));
                }});
  registry.add({"file", "path, offset and inode of the record's log file in context.file",
                [](const ContextProviderEnv&, const config::OptionMap& options, Diags& diags) {
                  options.rejectUnknown({}, "context provider 'file'", diags);
                  return makeFileProvider();
                }});
  registry.add({"system_metrics",
                "CPU, load, memory and log filesystem usage in context.system_metrics, sampled "
                "every interval_ms",
                [](const ContextProviderEnv& env, const config::OptionMap& options,
                   Diags& diags) -> std::unique_ptr<ContextProvider> {
                  options.rejectUnknown({"interval_ms", "proc_root"},
                                        "context provider 'system_metrics'", diags);
                  SystemMetricsProvider::Options o;
                  o.interval = intervalOf(options, diags);
                  o.proc_root = procRootOf(options, diags);
                  o.timeout = env.timeout;
                  for (const auto& in : env.inputs) {
                    for (auto& dir : watchDirectories(in.paths)) o.dirs.push_back(std::move(dir));
                  }
                  for (const auto& p : env.log_paths) {
                    const size_t slash = p.rfind('/');
                    if (slash == std::string::npos) continue;
                    o.dirs.push_back(slash == 0 ? "/" : p.substr(0, slash));
                  }
                  std::sort(o.dirs.begin(), o.dirs.end());
                  o.dirs.erase(std::unique(o.dirs.begin(), o.dirs.end()), o.dirs.end());
                  return std::make_unique<SystemMetricsProvider>(std::move(o));
                }});
  registry.add(
      {"process",
       "RSS, threads, open files, uptime and restarts of a process (pid_file or "
       "systemd unit) in context.process",
       [](const ContextProviderEnv& env, const config::OptionMap& options,
          Diags& diags) -> std::unique_ptr<ContextProvider> {
         options.rejectUnknown({"pid_file", "unit", "interval_ms", "proc_root"},
                               "context provider 'process'", diags);
         ProcessProvider::Options o;
         o.pid_file = options.getString("pid_file", diags).value_or("");
         o.unit = options.getString("unit", diags).value_or("");
         if (o.pid_file.empty() == o.unit.empty()) {
           diags.push_back(
               {options.where(), "provider 'process' needs exactly one of 'pid_file' or 'unit'"});
         }
         if (!o.unit.empty() && o.unit.find('/') != std::string::npos) {
           diags.push_back({options.where(), "unit '" + o.unit + "' must be a unit name"});
         }
         o.interval = intervalOf(options, diags);
         o.proc_root = procRootOf(options, diags);
         o.timeout = env.timeout;
         return std::make_unique<ProcessProvider>(std::move(o));
       }});
}

}  // namespace homeo
