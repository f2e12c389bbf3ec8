#pragma once

#include <string>

namespace homeo {

// Runs the daemon on a config file until SIGTERM/SIGINT (exit 0 after a drain); SIGHUP
// reloads the config. Returns the process exit status.
int runDaemon(const std::string& config_path);

}  // namespace homeo
