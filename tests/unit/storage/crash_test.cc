// Crash safety: a real writer process is killed with SIGKILL at random points while it commits
// blocks; the reopened store must hold every block it acknowledged, nothing half-written, and
// the state root a replay of blocks 1..h produces.
//
// The writer is this same test binary, re-executed with --gtest_filter=CrashTest.ChildCommitLoop
// and LOTCHAIN_STORAGE_CRASH_DIR set (exec rather than a bare fork: RocksDB's background
// threads do not survive fork).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

#include "node/storage/block_store.h"
#include "tests/unit/storage/storage_test_util.h"

extern char** environ;

namespace lotchain::node {
namespace {

using testing::kScanAll;
using testing::ModelChain;
using testing::SyntheticGenesis;
using testing::TempDir;

constexpr const char* kDirEnv = "LOTCHAIN_STORAGE_CRASH_DIR";
constexpr const char* kFdEnv = "LOTCHAIN_STORAGE_CRASH_FD";
constexpr int kReportFd = 200;               // the child's end of the progress pipe
constexpr uint64_t kChildBlocksMax = 20000;  // a child that is never killed stops here
constexpr int kRounds = 6;
constexpr uint64_t kBlocksPerRoundMax = 25;

// Commits `count` synthetic blocks on top of whatever the store holds, each built from the
// store's own tip and state. After each commit returns OK (synced) it writes the height to
// `report_fd` when that is >= 0.
void CommitLoop(const std::string& dir, int report_fd, uint64_t count) {
  auto store = BlockStore::Open(dir, SyntheticGenesis());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (uint64_t i = 0; i < count; ++i) {
    const Tip tip = (*store)->tip();
    testing::BlockParts parts =
        testing::BuildBlock(tip, (*store)->state(), testing::SyntheticTxs(tip.height + 1));
    const core::Status status =
        (*store)->CommitBlock(parts.block, parts.certificate, parts.executed);
    ASSERT_TRUE(status.ok()) << status.ToString();
    const uint64_t height = tip.height + 1;
    if (report_fd >= 0) {
      ASSERT_EQ(write(report_fd, &height, sizeof height), static_cast<ssize_t>(sizeof height));
    }
  }
}

// Property: building each block from the store's own tip and state (what the crash child does)
// produces exactly the model chain. In the crash test this binary runs as the killed child;
// run directly it commits 40 blocks in-process and compares with the model.
TEST(CrashTest, ChildCommitLoop) {
  if (const char* dir = std::getenv(kDirEnv); dir != nullptr) {
    CommitLoop(dir, std::atoi(std::getenv(kFdEnv)), kChildBlocksMax);
    std::_Exit(::testing::Test::HasFailure() ? 2 : 0);
  }
  TempDir tmp;
  CommitLoop(tmp.path(), -1, 40);
  ModelChain model(SyntheticGenesis());
  for (int i = 0; i < 40; ++i) model.Next();
  auto store = BlockStore::Open(tmp.path(), SyntheticGenesis());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->state_root(), model.tip().state_root);
  EXPECT_EQ((*store)->last_block_hash(), model.tip().last_block_hash);
}

// Starts the writer child on `dir`; returns its pid and the read end of its progress pipe.
std::pair<pid_t, int> SpawnWriter(const std::string& dir) {
  int fds[2];
  LOTCHAIN_ASSERT(pipe2(fds, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], kReportFd);  // clears O_CLOEXEC
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> env_strings = {std::string(kDirEnv) + "=" + dir,
                                          std::string(kFdEnv) + "=" + std::to_string(kReportFd)};
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  for (std::string& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::string exe = "/proc/self/exe";
  std::string filter = "--gtest_filter=CrashTest.ChildCommitLoop";
  std::vector<char*> argv = {exe.data(), filter.data(), nullptr};
  pid_t pid = 0;
  const int error = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  LOTCHAIN_ASSERT(error == 0);
  close(fds[1]);
  return {pid, fds[0]};
}

// Reads one reported height; nullopt at EOF (the child exited).
std::optional<uint64_t> ReadReport(int fd) {
  uint64_t height = 0;
  size_t got = 0;
  while (got < sizeof height) {
    const ssize_t n = read(fd, reinterpret_cast<char*>(&height) + got, sizeof height - got);
    if (n <= 0) return std::nullopt;
    got += static_cast<size_t>(n);
  }
  return height;
}

// Property: after SIGKILL at a random point of a commit loop, the reopened store is at a height
// h >= every height the writer acknowledged (and at most one beyond), every block 1..h is intact,
// and the tip's state root and the whole state equal a replay of blocks 1..h. Six kill/reopen
// rounds on one store; the seed is printed and LOTCHAIN_SEED=N replays the kill schedule.
TEST(CrashTest, KilledWriterLosesNothingCommitted) {
  const char* seed_env = std::getenv("LOTCHAIN_SEED");
  const uint64_t seed =
      seed_env != nullptr ? std::strtoull(seed_env, nullptr, 10) : std::random_device{}();
  std::cout << "CrashTest seed: LOTCHAIN_SEED=" << seed << "\n";
  SCOPED_TRACE("LOTCHAIN_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  TempDir tmp;
  ModelChain model(SyntheticGenesis());
  uint64_t acknowledged = 0;
  for (int round = 0; round < kRounds; ++round) {
    auto [pid, fd] = SpawnWriter(tmp.path());
    const uint64_t target = acknowledged + 1 + rng() % kBlocksPerRoundMax;
    std::optional<uint64_t> report;
    while (acknowledged < target && (report = ReadReport(fd)).has_value()) acknowledged = *report;
    ASSERT_GE(acknowledged, target) << "writer exited early in round " << round;
    // Let the writer run into a random point of its next commits, then kill it.
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 4000));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wait_status = 0;
    ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(wait_status)) << "round " << round;
    while ((report = ReadReport(fd)).has_value()) acknowledged = *report;
    close(fd);

    auto store = BlockStore::Open(tmp.path(), SyntheticGenesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const uint64_t height = (*store)->height();
    ASSERT_GE(height, acknowledged) << "an acknowledged block was lost in round " << round;
    ASSERT_LE(height, acknowledged + 1) << "round " << round;
    while (model.tip().height < height) model.Next();
    EXPECT_EQ((*store)->state_root(), model.tip().state_root) << "round " << round;
    EXPECT_EQ((*store)->last_block_hash(), model.tip().last_block_hash);
    for (uint64_t h = 1; h <= height; ++h) {
      auto block = (*store)->GetBlock(h);
      ASSERT_TRUE(block.ok()) << block.status().ToString();
      EXPECT_EQ(block->SerializeAsString(), model.BlockBytes(h)) << "height " << h;
      EXPECT_TRUE((*store)->GetCertificate(h).ok()) << "height " << h;
    }
    EXPECT_EQ((*store)->GetBlock(height + 1).status().code(), "NOT_FOUND");
    EXPECT_EQ((*store)->state().Scan("", kScanAll), model.state().Scan("", kScanAll));
    std::cout << "round " << round << ": acknowledged " << acknowledged << ", reopened at "
              << height << "\n";
    acknowledged = height;
  }
}

}  // namespace
}  // namespace lotchain::node
