#include "wallet-cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace lotchain::wallet {

namespace {
constexpr std::chrono::milliseconds kRefresh{200};
}  // namespace

bool ProgressWanted() {
  const char* env = std::getenv("LOTCHAIN_PROGRESS");
  if (env != nullptr && std::string(env) == "0") return false;
  return isatty(STDERR_FILENO) == 1;
}

void ProgressLine::Write(const std::string& text) {
  std::string out = "\r" + text;
  if (text.size() < shown_) out += std::string(shown_ - text.size(), ' ') + "\r" + text;
  shown_ = text.size();
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
}

void ProgressLine::Show(const std::string& text) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (shown_ > 0 && now - last_ < kRefresh) return;
  last_ = now;
  Write(text);
}

void ProgressLine::Clear() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (shown_ == 0) return;
  std::fputs(("\r" + std::string(shown_, ' ') + "\r").c_str(), stderr);
  std::fflush(stderr);
  shown_ = 0;
}

ProgressTicker::ProgressTicker(std::string text) : text_(std::move(text)) {
  if (!ProgressWanted()) return;
  thread_ = std::thread([this] {
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu_);
    // The first line only after a second: quick calls show nothing.
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
      line_.Show(text_ + " … " + std::to_string(seconds) + " s");
    }
  });
}

ProgressTicker::~ProgressTicker() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  line_.Clear();
}

}  // namespace lotchain::wallet
