#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/context/context_provider.h"
#include "daemon/record_pipeline.h"
#include "parsers/parser.h"
#include "parsers/parser_set.h"
#include "transports/transport.h"

namespace homeo {

// Every extension the process knows, registered explicitly.
struct Registries {
  ParserRegistry parsers;
  TransportRegistry transports;
  ContextRegistry contexts;
  static Registries builtin();
};

// Checks what config/ cannot know: that input formats exist, that user formats compile and
// do not shadow built-ins, that each transport accepts its options. Appends diagnostics.
void validateConfig(const config::Config& cfg, const Registries& reg,
                    std::vector<config::Diagnostic>& diags);

// The context providers and scrubber every record goes through, as the config's `context:`
// and `scrub:` sections say (without them: the host provider, every built-in scrub rule).
// `log_paths` are files read outside the inputs (`parse` arguments). Returns nullptr and
// appends diagnostics when a provider's options or a scrub rule are invalid or the hash key
// cannot be read. Providers are not started (RecordPipeline::start).
std::unique_ptr<RecordPipeline> makeRecordPipeline(const config::Config& cfg, const Registries& reg,
                                                   std::vector<config::Diagnostic>& diags,
                                                   const std::vector<std::string>& log_paths = {});

// Sets the process time zone (TZ) from the config, for times written without a zone.
void applyTimezone(const config::Config& cfg);

// Prints diagnostics as FILE:LINE:COL: message, one per line, on stderr.
void printDiagnostics(const std::vector<config::Diagnostic>& diags);

// Loads and fully validates a config (validateConfig); prints the problems with
// printDiagnostics. nullopt when there are any.
std::optional<config::Config> loadValidConfig(const std::string& path, const Registries& reg);

// A stable id of a file: device and inode folded into one number.
uint64_t fileKey(uint64_t dev, uint64_t ino);

}  // namespace homeo
