// ApiWorkers: a fixed pool of threads with a bounded queue for the HTTP JSON API, so a big
// trace or export never runs on the HTTP I/O thread (where /healthz, /readyz and /metrics are
// answered) and an outsider cannot queue unbounded work: Post refuses when `queue_max` jobs are
// waiting, and the caller answers 429.
//
// Stop() discards the jobs still queued (destroying them on the calling thread) and joins the
// threads after their running job; it is idempotent and run by the destructor.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "consensus/core/assert.h"

namespace lotchain::node {

class ApiWorkers {
 public:
  ApiWorkers(size_t threads, size_t queue_max) : queue_max_(queue_max) {
    LOTCHAIN_ASSERT(threads > 0);
    LOTCHAIN_ASSERT(queue_max > 0);
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~ApiWorkers() { Stop(); }
  ApiWorkers(const ApiWorkers&) = delete;
  ApiWorkers& operator=(const ApiWorkers&) = delete;

  // False (and `job` untouched) when the queue is full or the pool stopped.
  bool TryPost(std::function<void()>& job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || queue_.size() >= queue_max_) return false;
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
  }

  void Stop() {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      dropped.swap(queue_);
    }
    wake_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  const size_t queue_max_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace lotchain::node
