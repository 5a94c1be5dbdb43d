// The replica core on its own: lazy height start, admission, gossip batching, persist before
// send, catch-up and fatal stops, driven directly and through a small in-process network of
// four replicas over memory stores (the simulator does the same at scale, with faults).
#include "node/replica/replica.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <queue>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "tests/support/mem_chain_store.h"
#include "tests/support/test_chain.h"

namespace lotchain::node {
namespace {

constexpr int64_t kT0 = 1'767'225'600'000 + 60'000;
constexpr uint32_t kBlockTxs = 3;

class KeySigner final : public bft::Signer {
 public:
  explicit KeySigner(core::SecretKey key) : key_(std::move(key)) {}
  std::string PublicKey() const override { return key_.PublicKey(); }
  std::string Sign(std::string_view domain, std::string_view chain_id,
                   std::string_view bytes) const override {
    return key_.Sign(domain, chain_id, bytes);
  }

 private:
  core::SecretKey key_;
};

class RealVerifier final : public bft::SignatureVerifier {
 public:
  bool Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
              std::string_view bytes, std::string_view signature) const override {
    return core::VerifySignature(public_key, domain, chain_id, bytes, signature);
  }
};

class NothingVerified final : public bft::SignatureCache {
 public:
  bool SignatureChecked(std::string_view) const override { return false; }
};

// A store whose commits fail, for the fatal path.
class FailingStore final : public ChainStore {
 public:
  explicit FailingStore(const core::Genesis& genesis) : inner_(genesis) {}
  const core::StateReader& state() const override { return inner_.state(); }
  core::StateTree tree() const override { return inner_.tree(); }
  std::optional<v1::TxStatus> CommittedStatus(std::string_view h) const override {
    return inner_.CommittedStatus(h);
  }
  bool GetSyncedBlock(uint64_t height, v1::SyncedBlock* out) const override {
    return inner_.GetSyncedBlock(height, out);
  }
  core::Status CommitBlock(const v1::Block&, const v1::CommitCertificate&,
                           const core::ExecutedBlock&) override {
    return core::Status("STORE_IO", "disk full");
  }

 private:
  testing::MemChainStore inner_;
};

// Genesis of the default test consortium, with blocks of kBlockTxs transactions.
core::Genesis SmallBlockGenesis() {
  nlohmann::json g = nlohmann::json::parse(testing::GenesisJson(testing::DefaultMembers()));
  g["policy"]["block"] = {{"max_txs", kBlockTxs}, {"max_bytes", 65536}};
  return core::ParseGenesis(g.dump()).value();
}

struct ReplicaHost {
  ReplicaHost(const core::Genesis& genesis, core::ChainValidatorSchedule& schedule, size_t index,
              ChainStore* store_override = nullptr)
      : signer(core::SecretKey::FromSeed(testing::SeedFor("validator/v" + std::to_string(index)))
                   .value()),
        store(genesis) {
    ReplicaConfig config;
    config.genesis = &genesis;
    config.schedule = &schedule;
    config.block_delay_ms = 20;
    ChainStore* chain = store_override ? store_override : &store;
    replica = Replica::Create(config,
                              {.signer = &signer, .verifier = &verifier, .verified = &verified,
                               .store = chain},
                              {0, genesis.hash, core::GenesisStateRoot(genesis),
                               genesis.genesis_time_unix_ms},
                              std::nullopt)
                  .value();
  }
  KeySigner signer;
  RealVerifier verifier;
  NothingVerified verified;
  testing::MemChainStore store;
  std::unique_ptr<Replica> replica;
};

class ReplicaTest : public ::testing::Test {
 protected:
  ReplicaTest()
      : genesis_(SmallBlockGenesis()),
        schedule_(core::ChainValidatorSchedule::ForGenesis(genesis_).value()),
        chain_(testing::DefaultMembers()) {}

  // A signed origin-certificate transaction from the miner, with the next nonce.
  VerifiedTx MinerTx(int n) {
    v1::TxBody body;
    body.set_chain_id(genesis_.chain_id);
    auto* reg = body.mutable_register_facility();
    reg->set_facility_id("mine-" + std::to_string(n));
    reg->set_kind(v1::FACILITY_KIND_MINE);
    reg->set_country("CD");
    reg->set_name("Mine " + std::to_string(n));
    std::string bytes = chain_.Sign("miner", body);
    v1::SignedTx envelope;
    auto checked = core::CheckTxStateless(genesis_, bytes, false, &envelope);
    EXPECT_TRUE(checked.ok()) << checked.status().ToString();
    return {core::TxHash(bytes), bytes, envelope.signer(), checked->nonce()};
  }

  core::Genesis genesis_;
  core::ChainValidatorSchedule schedule_;
  testing::TestChain chain_;  // signs transactions with the consortium's keys
};

// Four replicas and an in-order network with virtual time: every message takes 1 ms, timers
// fire at their time. Messages to `down` replicas are dropped.
class Network {
 public:
  Network(const core::Genesis& genesis, core::ChainValidatorSchedule& schedule)
      : genesis_(genesis) {
    for (size_t i = 0; i < 4; ++i) hosts.push_back(std::make_unique<ReplicaHost>(genesis, schedule, i));
    for (size_t i = 0; i < 4; ++i) hosts[i]->replica->Boot(now);
  }

  void Collect(size_t from) {
    Outputs out = hosts[from]->replica->TakeOutputs();
    for (const Outbound& message : out.messages) {
      const bool consensus = message.message.has_vote() || message.message.has_proposal();
      if (consensus && !out.persist.has_value() && !persisted[from]) ++unpersisted_sends;
      for (size_t to = 0; to < hosts.size(); ++to) {
        if (to == from || (!message.peer.empty() && message.peer != std::to_string(to))) continue;
        queue.push({now + 1, seq++, to, from, message.message, 0});
      }
    }
    if (out.persist.has_value()) persisted[from] = true;
    for (const TimerSet& timer : out.timers) queue.push({now + timer.delay_ms, seq++, from, from, {}, timer.id});
    for (const CommittedBlock& commit : out.commits) commits[from].push_back(commit);
    if (out.fatal) fatal[from] = *out.fatal;
  }

  // Runs until nothing is left to do or `until_ms` passes.
  void Run(int64_t until_ms) {
    for (size_t i = 0; i < hosts.size(); ++i) Collect(i);
    while (!queue.empty() && queue.top().time <= until_ms) {
      Item item = queue.top();
      queue.pop();
      now = item.time;
      if (down.count(item.to) != 0) continue;
      Replica& r = *hosts[item.to]->replica;
      if (item.timer != 0) {
        r.OnTimer(item.timer, now);
      } else if (item.message.has_txs()) {
        std::vector<VerifiedTx> txs;
        for (const std::string& tx : item.message.txs().txs()) {
          v1::SignedTx envelope;
          auto body = core::CheckTxStateless(genesis_, tx, false, &envelope);
          if (body.ok()) txs.push_back({core::TxHash(tx), tx, envelope.signer(), body->nonce()});
        }
        r.AdmitGossiped(std::move(txs), now);
      } else {
        r.OnPeerMessage(std::to_string(item.from), item.message, now);
      }
      Collect(item.to);
    }
    now = std::max(now, until_ms);
  }

  void Tick(size_t i) {
    hosts[i]->replica->OnTick(now);
    Collect(i);
  }

  struct Item {
    int64_t time;
    uint64_t seq;
    size_t to;
    size_t from;
    v1::P2pMessage message;
    uint64_t timer;
    bool operator>(const Item& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  std::vector<std::unique_ptr<ReplicaHost>> hosts;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
  std::set<size_t> down;
  std::map<size_t, std::vector<CommittedBlock>> commits;
  std::map<size_t, std::string> fatal;
  std::map<size_t, bool> persisted;
  size_t unpersisted_sends = 0;
  int64_t now = kT0;
  uint64_t seq = 0;
  const core::Genesis& genesis_;
};


TEST_F(ReplicaTest, AnIdleReplicaStartsNoHeight) {
  ReplicaHost host(genesis_, schedule_, 0);
  host.replica->Boot(kT0);
  host.replica->OnTick(kT0 + 1000);
  Outputs out = host.replica->TakeOutputs();
  EXPECT_EQ(host.replica->phase(), HeightPhase::kNotStarted);
  EXPECT_FALSE(out.persist.has_value());
  EXPECT_TRUE(out.timers.empty());
  ASSERT_EQ(out.messages.size(), 1u);  // its status, nothing to vote on
  EXPECT_TRUE(out.messages[0].message.has_status());
}

TEST_F(ReplicaTest, ATransactionWaitsTheBlockDelayAndLeavesAsGossipFirst) {
  ReplicaHost host(genesis_, schedule_, 1);
  host.replica->Boot(kT0);
  auto admitted = host.replica->SubmitTx(MinerTx(1), kT0);
  ASSERT_TRUE(admitted.ok()) << admitted.status().ToString();
  EXPECT_EQ(admitted->status(), v1::TX_STATUS_PENDING);
  Outputs out = host.replica->TakeOutputs();
  ASSERT_EQ(out.timers.size(), 1u);
  EXPECT_EQ(out.timers[0].delay_ms, 20);
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0].message.txs().txs_size(), 1);
  EXPECT_EQ(host.replica->phase(), HeightPhase::kNotStarted);

  host.replica->OnTimer(out.timers[0].id, kT0 + 20);
  out = host.replica->TakeOutputs();
  EXPECT_EQ(host.replica->phase(), HeightPhase::kRunning);
  EXPECT_TRUE(out.persist.has_value());  // it signed something: persisted before it leaves
}

TEST_F(ReplicaTest, AFullBlockOfTransactionsStartsTheHeightAtOnce) {
  ReplicaHost host(genesis_, schedule_, 1);
  host.replica->Boot(kT0);
  for (uint32_t i = 0; i < kBlockTxs; ++i) ASSERT_TRUE(host.replica->SubmitTx(MinerTx(static_cast<int>(i)), kT0).ok());
  EXPECT_EQ(host.replica->phase(), HeightPhase::kRunning);
  Outputs out = host.replica->TakeOutputs();
  ASSERT_FALSE(out.messages.empty());
  EXPECT_TRUE(out.messages[0].message.has_txs()) << "gossip leaves before the proposal";
  EXPECT_EQ(out.messages[0].message.txs().txs_size(), static_cast<int>(kBlockTxs));
}

TEST_F(ReplicaTest, GossipLeavesInBatchesOfAtMost256) {
  nlohmann::json g = nlohmann::json::parse(testing::GenesisJson(testing::DefaultMembers()));
  core::Genesis big = core::ParseGenesis(g.dump()).value();
  auto schedule = core::ChainValidatorSchedule::ForGenesis(big).value();
  ReplicaHost host(big, schedule, 0);
  host.replica->Boot(kT0);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(host.replica->SubmitTx(MinerTx(i), kT0).ok());
  Outputs out = host.replica->TakeOutputs();
  ASSERT_GE(out.messages.size(), 2u);
  EXPECT_EQ(out.messages[0].message.txs().txs_size(), 256);
  EXPECT_EQ(out.messages[1].message.txs().txs_size(), 44);
}

TEST_F(ReplicaTest, AdmissionRefusesStrangersAndAnswersDuplicates) {
  ReplicaHost host(genesis_, schedule_, 0);
  host.replica->Boot(kT0);
  VerifiedTx tx = MinerTx(1);
  VerifiedTx stranger = tx;
  stranger.signer = std::string(32, '\x07');
  auto refused = host.replica->SubmitTx(stranger, kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "UNKNOWN_SIGNER");
  ASSERT_TRUE(host.replica->SubmitTx(tx, kT0).ok());
  auto again = host.replica->SubmitTx(tx, kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status(), v1::TX_STATUS_PENDING);
  EXPECT_EQ(host.replica->mempool().size(), 1u);
}

TEST_F(ReplicaTest, ASignStateAheadOfTheStoreIsRefused) {
  ReplicaHost host(genesis_, schedule_, 0);
  v1::SignState ahead;
  ahead.set_height(5);
  ReplicaConfig config;
  config.genesis = &genesis_;
  config.schedule = &schedule_;
  auto created = Replica::Create(config,
                                 {.signer = &host.signer, .verifier = &host.verifier,
                                  .verified = &host.verified, .store = &host.store},
                                 host.store.tip(), ahead);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), "STATE_AHEAD");
}

TEST_F(ReplicaTest, AHeightItCrashedInResumesAtBoot) {
  ReplicaHost host(genesis_, schedule_, 0);
  v1::SignState restored;
  restored.set_height(1);
  ReplicaConfig config;
  config.genesis = &genesis_;
  config.schedule = &schedule_;
  auto replica = Replica::Create(config,
                                 {.signer = &host.signer, .verifier = &host.verifier,
                                  .verified = &host.verified, .store = &host.store},
                                 host.store.tip(), restored)
                     .value();
  replica->Boot(kT0);
  EXPECT_EQ(replica->phase(), HeightPhase::kRunning);
}

TEST_F(ReplicaTest, FourReplicasOrderATransactionOnlyOneOfThemHeld) {
  Network net(genesis_, schedule_);
  // Replica 2 alone holds the transaction (its gossip is lost): the others must join the
  // height on its messages.
  net.down = {0, 1, 3};
  ASSERT_TRUE(net.hosts[2]->replica->SubmitTx(MinerTx(1), net.now).ok());
  net.Run(net.now + 5);
  net.down.clear();
  net.Run(net.now + 20'000);
  // The height's first proposer may be a replica that never saw the transaction: it
  // proposes an empty block, and the transaction follows in the next one.
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_GE(net.commits[i].size(), 1u) << "replica " << i;
    ASSERT_LE(net.commits[i].size(), 2u) << "replica " << i;
    EXPECT_EQ(net.commits[i].back().results.size(), 1u);
    EXPECT_EQ(net.commits[i].back().state_root, net.commits[0].back().state_root);
    EXPECT_EQ(net.hosts[i]->replica->mempool().size(), 0u);
    EXPECT_EQ(net.hosts[i]->replica->phase(), HeightPhase::kIdle) << "no empty blocks after";
  }
  EXPECT_EQ(net.unpersisted_sends, 0u);
}

TEST_F(ReplicaTest, ALaggingReplicaCatchesUpFromAPeerAheadOfIt) {
  Network net(genesis_, schedule_);
  net.down = {3};
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(net.hosts[0]->replica->SubmitTx(MinerTx(i), net.now).ok());
    net.Run(net.now + 5'000);
  }
  ASSERT_GE(net.hosts[0]->store.tip().height, 2u);
  ASSERT_EQ(net.hosts[3]->store.tip().height, 0u);
  net.down.clear();
  // A status tick tells replica 3 that its peers are ahead; it fetches the blocks.
  for (int tick = 0; tick < 3; ++tick) {
    net.Tick(0);
    net.Run(net.now + 1'000);
  }
  EXPECT_EQ(net.hosts[3]->store.tip().height, net.hosts[0]->store.tip().height);
  EXPECT_EQ(net.hosts[3]->store.tip().state_root, net.hosts[0]->store.tip().state_root);
}

TEST_F(ReplicaTest, AStoreThatCannotCommitStopsTheReplica) {
  Network net(genesis_, schedule_);
  FailingStore failing(genesis_);
  net.hosts[1] = std::make_unique<ReplicaHost>(genesis_, schedule_, 1, &failing);
  net.hosts[1]->replica->Boot(net.now);
  ASSERT_TRUE(net.hosts[0]->replica->SubmitTx(MinerTx(1), net.now).ok());
  net.Run(net.now + 20'000);
  ASSERT_TRUE(net.fatal.count(1) != 0);
  EXPECT_NE(net.fatal[1].find("cannot store block"), std::string::npos) << net.fatal[1];
  EXPECT_TRUE(net.hosts[1]->replica->stopped());
  EXPECT_FALSE(net.hosts[1]->replica->SubmitTx(MinerTx(2), net.now).ok());
  EXPECT_EQ(net.commits[0].size(), 1u);  // the other three went on
}

}  // namespace
}  // namespace lotchain::node
