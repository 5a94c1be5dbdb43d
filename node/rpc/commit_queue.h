// CommitQueue: the bounded per-stream queue of live commit events behind WatchCommits.
//
// Filled by the backend's commit callback (the node's loop thread: Push never blocks beyond a
// short lock) and drained by the stream's handler thread. When full, Push drops the event and
// raises `overflow`; the handler decides what that means: harmless while it is still replaying
// from the store (EndReplayRound resets the queue and it replays again), a slow consumer once
// live (the stream ends with RESOURCE_EXHAUSTED).
//
// A handler stuck in a blocking Write (the client stopped reading) cannot notice the overflow.
// So when the queue is full and the handler has made no progress (NoteProgress) for
// `stall_max`, Push calls `on_stall` once — the service passes ServerContext::TryCancel, which
// unblocks the Write and frees the thread. After Close() (the handler is leaving) Push does
// nothing, so `on_stall` never touches a finished call.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

#include "lotchain/v1/api.pb.h"

namespace lotchain::node {

class CommitQueue {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Next { kEvent, kOverflow, kIdle };

  CommitQueue(size_t events_max, std::chrono::milliseconds stall_max,
              std::function<void()> on_stall);

  void Push(const v1::CommitEvent& event);
  // Waits up to `wait` for an event. kOverflow as soon as an event was dropped.
  Next Pop(std::chrono::milliseconds wait, v1::CommitEvent* out);
  // End of a replay round: true if nothing was dropped since the last round (the queue then
  // holds every commit the store did not have when the round read its tip); otherwise clears
  // the queue and the overflow and returns false (replay again from the store).
  bool EndReplayRound();
  void NoteProgress();
  void Close();

  size_t size();

 private:
  const size_t events_max_;
  const std::chrono::milliseconds stall_max_;
  const std::function<void()> on_stall_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<v1::CommitEvent> events_;              // guarded by mutex_
  bool overflow_ = false;                           // guarded by mutex_
  bool closed_ = false;                             // guarded by mutex_
  bool stalled_ = false;                            // guarded by mutex_
  Clock::time_point last_progress_ = Clock::now();  // guarded by mutex_
};

}  // namespace lotchain::node
