#include "daemon/setup.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>

#include "common/hash.h"

namespace homeo {

Registries Registries::builtin() {
  Registries r;
  registerBuiltinParsers(r.parsers);
  registerBuiltinTransports(r.transports);
  registerBuiltinContextProviders(r.contexts);
  return r;
}

void validateConfig(const config::Config& cfg, const Registries& reg,
                    std::vector<config::Diagnostic>& diags) {
  auto parsers = ParserSet::create(reg.parsers, cfg.parsers, diags);
  if (parsers) {
    for (const auto& in : cfg.inputs) {
      if (in.format != "auto" && !parsers->find(in.format)) {
        std::string known;
        for (const auto& n : parsers->names()) known += (known.empty() ? "" : ", ") + n;
        diags.push_back({in.format_where.line ? in.format_where : in.where,
                         "unknown format '" + in.format + "' (known: auto, " + known + ")"});
      }
    }
  }
  TransportContext ctx;
  ctx.state_dir = cfg.state_dir;
  for (const auto& t : cfg.transports) {
    const TransportFactory* f = reg.transports.find(t.type);
    if (!f) {
      std::string known;
      for (const auto& k : reg.transports.all()) known += (known.empty() ? "" : ", ") + k.type;
      diags.push_back({t.where, "unknown transport type '" + t.type + "' (known: " + known + ")"});
      continue;
    }
    auto transport = f->create(ctx, t, diags);
    (void)transport;
  }
  // Builds (without starting) the providers and the scrubber, to check their options.
  auto pipeline = makeRecordPipeline(cfg, reg, diags);
  (void)pipeline;
}

namespace {

// The HMAC key of `action: hash` rules, from a file (trailing newline dropped) or a variable.
bool readHashKey(const config::ScrubConfig& sc, std::string& key, std::string& error) {
  if (!sc.hash_key_env.empty()) {
    const char* v = std::getenv(sc.hash_key_env.c_str());
    key = v != nullptr ? v : "";
  } else if (!sc.hash_key_file.empty()) {
    std::ifstream in(sc.hash_key_file, std::ios::binary);
    if (!in) {
      error = "cannot read the hash key file " + sc.hash_key_file;
      return false;
    }
    key.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  } else {
    return true;
  }
  if (key.empty()) {
    error = "the hash key is empty";
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<RecordPipeline> makeRecordPipeline(const config::Config& cfg, const Registries& reg,
                                                   std::vector<config::Diagnostic>& diags,
                                                   const std::vector<std::string>& log_paths) {
  const size_t errors_before = diags.size();
  ContextProviderEnv env;
  env.timeout = std::chrono::milliseconds(cfg.context.timeout_ms);
  env.inputs = cfg.inputs;
  env.log_paths = log_paths;
  std::vector<std::unique_ptr<ContextProvider>> providers;
  bool has_labels = false;
  if (!cfg.context.configured) {
    if (const auto* host = reg.contexts.find("host")) {
      providers.push_back(host->create(env, config::OptionMap(), diags));
    }
  }
  for (const auto& pc : cfg.context.providers) {
    const ContextProviderFactory* f = reg.contexts.find(pc.type);
    if (!f) {
      std::string known;
      for (const auto& k : reg.contexts.all()) known += (known.empty() ? "" : ", ") + k.name;
      diags.push_back(
          {pc.where, "unknown context provider type '" + pc.type + "' (known: " + known + ")"});
      continue;
    }
    for (const auto& p : providers) {
      if (p->name() == pc.type) {
        diags.push_back({pc.where, "context provider '" + pc.type + "' is listed twice"});
      }
    }
    has_labels = has_labels || pc.type == "labels";
    if (auto p = f->create(env, pc.options, diags)) providers.push_back(std::move(p));
  }
  // Labels given only per input still need the labels provider.
  const bool input_labels = std::any_of(cfg.inputs.begin(), cfg.inputs.end(),
                                        [](const auto& in) { return !in.context_labels.empty(); });
  if (input_labels && !has_labels) {
    if (const auto* labels = reg.contexts.find("labels")) {
      providers.push_back(labels->create(env, config::OptionMap(), diags));
    }
  }

  std::unique_ptr<Scrubber> scrubber;
  const config::ScrubConfig& sc = cfg.scrub;
  if (sc.enabled) {
    std::string key, error;
    if (!readHashKey(sc, key, error)) {
      diags.push_back({sc.where, error});
    } else {
      std::vector<Scrubber::RuleSpec> custom;
      for (const auto& r : sc.rules) {
        const Scrubber::Action action =
            r.action == config::ScrubAction::kHash     ? Scrubber::Action::kHash
            : r.action == config::ScrubAction::kRemove ? Scrubber::Action::kRemove
                                                       : Scrubber::Action::kMask;
        custom.push_back({r.name, r.pattern, action});
      }
      // Unknown `disable` names are reported where they are written.
      const auto builtin = Scrubber::builtinRuleNames();
      std::vector<std::string> disable;
      for (size_t i = 0; i < sc.disable.size(); ++i) {
        if (std::find(builtin.begin(), builtin.end(), sc.disable[i]) == builtin.end()) {
          std::string known;
          for (auto n : builtin) known += (known.empty() ? "" : ", ") + std::string(n);
          diags.push_back(
              {i < sc.disable_where.size() ? sc.disable_where[i] : sc.where,
               "unknown built-in scrub rule '" + sc.disable[i] + "' (known: " + known + ")"});
        } else {
          disable.push_back(sc.disable[i]);
        }
      }
      for (const auto& r : sc.rules) {
        if (std::find(builtin.begin(), builtin.end(), r.name) != builtin.end()) {
          diags.push_back({r.where, "scrub rule '" + r.name + "' has the name of a built-in rule"});
        }
      }
      if (diags.size() == errors_before) {
        scrubber = Scrubber::create(disable, custom, std::move(key), &error);
        if (!scrubber) diags.push_back({sc.where, error});
      }
    }
  }
  if (diags.size() != errors_before) return nullptr;
  return std::make_unique<RecordPipeline>(std::move(providers), std::move(scrubber), env.timeout);
}

void applyTimezone(const config::Config& cfg) { setLocalZone(cfg.timezone); }

void printDiagnostics(const std::vector<config::Diagnostic>& diags) {
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", d.str().c_str());
}

std::optional<config::Config> loadValidConfig(const std::string& path, const Registries& reg) {
  config::LoadResult res = config::loadConfig(path);
  // One pass: what decoded despite errors is validated too, and everything is reported in the
  // order of the file.
  if (res.config) validateConfig(*res.config, reg, res.errors);
  if (res.decoded) validateConfig(*res.decoded, reg, res.errors);
  if (!res.errors.empty()) {
    config::sortDiagnostics(res.errors);
    printDiagnostics(res.errors);
    return std::nullopt;
  }
  return std::move(res.config);
}

uint64_t fileKey(uint64_t dev, uint64_t ino) { return mix64(dev * 0x9E3779B97F4A7C15ull ^ ino); }

}  // namespace homeo
