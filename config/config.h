#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/in_app.h"
#include "common/level.h"

namespace homeo::config {

// Where a value was written, for FILE:LINE:COL messages (1-based line and column).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

struct Diagnostic {
  Location where;
  std::string message;
  // "FILE:LINE:COL: message"
  std::string str() const;
};

// Orders diagnostics as the file reads: by file, line and column, stably.
void sortDiagnostics(std::vector<Diagnostic>& diags);

// A configuration value as written, decoded from YAML into config's own tree so that nothing
// outside config/ touches YAML nodes. Extensions (transports, context providers) read their
// options from an OptionMap and report problems through Diagnostics with locations.
struct OptionValue {
  enum class Kind { kScalar, kSequence, kMap, kNull };
  // Declared so that clang with libstdc++ does not instantiate std::pair<std::string,
  // OptionValue> (in `entries`) while OptionValue is still incomplete.
  OptionValue() = default;
  Kind kind = Kind::kNull;
  Location where;
  std::string scalar;                                        // after ${ENV} substitution
  std::vector<OptionValue> items;                            // kSequence
  std::vector<std::pair<std::string, OptionValue>> entries;  // kMap, in written order
  std::vector<Location> key_locations;                       // kMap, location of each key
};

// A mapping of options with typed accessors. Each accessor returns nullopt when the key is
// absent, and records a diagnostic at the value's location (and returns nullopt) when the
// value has the wrong type; an explicit null (`key:`) is a wrong type, not an absent key.
// rejectUnknown() reports keys outside a known set.
class OptionMap {
 public:
  OptionMap() = default;
  explicit OptionMap(OptionValue map) : map_(std::move(map)) {}

  const Location& where() const { return map_.where; }
  bool has(std::string_view key) const;
  const OptionValue* find(std::string_view key) const;
  // Where `key`'s value stands, or where the map does when `key` is absent (for messages about
  // a value, or about a key that is missing).
  const Location& whereOf(std::string_view key) const;

  std::optional<std::string> getString(std::string_view key, std::vector<Diagnostic>& diags,
                                       bool required = false) const;
  std::optional<int64_t> getInt(std::string_view key, std::vector<Diagnostic>& diags, int64_t min,
                                int64_t max) const;
  std::optional<bool> getBool(std::string_view key, std::vector<Diagnostic>& diags) const;
  // A sequence of scalars; a single scalar is read as a list of one.
  std::optional<std::vector<std::string>> getStringList(std::string_view key,
                                                        std::vector<Diagnostic>& diags) const;
  std::optional<std::map<std::string, std::string>> getStringMap(
      std::string_view key, std::vector<Diagnostic>& diags) const;
  // A nested mapping, for options with sub-options.
  std::optional<OptionMap> getMap(std::string_view key, std::vector<Diagnostic>& diags) const;
  // Reports every key that is not in `known` as "unknown key 'x' in <what>".
  void rejectUnknown(std::initializer_list<std::string_view> known, std::string_view what,
                     std::vector<Diagnostic>& diags) const;

  const OptionValue& value() const { return map_; }

 private:
  OptionValue map_;
};

enum class ReadFrom { kBeginning, kEnd };

// One context provider: its type and the rest of its mapping, which the provider's factory
// validates (daemon/context/).
struct ContextProviderConfig {
  Location where;
  std::string type;
  OptionMap options;  // the mapping minus `type`
};

// The `context:` section, globally and per input.
struct ContextConfig {
  bool configured = false;  // false: the section is absent (defaults apply)
  std::vector<ContextProviderConfig> providers;
  // A provider whose data is older than this, or whose last sample failed, adds
  // context.context_error_<name> instead of blocking the record.
  uint32_t timeout_ms = 50;
};

enum class ScrubAction { kMask, kRemove, kHash };

// A user scrub rule: an RE2 pattern (validated at load); groups named `secret…` are what is
// replaced, else the whole match.
struct ScrubRuleConfig {
  Location where;
  std::string name;
  std::string pattern;
  ScrubAction action = ScrubAction::kMask;
};

// The `scrub:` section. Built-in rules all run unless named in `disable`.
struct ScrubConfig {
  bool enabled = true;
  std::vector<std::string> disable;
  std::vector<Location> disable_where;  // one per name, for "unknown rule" messages
  std::string hash_key_file;            // the HMAC key of action `hash` (file or variable)
  std::string hash_key_env;
  Location where;
  std::vector<ScrubRuleConfig> rules;
};

// What an input reads: files (`paths:`), or the systemd journal (`type: journald`).
enum class InputType { kFile, kJournald };

// Occurrences of one error (one fingerprint) beyond the first `limit` within a window of
// `window_ms` are not sent each: they are counted into one summary record per window.
struct ThrottleConfig {
  bool enabled = true;
  uint32_t window_ms = 60000;
  uint32_t limit = 5;
};

struct InputConfig {
  Location where;
  InputType type = InputType::kFile;
  // Labels added to this input's records (context.labels), over the global labels.
  std::map<std::string, std::string> context_labels;
  std::vector<std::string> paths;    // globs; at least one
  std::vector<std::string> exclude;  // globs matched against the file name and the full path
  std::string format = "auto";       // "auto", a built-in format or a user parser's name
  Location format_where;
  std::string service;  // resolved: the input's, else the top-level service
  // metadata.release and metadata.environment of the input's records (resolved: the input's,
  // else the top-level one; empty: none). A release or environment the line names wins.
  std::string release;
  std::string environment;
  // Which frames are the application's (resolved: the input's `in_app`, else the top-level
  // one; it replaces, not extends, the top-level rules).
  InAppRules in_app;
  ReadFrom read_from = ReadFrom::kEnd;
  std::vector<std::string> tags;
  std::optional<Level> min_level;  // overrides the top-level min_level
  ThrottleConfig throttle;         // resolved: the input's keys over the top-level throttle
  uint64_t ignore_older_ms = 0;    // files unmodified this long when found are skipped; 0: off
  // `watch: poll`: its directories are polled instead of watched with inotify (network file
  // systems, where inotify does not see writes made on other hosts).
  bool poll = false;
  // `type: journald`: the units whose entries are read (_SYSTEMD_UNIT or _SYSTEMD_USER_UNIT;
  // empty: every entry), and the directory of journal files to read (empty: the system
  // journal). `read_from` applies when the input has no stored cursor yet.
  std::vector<std::string> units;
  std::string directory;
};

// A user-defined format: an RE2 pattern with named groups (level, timestamp, message, module,
// exception_type, and any other name, which lands in the record's context).
struct UserParserConfig {
  Location where;
  std::string name;
  std::string pattern;  // validated to compile with RE2 and to have a `message` group
};

struct BatchConfig {
  size_t max_records = 500;
  size_t max_bytes = 1 << 20;
  uint32_t max_wait_ms = 1000;
};

struct TransportConfig {
  Location where;
  std::string type;
  OptionMap options;  // the mapping minus `type`; validated by the transport's factory
};

struct MetricsConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:9880";
};

struct Config {
  std::string path;  // the file it was read from
  std::string service = "unknown";
  std::string release;      // empty: none
  std::string environment;  // empty: none
  InAppRules in_app;        // no user rules: the built-in ones alone
  std::string state_dir = "/var/lib/homeostasisd";
  Level min_level = Level::kError;
  std::string timezone;  // empty: the host's zone; else an IANA name or "UTC"
  std::vector<InputConfig> inputs;
  std::vector<UserParserConfig> parsers;
  BatchConfig batch;
  ThrottleConfig throttle;
  std::vector<TransportConfig> transports;
  MetricsConfig metrics;
  ContextConfig context;
  ScrubConfig scrub;
  // How long a multi-line event may wait for its next line before it is complete.
  uint32_t multiline_timeout_ms = 500;
  // How long a last line without its newline is held before it is read as a line.
  uint32_t partial_line_timeout_ms = 1000;
  // How long SIGTERM may take to flush batches and commit checkpoints.
  uint32_t drain_timeout_ms = 10000;
  // Longer lines are cut at this size, marked and counted.
  size_t max_line_bytes = 1 << 20;
  // A file with nothing new for this long has its descriptor closed; it is opened again when
  // it changes (so thousands of idle files hold no descriptors).
  uint32_t close_inactive_ms = 300000;
  // How long a file that left its name (rotated, deleted) is still read before it is closed.
  uint32_t rotate_wait_ms = 5000;
};

struct LoadResult {
  std::optional<Config> config;    // set when there are no errors
  std::vector<Diagnostic> errors;  // each "FILE:LINE:COL: message"
  // What could be decoded despite errors (values in error left at their defaults), so later
  // checks (formats, transports, providers) can still report in the same pass.
  std::optional<Config> decoded;
};

// Reads, decodes and validates a config file: unknown keys, wrong types, impossible values,
// bad globs and RE2 patterns are errors. ${NAME} in strings is replaced from the environment
// (an unset variable is an error).
LoadResult loadConfig(const std::string& path);

// The same from text already in memory; `name` stands for the file in messages.
LoadResult parseConfig(std::string_view text, const std::string& name);

}  // namespace homeo::config
