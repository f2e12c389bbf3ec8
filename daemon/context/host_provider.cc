#include <sys/utsname.h>
#include <unistd.h>

#include "daemon/context/context_provider.h"

namespace homeo {

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
  return f;
}

namespace {

// Fills system_info from facts read once at start.
class HostProvider final : public ContextProvider {
 public:
  HostProvider() : facts_(HostFacts::read()) {}
  std::string_view name() const override { return "host"; }
  void apply(ErrorRecord& r) override {
    setField(r.system_info, "hostname", facts_.hostname);
    setField(r.system_info, "os_name", facts_.os_name);
    setField(r.system_info, "platform", facts_.platform);
    setField(r.system_info, "architecture", facts_.architecture);
    setField(r.system_info, "processor", facts_.architecture);
    setField(r.system_info, "service_name", r.service);
  }

 private:
  HostFacts facts_;
};

}  // namespace

std::unique_ptr<ContextProvider> makeHostProvider() { return std::make_unique<HostProvider>(); }

}  // namespace homeo
