#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace homeo {

// Takes the lines a container runtime writes around an application's output apart, so that
// detection and parsing see the application's own lines:
//   CRI (containerd, CRI-O):  2023-10-06T00:17:09.669794202Z stdout F message
//                             ... stdout P first part   (P: partial, joined up to the next F)
//   Docker json-file:         {"log":"message\n","stream":"stderr","time":"2024-..."}
//                             (a "log" without its final \n is a partial line)
//   docker compose:           web-1  | message   (the service prefix of `docker compose up`
//                             and `logs`, its terminal escapes and `logs -t` time taken off)
// The kind is decided on the first line of a source and kept. One instance per source.
class ContainerUnwrapper {
 public:
  enum class Kind { kUnknown, kNone, kCri, kDocker, kCompose };

  // Whether `line` is in a container envelope (and which).
  static Kind classify(std::string_view line);

  Kind kind() const { return kind_; }
  // Decides the kind from the first line seen.
  void decide(std::string_view first_line) { kind_ = classify(first_line); }

  // Unwraps one line and calls emit(inner, start) for each inner line it completes (`start`:
  // the offset where its first part began; `inner` valid during the call only). A line not in
  // the envelope passes through whole, after any partial line it interrupts.
  template <typename Fn>
  void unwrap(std::string_view line, uint64_t offset, Fn&& emit) {
    std::string_view inner;
    const Step step = unwrapOne(line, offset, &inner);
    if (step == Step::kPassThrough) {
      if (partial_open_) emit(takePending(), partial_offset_);
      emit(line, offset);
    } else if (step == Step::kComplete) {
      emit(inner, partial_offset_);
    }
  }

  // A partial line still waiting (at end of input it is passed on as it is).
  bool pending() const { return partial_open_; }
  uint64_t pendingOffset() const { return partial_offset_; }
  std::string_view takePending();

  // Longest joined line kept; the rest of a longer one is dropped.
  static constexpr size_t kMaxJoined = 1 << 20;

 private:
  enum class Step { kPartial, kComplete, kPassThrough };
  Step unwrapOne(std::string_view line, uint64_t offset, std::string_view* inner);

  Kind kind_ = Kind::kUnknown;
  std::string joined_;  // partial parts so far, then the complete line
  bool partial_open_ = false;
  uint64_t partial_offset_ = 0;
};

// Decodes a JSON string body (between the quotes) into out; false on a bad escape.
bool decodeJsonString(std::string_view body, std::string& out);

}  // namespace homeo
