// fuzz_corpus_replay: runs every fuzz entry point (fuzz_targets.h) without libFuzzer, so each
// CI run exercises the decoders even where clang is not available.
//
//   fuzz_corpus_replay CORPUS_ROOT [--generated=N] [--seed=S] [--dump=I] [TARGET...]
//
// For each target (all when none is named): every file in CORPUS_ROOT/<target>/, in name
// order, then N inputs (default 3000) from a SplitMix64 stream seeded with S: a third are
// random bytes, two thirds are mutations of corpus files (bit flips, byte overwrites,
// truncation, insertion, splicing), so most reach deep into the decoders.
//
// A property violation aborts inside the entry point; a SIGABRT handler then names the target
// and the input (corpus file, or generated input number and seed). --dump=I writes generated
// input I of each selected target to ./<target>-generated-<I> and runs nothing, so the input can
// be replayed under a debugger or the libFuzzer binary. Everything is deterministic: the same
// seed and corpus give the same inputs on every machine.
// Exit status: 0 on success, 2 on usage errors or a missing/empty corpus directory.

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_targets.h"

namespace lotchain::fuzz {
namespace {

constexpr uint64_t kDefaultSeed = 0x6c6f74636861696eu;  // "lotchain"
constexpr size_t kDefaultGeneratedCount = 3000;
constexpr size_t kGeneratedBytesMax = 2048;
constexpr size_t kCorpusFileBytesMax = 1u << 20;

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15u;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  size_t Below(size_t bound) { return bound == 0 ? 0 : static_cast<size_t>(Next() % bound); }
  uint8_t Byte() { return static_cast<uint8_t>(Next() & 0xffu); }

 private:
  uint64_t state_;
};

using Bytes = std::vector<uint8_t>;

// FNV-1a: a stable hash of the target name (std::hash differs between standard libraries).
uint64_t NameHash(std::string_view name) {
  uint64_t hash = 0xcbf29ce484222325u;
  for (char c : name) hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3u;
  return hash;
}

// What is running now, for the SIGABRT handler (written before every input).
char g_current_input[512] = "fuzz_corpus_replay: aborted before any input\n";

extern "C" void OnAbort(int signal_number) {
  // write() is async-signal-safe; the message was formatted before the input ran.
  ssize_t ignored = write(STDERR_FILENO, g_current_input, std::strlen(g_current_input));
  static_cast<void>(ignored);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

bool ReadFile(const std::filesystem::path& path, Bytes& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  out.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return out.size() <= kCorpusFileBytesMax;
}

Bytes RandomBytes(SplitMix64& prng) {
  // Short inputs are the most productive, so the length is skewed towards them.
  size_t size = prng.Below(prng.Below(2) == 0 ? 64 : kGeneratedBytesMax);
  Bytes out(size);
  for (uint8_t& byte : out) byte = prng.Byte();
  return out;
}

Bytes Mutate(const std::vector<Bytes>& corpus, SplitMix64& prng) {
  Bytes out = corpus[prng.Below(corpus.size())];
  size_t mutation_count = 1 + prng.Below(4);
  for (size_t i = 0; i < mutation_count; ++i) {
    switch (prng.Below(5)) {
      case 0:
        if (!out.empty()) {
          out[prng.Below(out.size())] ^= static_cast<uint8_t>(1u << prng.Below(8));
        }
        break;
      case 1:
        if (!out.empty()) out[prng.Below(out.size())] = prng.Byte();
        break;
      case 2:
        out.resize(prng.Below(out.size() + 1));
        break;
      case 3: {
        auto at = out.begin() + static_cast<std::ptrdiff_t>(prng.Below(out.size() + 1));
        out.insert(at, 1 + prng.Below(8), prng.Byte());
        break;
      }
      default: {
        const Bytes& other = corpus[prng.Below(corpus.size())];
        size_t from = prng.Below(other.size() + 1);
        out.resize(prng.Below(out.size() + 1));
        out.insert(out.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        break;
      }
    }
    if (out.size() > kGeneratedBytesMax) out.resize(kGeneratedBytesMax);
  }
  return out;
}

struct Options {
  std::filesystem::path corpus_root;
  size_t generated_count = kDefaultGeneratedCount;
  uint64_t seed = kDefaultSeed;
  std::optional<size_t> dump_index;
  std::vector<std::string> targets;
};

bool ParseOptions(int argc, char** argv, Options& options) {
  if (argc < 2) return false;
  options.corpus_root = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--generated=")) {
      options.generated_count = std::strtoull(argv[i] + 12, nullptr, 10);
    } else if (arg.starts_with("--seed=")) {
      options.seed = std::strtoull(argv[i] + 7, nullptr, 0);
    } else if (arg.starts_with("--dump=")) {
      options.dump_index = std::strtoull(argv[i] + 7, nullptr, 10);
    } else if (arg.starts_with("--")) {
      return false;
    } else {
      options.targets.emplace_back(arg);
    }
  }
  return true;
}

bool Selected(const Options& options, std::string_view name) {
  return options.targets.empty() ||
         std::find(options.targets.begin(), options.targets.end(), name) != options.targets.end();
}

// Returns false when the target's corpus is missing or empty.
bool ReplayTarget(const FuzzTarget& target, const Options& options) {
  std::filesystem::path dir = options.corpus_root / target.name;
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (error || files.empty()) {
    std::fprintf(stderr, "%.*s: no seed corpus in %s\n", static_cast<int>(target.name.size()),
                 target.name.data(), dir.c_str());
    return false;
  }
  std::vector<Bytes> corpus;
  for (const auto& path : files) {
    Bytes bytes;
    if (!ReadFile(path, bytes)) {
      std::fprintf(stderr, "cannot read %s (or larger than %zu bytes)\n", path.c_str(),
                   kCorpusFileBytesMax);
      return false;
    }
    if (!options.dump_index.has_value()) {
      std::snprintf(g_current_input, sizeof(g_current_input),
                    "fuzz_corpus_replay: aborted in %.*s on corpus file %s\n",
                    static_cast<int>(target.name.size()), target.name.data(), path.c_str());
      target.entry(bytes.data(), bytes.size());
    }
    corpus.push_back(std::move(bytes));
  }
  // Each target gets its own stream, so adding a target does not change the others' inputs.
  SplitMix64 prng(options.seed ^ NameHash(target.name));
  for (size_t i = 0; i < options.generated_count; ++i) {
    Bytes input = prng.Below(3) == 0 ? RandomBytes(prng) : Mutate(corpus, prng);
    if (options.dump_index.has_value()) {
      if (i != *options.dump_index) continue;
      std::string name = std::string(target.name) + "-generated-" + std::to_string(i);
      std::ofstream(name, std::ios::binary)
          .write(reinterpret_cast<const char*>(input.data()),
                 static_cast<std::streamsize>(input.size()));
      std::printf("wrote %s (%zu bytes)\n", name.c_str(), input.size());
      return true;
    }
    std::snprintf(g_current_input, sizeof(g_current_input),
                  "fuzz_corpus_replay: aborted in %.*s on generated input %zu (seed %llu); "
                  "rerun with --seed=%llu --dump=%zu %.*s to extract it\n",
                  static_cast<int>(target.name.size()), target.name.data(), i,
                  static_cast<unsigned long long>(options.seed),
                  static_cast<unsigned long long>(options.seed), i,
                  static_cast<int>(target.name.size()), target.name.data());
    target.entry(input.data(), input.size());
  }
  std::printf("%.*s: %zu corpus files, %zu generated inputs (seed %llu): ok\n",
              static_cast<int>(target.name.size()), target.name.data(), corpus.size(),
              options.generated_count, static_cast<unsigned long long>(options.seed));
  return true;
}

}  // namespace
}  // namespace lotchain::fuzz

int main(int argc, char** argv) {
  using namespace lotchain::fuzz;
  Options options;
  if (!ParseOptions(argc, argv, options)) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT [--generated=N] [--seed=S] [TARGET...]\n",
                 argc > 0 ? argv[0] : "fuzz_corpus_replay");
    return 2;
  }
  std::signal(SIGABRT, OnAbort);
  bool ok = true;
  size_t ran = 0;
  for (const FuzzTarget& target : kFuzzTargets) {
    if (!Selected(options, target.name)) continue;
    ++ran;
    ok = ReplayTarget(target, options) && ok;
  }
  if (ran == 0) {
    std::fprintf(stderr, "no fuzz target matches the names given\n");
    return 2;
  }
  return ok ? 0 : 2;
}
