#include "node/rpc/commit_queue.h"

#include "consensus/core/assert.h"

namespace lotchain::node {

CommitQueue::CommitQueue(size_t events_max, std::chrono::milliseconds stall_max,
                         std::function<void()> on_stall)
    : events_max_(events_max), stall_max_(stall_max), on_stall_(std::move(on_stall)) {
  LOTCHAIN_ASSERT(events_max_ > 0);
  LOTCHAIN_ASSERT(on_stall_ != nullptr);
}

void CommitQueue::Push(const v1::CommitEvent& event) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  if (events_.size() < events_max_) {
    events_.push_back(event);
    changed_.notify_one();
    return;
  }
  overflow_ = true;
  changed_.notify_one();
  if (!stalled_ && Clock::now() - last_progress_ >= stall_max_) {
    // Under the lock with closed_ false: the handler (and its call) is still there.
    stalled_ = true;
    on_stall_();
  }
  LOTCHAIN_ASSERT(events_.size() <= events_max_);
}

CommitQueue::Next CommitQueue::Pop(std::chrono::milliseconds wait, v1::CommitEvent* out) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, wait, [this] { return overflow_ || !events_.empty(); });
  if (overflow_) return Next::kOverflow;
  if (events_.empty()) return Next::kIdle;
  *out = std::move(events_.front());
  events_.pop_front();
  return Next::kEvent;
}

bool CommitQueue::EndReplayRound() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!overflow_) return true;
  overflow_ = false;
  events_.clear();
  return false;
}

void CommitQueue::NoteProgress() {
  std::lock_guard<std::mutex> lock(mutex_);
  last_progress_ = Clock::now();
}

void CommitQueue::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  events_.clear();
}

size_t CommitQueue::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_.size();
}

}  // namespace lotchain::node
