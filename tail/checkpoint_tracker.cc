#include "tail/checkpoint_tracker.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace homeo {

CheckpointTracker::CheckpointTracker(boost::asio::any_io_executor loop, std::string state_dir)
    : loop_(loop),
      store_(std::move(state_dir)),
      writer_(store_.dir(), store_.path(),
              [loop, this, alive = std::weak_ptr<int>(alive_)](uint64_t seq) {
                // On the writer's thread: the rest happens on the loop.
                boost::asio::post(loop, [this, alive, seq] {
                  if (!alive.expired()) onDurable(seq);
                });
              }) {}

CheckpointTracker::~CheckpointTracker() {
  alive_.reset();
  writer_.stop();
}

bool CheckpointTracker::load(std::string* error) { return store_.load(error); }

void CheckpointTracker::erase(FileId id) { store_.erase(id.dev, id.ino); }

void CheckpointTracker::set(const Checkpoint& checkpoint) {
  store_.set(checkpoint);
  scheduleCommit();
}

void CheckpointTracker::follow(FileId id, std::string path, const FilePosition& at) {
  File& file = files_[id];
  file.path = std::move(path);
  if (file.marks.place(newest_seq_, at, acked_)) scheduleCommit();
}

void CheckpointTracker::moved(FileId id, std::string path) {
  if (auto it = files_.find(id); it != files_.end()) it->second.path = std::move(path);
}

void CheckpointTracker::recorded(FileId id, const FilePosition& at, uint64_t seq) {
  if (seq > newest_seq_) newest_seq_ = seq;
  auto it = files_.find(id);
  if (it == files_.end()) return;
  if (it->second.marks.recorded(at, seq, acked_)) scheduleCommit();
}

uint64_t CheckpointTracker::hold(FileId id, uint64_t offset) {
  auto it = files_.find(id);
  return it == files_.end() ? 0 : it->second.marks.hold(offset);
}

void CheckpointTracker::release(FileId id, uint64_t token, uint64_t seq) {
  if (seq > newest_seq_) newest_seq_ = seq;
  auto it = files_.find(id);
  if (it == files_.end() || token == 0) return;
  it->second.marks.release(token, seq);
  scheduleCommit();
}

void CheckpointTracker::reached(FileId id, const FilePosition& at) {
  auto it = files_.find(id);
  if (it == files_.end()) return;
  if (it->second.marks.reached(at, newest_seq_, acked_)) scheduleCommit();
}

void CheckpointTracker::restarted(FileId id) {
  if (auto it = files_.find(id); it != files_.end()) it->second.marks.restarted();
}

bool CheckpointTracker::settled(FileId id) const {
  auto it = files_.find(id);
  return it == files_.end() || it->second.marks.empty();
}

bool CheckpointTracker::waitingForAck(FileId id) const {
  auto it = files_.find(id);
  return it != files_.end() && it->second.marks.waitingForAck(acked_);
}

void CheckpointTracker::forget(FileId id) {
  auto it = files_.find(id);
  if (it == files_.end()) return;
  if (apply(id, it->second)) scheduleCommit();
  files_.erase(it);
}

uint64_t CheckpointTracker::committedOffset(FileId id) const {
  auto it = files_.find(id);
  return it == files_.end() ? 0 : it->second.committed;
}

void CheckpointTracker::followJournal(const std::string& key, const JournalPosition& at) {
  Journal& journal = journals_[key];
  journal.marks.restarted();
  journal.committed = at.entries;
  if (journal.marks.place(newest_seq_, at, acked_)) scheduleCommit();
}

void CheckpointTracker::recordedJournal(const std::string& key, const JournalPosition& at,
                                        uint64_t seq) {
  if (seq > newest_seq_) newest_seq_ = seq;
  auto it = journals_.find(key);
  if (it == journals_.end()) return;
  if (it->second.marks.recorded(at, seq, acked_)) scheduleCommit();
}

void CheckpointTracker::reachedJournal(const std::string& key, const JournalPosition& at) {
  auto it = journals_.find(key);
  if (it == journals_.end()) return;
  if (it->second.marks.reached(at, newest_seq_, acked_)) scheduleCommit();
}

void CheckpointTracker::setJournal(const std::string& key, const JournalCheckpoint& checkpoint) {
  store_.setJournal(key, checkpoint);
  scheduleCommit();
}

uint64_t CheckpointTracker::journalLag(const std::string& key, uint64_t read) const {
  auto it = journals_.find(key);
  if (it == journals_.end() || read <= it->second.committed) return 0;
  return read - it->second.committed;
}

void CheckpointTracker::acked(uint64_t seq) {
  if (seq <= acked_) return;
  acked_ = seq;
  scheduleCommit();
}

bool CheckpointTracker::apply(FileId id, File& file) {
  const std::optional<FilePosition> last = file.marks.takeAcked(acked_);
  if (!last) return false;
  store_.set({id.dev, id.ino, last->offset, last->fp.len, last->fp.hash, file.path,
              last->old_offset, last->old_fp.len, last->old_fp.hash});
  file.committed = last->offset;
  return true;
}

bool CheckpointTracker::apply(const std::string& key, Journal& journal) {
  const std::optional<JournalPosition> last = journal.marks.takeAcked(acked_);
  if (!last) return false;
  // Nothing done yet from a head that was never stored: nothing to keep.
  if (last->at != JournalCheckpoint{} || store_.findJournal(key)) store_.setJournal(key, last->at);
  journal.committed = last->entries;
  return true;
}

void CheckpointTracker::scheduleCommit() {
  if (commit_posted_) return;
  commit_posted_ = true;
  boost::asio::post(loop_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    commit_posted_ = false;
    commit();
  });
}

void CheckpointTracker::commit() {
  for (auto& [id, file] : files_) apply(id, file);
  for (auto& [key, journal] : journals_) apply(key, journal);
  // Written on a thread of its own: the fsyncs must not hold up the event loop.
  if (writer_.submit(store_.snapshot(), acked_)) onDurable(acked_);
}

void CheckpointTracker::flush() { writer_.flush(); }

void CheckpointTracker::openGate() {
  if (gate_open_) return;
  gate_open_ = true;
  if (on_gate_) on_gate_(sendableThrough());
}

void CheckpointTracker::onDurable(uint64_t seq) {
  if (seq <= durable_) return;
  durable_ = seq;
  if (on_gate_) on_gate_(sendableThrough());
}

}  // namespace homeo
