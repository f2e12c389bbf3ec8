// Providers whose data is known at start (labels, environment) or comes with the record
// (file): nothing to sample, nothing that can hang.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <map>

#include "daemon/context/context_provider.h"
#include "tail/path_glob.h"

namespace homeo {
namespace {

// context.labels: the configured static labels, with an input's own labels over them.
class LabelsProvider final : public ContextProvider {
 public:
  LabelsProvider(std::map<std::string, std::string> labels, std::vector<config::InputConfig> inputs)
      : global_(toObject(labels, {})), inputs_(std::move(inputs)) {
    std::erase_if(inputs_, [](const config::InputConfig& in) { return in.context_labels.empty(); });
    for (const auto& in : inputs_) per_input_.push_back(toObject(labels, in.context_labels));
  }
  std::string_view name() const override { return "labels"; }
  void apply(ErrorRecord& r) override {
    const JsonObject& labels = forPath(r.source_path);
    if (!labels.empty()) setField(r.context, "labels", JsonValue(labels));
  }

 private:
  static JsonObject toObject(const std::map<std::string, std::string>& global,
                             const std::map<std::string, std::string>& own) {
    std::map<std::string, std::string> merged = global;
    for (const auto& [k, v] : own) merged[k] = v;
    JsonObject o;
    for (const auto& [k, v] : merged) o.emplace_back(k, JsonValue(v));
    return o;
  }
  // Which input a path belongs to is decided once per path, not per record.
  const JsonObject& forPath(const std::string& path) {
    if (inputs_.empty()) return global_;
    auto it = cache_.find(path);
    if (it != cache_.end()) return *it->second;
    const JsonObject* found = &global_;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (inputMatches(inputs_[i], path)) {
        found = &per_input_[i];
        break;
      }
    }
    if (cache_.size() < kMaxCachedPaths) cache_.emplace(path, found);
    return *found;
  }

  static constexpr size_t kMaxCachedPaths = 100000;
  JsonObject global_;
  std::vector<config::InputConfig> inputs_;  // only those with labels of their own
  std::vector<JsonObject> per_input_;
  std::map<std::string, const JsonObject*, std::less<>> cache_;
};

// system_info.environment_variables: an allowlist of variables, read once at start (the
// scrubber masks their values like every other string).
class EnvironmentProvider final : public ContextProvider {
 public:
  explicit EnvironmentProvider(const std::vector<std::string>& allow) {
    for (const auto& name : allow) {
      if (const char* v = std::getenv(name.c_str())) vars_.emplace_back(name, JsonValue(v));
    }
  }
  std::string_view name() const override { return "environment"; }
  void apply(ErrorRecord& r) override {
    // A record that came with its own (a Homeostasis logger's) keeps it.
    if (!vars_.empty() && findField(r.system_info, "environment_variables") == nullptr) {
      r.system_info.emplace_back("environment_variables", JsonValue(vars_));
    }
  }

 private:
  JsonObject vars_;
};

// context.file: path, offset and inode of the line the record starts at. The inode is looked
// up once per path per second (a stat of a file the follower has open anyway).
class FileProvider final : public ContextProvider {
 public:
  std::string_view name() const override { return "file"; }
  void apply(ErrorRecord& r) override {
    if (r.source_path.empty() || r.source_path == "-") return;
    JsonObject file;
    setField(file, "path", r.source_path);
    setField(file, "offset", r.source_offset);
    if (const uint64_t ino = inode(r.source_path)) setField(file, "inode", ino);
    setField(r.context, "file", JsonValue(std::move(file)));
  }

 private:
  struct Entry {
    uint64_t inode = 0;
    std::chrono::steady_clock::time_point checked;
  };
  uint64_t inode(const std::string& path) {
    const auto now = std::chrono::steady_clock::now();
    auto it = cache_.find(path);
    if (it != cache_.end() && now - it->second.checked < std::chrono::seconds(1)) {
      return it->second.inode;
    }
    struct stat st {};
    const uint64_t ino = ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
    if (it == cache_.end()) {
      if (cache_.size() >= 100000) cache_.clear();
      it = cache_.emplace(path, Entry{}).first;
    }
    it->second = {ino, now};
    return ino;
  }
  std::map<std::string, Entry, std::less<>> cache_;
};

}  // namespace

std::unique_ptr<ContextProvider> makeLabelsProvider(std::map<std::string, std::string> labels,
                                                    std::vector<config::InputConfig> inputs) {
  return std::make_unique<LabelsProvider>(std::move(labels), std::move(inputs));
}

std::unique_ptr<ContextProvider> makeEnvironmentProvider(const std::vector<std::string>& allow) {
  return std::make_unique<EnvironmentProvider>(allow);
}

std::unique_ptr<ContextProvider> makeFileProvider() { return std::make_unique<FileProvider>(); }

}  // namespace homeo
