// A progress line on stderr for long work (proof export and verify, big traces): shown only
// when stderr is a terminal, so pipes, files and scripts see nothing; refreshed at most every
// 200 ms; erased when the work ends, so the result that follows starts on a clean line.
// LOTCHAIN_PROGRESS=0 turns it off on a terminal too.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace lotchain::wallet {

bool ProgressWanted();  // stderr is a terminal and LOTCHAIN_PROGRESS is not 0

class ProgressLine {
 public:
  ProgressLine() : enabled_(ProgressWanted()) {}
  ~ProgressLine() { Clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Replaces the line with `text` unless the last update was under 200 ms ago.
  void Show(const std::string& text);
  void Clear();

 private:
  void Write(const std::string& text);

  const bool enabled_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
  size_t shown_ = 0;  // characters on the line now
};

// For one long call with nothing to count (a trace of a big pack): shows "text … N s" every
// second from a thread until destroyed.
class ProgressTicker {
 public:
  explicit ProgressTicker(std::string text);
  ~ProgressTicker();
  ProgressTicker(const ProgressTicker&) = delete;
  ProgressTicker& operator=(const ProgressTicker&) = delete;

 private:
  ProgressLine line_;
  std::string text_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace lotchain::wallet
