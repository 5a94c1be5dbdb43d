// CommitQueue (behind WatchCommits): bounded, overflow is reported, replay rounds reset it, a
// stalled writer triggers the cancel hook exactly once, and nothing happens after Close.
#include "node/rpc/commit_queue.h"

#include <gtest/gtest.h>

namespace lotchain::node {
namespace {

using namespace std::chrono_literals;

v1::CommitEvent Event(uint64_t height) {
  v1::CommitEvent event;
  event.set_height(height);
  return event;
}

// Events come out in order; past events_max they are dropped and Pop reports the overflow.
TEST(CommitQueueTest, BoundedWithOverflow) {
  int stalls = 0;
  CommitQueue queue(2, std::chrono::hours(1), [&] { ++stalls; });
  v1::CommitEvent out;
  EXPECT_EQ(queue.Pop(0ms, &out), CommitQueue::Next::kIdle);
  queue.Push(Event(1));
  queue.Push(Event(2));
  queue.Push(Event(3));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.Pop(0ms, &out), CommitQueue::Next::kOverflow);
  EXPECT_EQ(stalls, 0);  // the writer made progress recently
}

// A replay round that saw an overflow clears the queue and asks for another round; a clean
// round keeps the queued events.
TEST(CommitQueueTest, ReplayRoundsResetOverflow) {
  CommitQueue queue(1, std::chrono::hours(1), [] {});
  queue.Push(Event(1));
  queue.Push(Event(2));
  EXPECT_FALSE(queue.EndReplayRound());
  EXPECT_EQ(queue.size(), 0u);
  queue.Push(Event(3));
  EXPECT_TRUE(queue.EndReplayRound());
  v1::CommitEvent out;
  ASSERT_EQ(queue.Pop(0ms, &out), CommitQueue::Next::kEvent);
  EXPECT_EQ(out.height(), 3u);
}

// With no writer progress for stall_max while full, the cancel hook runs once; after Close the
// queue ignores pushes entirely.
TEST(CommitQueueTest, StallCancelsOnceAndCloseStops) {
  int stalls = 0;
  CommitQueue queue(1, 0ms, [&] { ++stalls; });
  queue.Push(Event(1));
  queue.Push(Event(2));
  queue.Push(Event(3));
  EXPECT_EQ(stalls, 1);
  queue.Close();
  queue.Push(Event(4));
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(stalls, 1);
}

}  // namespace
}  // namespace lotchain::node
