#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Go's glog/klog (Kubernetes components):
//   E0102 15:04:05.123456   1234 file.go:42] message
// The letter is the level (I W E F), then month and day, time, thread id, file:line. Lines
// that follow without a header (a panic, a goroutine dump) continue the entry.
std::unique_ptr<Parser> makeKlogParser();

}  // namespace homeo
