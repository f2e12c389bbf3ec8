#pragma once

namespace homeo {

// Runs the command line (see `homeostasisd --help`); returns the process exit status.
int runCli(int argc, char** argv);

}  // namespace homeo
