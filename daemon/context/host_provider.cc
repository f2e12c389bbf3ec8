#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#include "daemon/context/context_provider.h"

namespace homeo {
namespace {

std::string firstLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        size_t b = line.find_first_not_of(" \t", colon + 1);
        return b == std::string::npos ? std::string() : line.substr(b);
      }
    }
  }
  return {};
}

}  // namespace

HostFacts HostFacts::read() {
  HostFacts f;
  struct utsname u {};
  if (uname(&u) == 0) {
    f.hostname = u.nodename;
    f.os_name = u.sysname;
    f.release = u.release;
    f.architecture = u.machine;
  }
  char buf[256];
  if (gethostname(buf, sizeof buf) == 0) {
    buf[sizeof buf - 1] = '\0';
    f.hostname = buf;
  }
  f.platform = f.os_name + "-" + f.release + "-" + f.architecture;
  f.machine_id = firstLine("/etc/machine-id");
  f.boot_id = firstLine("/proc/sys/kernel/random/boot_id");
  return f;
}

void addContextError(ErrorRecord& r, std::string_view provider, std::string_view reason) {
  std::string key = "context_error_";
  key.append(provider);
  setField(r.context, key, JsonValue(reason));
}

namespace {

// A record that came with a system_info of its own (a Homeostasis logger's record, written on
// the host that raised the error) keeps what it says; the host's facts fill what it lacks.
void add(JsonObject& info, std::string_view key, const std::string& value) {
  if (findField(info, key) == nullptr) info.emplace_back(std::string(key), JsonValue(value));
}

// Fills system_info from facts read once at start.
class HostProvider final : public ContextProvider {
 public:
  HostProvider() : facts_(HostFacts::read()), processor_(cpuModel()) {
    if (processor_.empty()) processor_ = facts_.architecture;
  }
  std::string_view name() const override { return "host"; }
  void apply(ErrorRecord& r) override {
    add(r.system_info, "hostname", facts_.hostname);
    add(r.system_info, "os_name", facts_.os_name);
    add(r.system_info, "platform", facts_.platform);
    add(r.system_info, "architecture", facts_.architecture);
    add(r.system_info, "processor", processor_);
    add(r.system_info, "kernel", facts_.release);
    if (!facts_.machine_id.empty()) add(r.system_info, "machine_id", facts_.machine_id);
    if (!facts_.boot_id.empty()) add(r.system_info, "boot_id", facts_.boot_id);
    add(r.system_info, "service_name", r.service);
  }

 private:
  HostFacts facts_;
  std::string processor_;
};

}  // namespace

std::unique_ptr<ContextProvider> makeHostProvider() { return std::make_unique<HostProvider>(); }

}  // namespace homeo
