// A rogue TCP client against a live transport: garbage, truncated or wrong hellos, unknown
// keys, bad signatures, oversized and forged frames. Each must be refused and counted, and the
// transport must keep serving its legitimate peer.
//
// Layout: three sorted keys k0 < k1 < k2. The target T (k2) accepts from k0 and k1. The
// legitimate peer L (k0) dials T. The rogue R holds k1's secret (a validator that is not
// running), so it can complete real handshakes; or it claims other keys. The rogue runs on its
// own thread with blocking, time-limited sockets while the test thread runs the io_context.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "node/p2p/transport.h"
#include "tests/unit/p2p/p2p_test_util.h"

namespace lotchain::node {
namespace {

using testing::RawClient;
using testing::RawHandshake;
using testing::RunUntil;

class RogueTest : public ::testing::Test {
 protected:
  static constexpr size_t kLegit = 0;
  static constexpr size_t kRogue = 1;
  static constexpr size_t kTarget = 2;

  void SetUp() override {
    cluster_ = std::make_unique<testing::Cluster>(3, [](size_t i, TransportOptions& o) {
      o.handshake_timeout_ms = 1000;
      o.pending_inbound_max = 4;
      // L knows only T, so it does not keep dialing the absent rogue validator.
      if (i == kLegit) o.peers.erase(o.peers.begin());
    });
    ASSERT_TRUE(cluster_->StartNode(kTarget).ok());
    ASSERT_TRUE(cluster_->StartNode(kLegit).ok());
    ASSERT_TRUE(RunUntil(io(), [&] { return target().connected(key(kLegit)); }));
    port_ = target().listen_port();
  }

  boost::asio::io_context& io() { return cluster_->io(); }
  Transport& target() { return *cluster_->node(kTarget).transport; }
  const std::string& key(size_t i) { return cluster_->key(i); }
  const core::SecretKey& secret(size_t i) { return cluster_->node(i).secret; }

  // Runs `rogue` on its own thread while the event loop runs; returns its result.
  bool RunRogue(const std::function<bool()>& rogue) {
    std::atomic<bool> done{false};
    bool result = false;
    std::thread thread([&] {
      result = rogue();
      done = true;
    });
    const bool finished = RunUntil(io(), [&] { return done.load(); });
    thread.join();
    return finished && result;
  }

  // The target still exchanges frames with L both ways.
  void ExpectStillServes() {
    testing::TestNode& legit = cluster_->node(kLegit);
    testing::TestNode& tnode = cluster_->node(kTarget);
    ASSERT_TRUE(RunUntil(io(), [&] { return target().connected(key(kLegit)); }));
    const size_t legit_before = legit.received.size();
    const size_t target_before = tnode.received.size();
    legit.transport->Send(key(kTarget), "ping");
    target().Send(key(kLegit), "pong");
    ASSERT_TRUE(RunUntil(io(), [&] {
      return legit.received.size() == legit_before + 1 &&
             tnode.received.size() == target_before + 1;
    }));
    EXPECT_EQ(tnode.received.back().second, "ping");
    EXPECT_EQ(legit.received.back().second, "pong");
    // The rogue never got a message through.
    for (const auto& [peer, frame] : tnode.received) EXPECT_EQ(peer, key(kLegit));
  }

  // Connects, sends `bytes`, and waits for the target to close the connection.
  bool SendAndExpectClose(std::string bytes) {
    return RunRogue([this, bytes] {
      RawClient client(port_);
      return client.connected() && client.Write(bytes) && client.WaitClosed();
    });
  }

  std::string Hello(std::string_view chain_id, const std::string& identity_key) {
    wire::EphemeralKeyPair ephemeral;
    return testing::ClientHello(ephemeral, chain_id, identity_key);
  }

  std::unique_ptr<testing::Cluster> cluster_;
  uint16_t port_ = 0;
};

TEST_F(RogueTest, GarbageIsRefused) {
  // Property: 104+ bytes of garbage fail the magic check; the connection is closed and
  // counted as bad_magic.
  std::mt19937_64 rng(7);
  std::string garbage(500, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  ASSERT_TRUE(SendAndExpectClose(garbage));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kBadMagic), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, HelloOfAnotherVersionIsNamed) {
  // Property: a well-formed hello whose magic is "LOTP2P2\0" (a later release) is refused and
  // counted as wrong_version, not as garbage; the node keeps serving.
  std::string hello = Hello(testing::kChainId, key(kRogue));
  hello[6] = '2';
  ASSERT_TRUE(SendAndExpectClose(hello));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kWrongVersion), 1u);
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kBadMagic), 0u);
  ExpectStillServes();
}

TEST_F(RogueTest, TruncatedHelloThenCloseIsCounted) {
  // Property: half a hello followed by a close is counted as a closed handshake and leaves no
  // pending state behind.
  const std::string hello = Hello(testing::kChainId, key(kRogue));
  ASSERT_TRUE(RunRogue([&] {
    RawClient client(port_);
    return client.connected() && client.Write(hello.substr(0, 50));
  }));
  ASSERT_TRUE(RunUntil(io(), [&] { return target().stats().failed(HandshakeFailure::kClosed); }));
  ExpectStillServes();
}

TEST_F(RogueTest, SilentOrTruncatedHelloTimesOut) {
  // Property: a client that sends half a hello and then waits is closed after
  // handshake_timeout_ms and counted as timeout.
  const std::string hello = Hello(testing::kChainId, key(kRogue));
  ASSERT_TRUE(RunRogue([&] {
    RawClient client(port_, std::chrono::seconds(3));
    return client.connected() && client.Write(hello.substr(0, 50)) && client.WaitClosed();
  }));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kTimeout), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, UnknownKeyIsRefused) {
  // Property: a well-formed hello from a key outside the validator set is refused
  // (unknown_key) before any session is set up.
  const core::SecretKey stranger = core::SecretKey::FromSeed(std::string(32, 'S')).value();
  ASSERT_TRUE(SendAndExpectClose(Hello(testing::kChainId, stranger.PublicKey())));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kUnknownKey), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, OwnKeyIsRefused) {
  // Property: a hello claiming the target's own key is refused (own_key).
  ASSERT_TRUE(SendAndExpectClose(Hello(testing::kChainId, key(kTarget))));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kOwnKey), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, WrongChainIsRefused) {
  // Property: a hello for another chain id is refused (wrong_chain), even from a valid key.
  ASSERT_TRUE(SendAndExpectClose(Hello("another-chain", key(kRogue))));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kWrongChain), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, WrongDialDirectionIsRefused) {
  // Property: a hello arriving at L (k0) from k2 is refused (wrong_direction): by the
  // smaller-key-dials rule L dials k2, never the reverse, so no duplicate link can form.
  const uint16_t legit_port = cluster_->node(kLegit).transport->listen_port();
  const std::string hello = Hello(testing::kChainId, key(kTarget));
  ASSERT_TRUE(RunRogue([&] {
    RawClient client(legit_port);
    return client.connected() && client.Write(hello) && client.WaitClosed();
  }));
  EXPECT_EQ(cluster_->node(kLegit).transport->stats().failed(HandshakeFailure::kWrongDirection),
            1u);
  ExpectStillServes();
}

TEST_F(RogueTest, DegenerateEphemeralKeyIsRefused) {
  // Property: an all-zero X25519 key (low-order point) is refused (bad_key_exchange).
  std::string hello = Hello(testing::kChainId, key(kRogue));
  hello.replace(40, 32, std::string(32, '\0'));
  ASSERT_TRUE(SendAndExpectClose(hello));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kBadKeyExchange), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, ClaimedKeyWithoutItsSecretIsRefused) {
  // Property: claiming a validator's key but signing the transcript with another key fails
  // signature verification (bad_signature): the identity is proven, not asserted.
  const core::SecretKey stranger = core::SecretKey::FromSeed(std::string(32, 'S')).value();
  ASSERT_TRUE(RunRogue([&] {
    RawClient client(port_);
    testing::RawHandshakeOptions options{.identity = &secret(kRogue), .signing_key = &stranger};
    return client.connected() && RawHandshake(client, options) != nullptr && client.WaitClosed();
  }));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kBadSignature), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, GarbageSignatureFrameIsRefused) {
  // Property: after a valid hello, a first frame that is not a sealed 64-byte signature
  // (wrong length) is refused as bad_auth_frame.
  const std::string hello = Hello(testing::kChainId, key(kRogue));
  ASSERT_TRUE(RunRogue([&] {
    RawClient client(port_);
    if (!client.connected() || !client.Write(hello)) return false;
    if (!client.Read(wire::kHelloBytes)) return false;
    return client.Write(std::string("\x00\x00\x00\x05hello", 9)) && client.WaitClosed();
  }));
  EXPECT_EQ(target().stats().failed(HandshakeFailure::kBadAuthFrame), 1u);
  ExpectStillServes();
}

TEST_F(RogueTest, OversizedLengthPrefixAfterHandshakeDisconnects) {
  // Property: an authenticated peer announcing a frame over frame_bytes_max is disconnected
  // at once (bad_frame_length), before the transport buffers any of it.
  const uint64_t ok_before = target().stats().handshakes_ok;
  ASSERT_TRUE(RunRogue([&] {
    RawClient client(port_);
    if (!client.connected()) return false;
    if (!RawHandshake(client, {.identity = &secret(kRogue)})) return false;
    return client.Write(std::string("\xff\xff\xff\xff", 4)) && client.WaitClosed();
  }));
  const TransportStats stats = target().stats();
  EXPECT_EQ(stats.handshakes_ok, ok_before + 1);
  EXPECT_EQ(stats.disconnected(DisconnectReason::kBadFrameLength), 1u);
  EXPECT_FALSE(target().connected(key(kRogue)));
  ExpectStillServes();
}

TEST_F(RogueTest, ForgedFrameAfterHandshakeDisconnects) {
  // Property: an authenticated peer sending a frame that fails AEAD authentication is
  // disconnected (decrypt_failed) and nothing is delivered; a valid frame before it is.
  ASSERT_TRUE(RunRogue([&] {
    RawClient client(port_);
    if (!client.connected()) return false;
    std::unique_ptr<testing::RawSession> session =
        RawHandshake(client, {.identity = &secret(kRogue)});
    if (!session) return false;
    std::string wire_bytes;
    session->sealer->SealAppend("genuine", wire_bytes);
    std::string forged;
    session->sealer->SealAppend("forged", forged);
    forged[6] = static_cast<char>(forged[6] ^ 0x40);
    return client.Write(wire_bytes + forged) && client.WaitClosed();
  }));
  const TransportStats stats = target().stats();
  EXPECT_EQ(stats.disconnected(DisconnectReason::kDecryptFailed), 1u);
  const testing::TestNode& tnode = cluster_->node(kTarget);
  ASSERT_EQ(tnode.ReceivedFrom(key(kRogue)), 1u);
  EXPECT_EQ(tnode.link_up.at(key(kRogue)), false);
  // Only the genuine frame from the rogue's session; drop it so ExpectStillServes checks L.
  cluster_->node(kTarget).received.clear();
  ExpectStillServes();
}

TEST_F(RogueTest, PendingConnectionsAreBounded) {
  // Property: with pending_inbound_max (4) silent connections open, the next one is closed at
  // once (pending_full); the silent ones time out; L is unaffected.
  ASSERT_TRUE(RunRogue([&] {
    std::vector<std::unique_ptr<RawClient>> silent;
    for (int i = 0; i < 4; ++i) silent.push_back(std::make_unique<RawClient>(port_));
    // Wait until the target has sent its hello on each: then all four are accepted.
    for (auto& c : silent) {
      if (!c->connected() || !c->Read(wire::kHelloBytes)) return false;
    }
    RawClient extra(port_);
    if (!extra.connected() || !extra.WaitClosed()) return false;
    for (auto& c : silent) {
      if (!c->WaitClosed()) return false;
    }
    return true;
  }));
  const TransportStats stats = target().stats();
  EXPECT_EQ(stats.failed(HandshakeFailure::kPendingFull), 1u);
  EXPECT_EQ(stats.failed(HandshakeFailure::kTimeout), 4u);
  ExpectStillServes();
}

TEST_F(RogueTest, RandomStreamsNeverGetThrough) {
  // Property (fuzz-style, fixed seed): 40 connections sending random byte streams, half of
  // them after a valid-looking hello prefix, are all refused; none delivers a frame or opens a
  // link; the target keeps serving L.
  std::mt19937_64 rng(0x5eed);
  const std::string hello = Hello(testing::kChainId, key(kRogue));
  for (int i = 0; i < 40; ++i) {
    std::string stream(rng() % 400, '\0');
    for (char& c : stream) c = static_cast<char>(rng());
    if (i % 2 == 1) stream = hello.substr(0, rng() % (hello.size() + 1)) + stream;
    ASSERT_TRUE(RunRogue([&] {
      RawClient client(port_, std::chrono::seconds(3));
      if (!client.connected()) return false;
      client.Write(stream);  // the target may already have closed
      client.Close();
      return true;
    }));
  }
  ASSERT_TRUE(RunUntil(io(), [&] {
    const TransportStats s = target().stats();
    uint64_t failed = 0;
    for (uint64_t f : s.handshakes_failed) failed += f;
    return failed == 40;
  }));
  EXPECT_EQ(target().stats().handshakes_ok, 1u);  // only L
  ExpectStillServes();
}

}  // namespace
}  // namespace lotchain::node
