#include "daemon/setup.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

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
}

std::unique_ptr<RecordPipeline> makeRecordPipeline(const Registries& reg) {
  std::vector<std::unique_ptr<ContextProvider>> providers;
  std::vector<config::Diagnostic> diags;
  if (const auto* host = reg.contexts.find("host")) {
    providers.push_back(host->create(config::OptionMap(), diags));
  }
  return std::make_unique<RecordPipeline>(std::move(providers), Scrubber::createDefault());
}

void applyTimezone(const config::Config& cfg) {
  if (cfg.timezone.empty()) return;
  const std::string tz = cfg.timezone == "UTC" ? "UTC0" : cfg.timezone;
  setenv("TZ", tz.c_str(), 1);
  tzset();
}

void printDiagnostics(const std::vector<config::Diagnostic>& diags) {
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", d.str().c_str());
}

uint64_t fileKey(uint64_t dev, uint64_t ino) { return mix64(dev * 0x9E3779B97F4A7C15ull ^ ino); }

}  // namespace homeo
