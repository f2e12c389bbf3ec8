#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "common/serial_worker.h"

namespace homeo {

// Writes checkpoint files on a thread of its own, so the fsyncs of an atomic replace never
// hold up the event loop. Each snapshot carries a tag (the acknowledged batch it covers); once
// it is on disk, `on_written(tag)` runs on the writer's thread. Snapshots coalesce: only the
// newest waiting one is written. A failed write is logged (once until a write succeeds again)
// and counted, reported through on_written all the same (reading goes on; a crash then repeats
// more lines), and retried with the next snapshot, or after a second when none comes. The thread
// starts with the first snapshot; stop() (and the destructor) writes what is still waiting and
// joins it.
class CheckpointWriter {
 public:
  CheckpointWriter(std::string dir, std::string file,
                   std::function<void(uint64_t tag)> on_written = {});
  ~CheckpointWriter();
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  // Queues `data` (nullopt: nothing changed) as covering `tag`. Returns true when `tag` is
  // covered already (nothing changed and nothing is being written): on_written is not called
  // for it then.
  bool submit(std::optional<std::string> data, uint64_t tag);
  // Blocks until every snapshot submitted so far is written (or its write failed) and
  // on_written has run for it.
  void flush();
  void stop();

  uint64_t writes() const;
  uint64_t failures() const;

 private:
  // The worker's job: writes what is pending until nothing is.
  void writePending();

  const std::string dir_;
  const std::string file_;
  const std::function<void(uint64_t)> on_written_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::string> pending_;
  uint64_t pending_tag_ = 0;
  uint64_t later_tag_ = 0;  // covered once what is pending or being written is on disk
  bool writing_ = false;
  uint64_t submitted_ = 0;  // snapshots submitted
  uint64_t finished_ = 0;   // snapshots written, failed, or replaced by a newer one
  uint64_t writes_ = 0;
  uint64_t failures_ = 0;
  bool stopping_ = false;
  bool error_logged_ = false;
  bool job_posted_ = false;  // writePending() is queued or running
  SerialWorker worker_;
};

}  // namespace homeo
