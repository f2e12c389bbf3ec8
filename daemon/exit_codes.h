#pragma once

namespace homeo {

// Process exit statuses (sysexits.h values where one fits), fixed by the product interface.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 64,
  kExitCantCreate = 73,  // the state directory cannot be created or written
  kExitConfig = 78,
};

}  // namespace homeo
