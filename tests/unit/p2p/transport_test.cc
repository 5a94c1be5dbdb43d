// Transports on 127.0.0.1 (port 0) in one io_context: delivery, broadcast, reconnects and
// limits. These tests open loopback sockets (the p2p suite is the exception to "unit tests
// never open sockets": the transport is socket code). Every wait is bounded by RunUntil.
#include "node/p2p/transport.h"

#include <gtest/gtest.h>

#include "tests/unit/p2p/p2p_test_util.h"

namespace lotchain::node {
namespace {

using testing::Cluster;
using testing::RunUntil;

std::string Label(size_t from, size_t to, int seq) {
  return "from " + std::to_string(from) + " to " + std::to_string(to) + " #" + std::to_string(seq);
}

// Every node sends `per_pair` frames to every other node and one broadcast; checks that each
// node receives exactly those, in order per sender.
void ExpectMeshDelivers(size_t count) {
  Cluster cluster(count);
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  constexpr int kPerPair = 20;
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = 0; j < count; ++j) {
      if (i == j) continue;
      for (int s = 0; s < kPerPair; ++s) {
        cluster.node(i).transport->Send(cluster.key(j), Label(i, j, s));
      }
    }
    cluster.node(i).transport->Broadcast("broadcast from " + std::to_string(i));
  }
  const size_t expected = (count - 1) * (kPerPair + 1);
  ASSERT_TRUE(RunUntil(cluster.io(), [&] {
    for (size_t i = 0; i < count; ++i) {
      if (cluster.node(i).received.size() < expected) return false;
    }
    return true;
  }));
  for (size_t j = 0; j < count; ++j) {
    const testing::TestNode& receiver = cluster.node(j);
    EXPECT_EQ(receiver.received.size(), expected);
    for (size_t i = 0; i < count; ++i) {
      if (i == j) continue;
      std::vector<std::string> from_i;
      for (const auto& [peer, frame] : receiver.received) {
        if (peer == cluster.key(i)) from_i.push_back(frame);
      }
      ASSERT_EQ(from_i.size(), static_cast<size_t>(kPerPair + 1));
      for (int s = 0; s < kPerPair; ++s) EXPECT_EQ(from_i[static_cast<size_t>(s)], Label(i, j, s));
      EXPECT_EQ(from_i.back(), "broadcast from " + std::to_string(i));
    }
    const TransportStats stats = receiver.transport->stats();
    EXPECT_EQ(stats.frames_in, expected);
    EXPECT_EQ(stats.frames_out, expected);
    EXPECT_EQ(stats.frames_dropped_not_connected + stats.frames_dropped_queue_full, 0u);
  }
}

TEST(TransportTest, TwoNodesExchangeFramesBothWays) {
  // Property: two transports connect once (the smaller key dials) and deliver frames both
  // ways, in order, exactly once.
  ExpectMeshDelivers(2);
}

TEST(TransportTest, ThreeNodesExchangeAndBroadcast) {
  // Property: as above for a full mesh of three, including Broadcast.
  ExpectMeshDelivers(3);
}

TEST(TransportTest, FourNodesExchangeAndBroadcast) {
  // Property: as above for a full mesh of four (a BFT cluster tolerating one fault).
  ExpectMeshDelivers(4);
}

TEST(TransportTest, DialsOnlyTowardLargerKeysAndReportsPeers) {
  // Property: Peers() reports the dial direction by key order, both ends report one connect,
  // and the PeerHandler saw exactly one "up" per peer.
  Cluster cluster(3);
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  for (size_t i = 0; i < 3; ++i) {
    for (const PeerInfo& info : cluster.node(i).transport->Peers()) {
      EXPECT_EQ(info.dialer, cluster.key(i) < info.public_key);
      EXPECT_TRUE(info.connected);
      EXPECT_EQ(info.connects, 1u);
      EXPECT_EQ(cluster.node(i).link_events[info.public_key], 1);
    }
    EXPECT_EQ(cluster.node(i).transport->stats().handshakes_ok, 2u);
  }
}

TEST(TransportTest, LargeFramesArriveIntact) {
  // Property: frames up to frame_bytes_max (here 4 MiB) cross intact, growing and shrinking
  // the receive buffer; one byte more is refused at Send and counted.
  Cluster cluster(2, [](size_t, TransportOptions& o) { o.frame_bytes_max = 4u << 20; });
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  std::string big(4u << 20, '\0');
  for (size_t k = 0; k < big.size(); ++k) big[k] = static_cast<char>(k * 31 % 251);
  cluster.node(0).transport->Send(cluster.key(1), big);
  cluster.node(0).transport->Send(cluster.key(1), "small after big");
  cluster.node(0).transport->Send(cluster.key(1), std::string((4u << 20) + 1, 'x'));
  ASSERT_TRUE(RunUntil(cluster.io(), [&] { return cluster.node(1).received.size() == 2; }));
  EXPECT_EQ(cluster.node(1).received[0].second, big);
  EXPECT_EQ(cluster.node(1).received[1].second, "small after big");
  EXPECT_EQ(cluster.node(0).transport->stats().frames_dropped_too_large, 1u);
}

TEST(TransportTest, ListenerRestartIsRedialedAndDeliveryResumes) {
  // Property: when the accepting node (larger key) restarts on the same port, the dialer sees
  // the link drop, redials with backoff, and frames flow again both ways.
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  const uint16_t port = cluster.node(1).transport->listen_port();
  cluster.node(1).transport.reset();
  ASSERT_TRUE(RunUntil(cluster.io(),
                       [&] { return !cluster.node(0).transport->connected(cluster.key(1)); }));
  EXPECT_FALSE(cluster.node(0).link_up[cluster.key(1)]);
  ASSERT_TRUE(cluster.StartNode(1, port).ok());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  EXPECT_TRUE(cluster.node(0).link_up[cluster.key(1)]);
  cluster.node(0).transport->Send(cluster.key(1), "after restart");
  cluster.node(1).transport->Send(cluster.key(0), "reply");
  ASSERT_TRUE(RunUntil(cluster.io(), [&] {
    return cluster.node(1).ReceivedFrom(cluster.key(0)) == 1 &&
           cluster.node(0).ReceivedFrom(cluster.key(1)) == 1;
  }));
  EXPECT_EQ(cluster.node(1).received.back().second, "after restart");
  EXPECT_EQ(cluster.node(0).received.back().second, "reply");
  const PeerInfo info = cluster.node(0).transport->Peers()[0];
  EXPECT_EQ(info.connects, 2u);
  EXPECT_EQ(info.disconnects, 1u);
}

TEST(TransportTest, DialerRestartReplacesOrClosesTheOldLink) {
  // Property: when the dialing node restarts, the acceptor ends up with exactly one live link
  // to it (the old one closed or replaced) and delivery resumes.
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  ASSERT_TRUE(cluster.StartNode(0).ok());  // new instance, new port: it only dials
  ASSERT_TRUE(cluster.WaitFullyConnected());
  cluster.node(0).transport->Send(cluster.key(1), "from new instance");
  ASSERT_TRUE(RunUntil(cluster.io(), [&] { return cluster.node(1).received.size() == 1; }));
  EXPECT_EQ(cluster.node(1).received[0].second, "from new instance");
  const TransportStats stats = cluster.node(1).transport->stats();
  EXPECT_EQ(stats.disconnected(DisconnectReason::kPeerClosed) +
                stats.disconnected(DisconnectReason::kReplaced),
            1u);
  EXPECT_TRUE(cluster.node(1).link_up[cluster.key(0)]);
  EXPECT_EQ(cluster.node(1).link_events[cluster.key(0)], 3);  // up, down, up
}

TEST(TransportTest, UnreachablePeerIsRetriedWithBackoff) {
  // Property: a dialer whose peer is down counts connect failures and keeps retrying (more
  // than one attempt within a few backoff periods), then connects once the peer comes up.
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartNode(1).ok());
  const uint16_t port = cluster.node(1).transport->listen_port();
  cluster.node(1).transport.reset();  // the address is known but nobody listens
  ASSERT_TRUE(cluster.StartNode(0).ok());
  ASSERT_TRUE(RunUntil(cluster.io(), [&] {
    return cluster.node(0).transport->stats().failed(HandshakeFailure::kConnectFailed) >= 3;
  }));
  ASSERT_TRUE(cluster.StartNode(1, port).ok());
  ASSERT_TRUE(cluster.WaitFullyConnected());
}

TEST(TransportTest, DialerRefusesAnImpostorAtThePeersAddress) {
  // Property: if the address configured for v2 answers with another validator's key (v1's),
  // the dialer refuses the link (unexpected_key) and never reports v2 connected.
  Cluster cluster(3, [](size_t i, TransportOptions& o) {
    if (i == 0) o.peers[1].address = o.peers[0].address;  // "v2" -> v1's listener
  });
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(RunUntil(cluster.io(), [&] {
    return cluster.node(0).transport->stats().failed(HandshakeFailure::kUnexpectedKey) >= 1;
  }));
  EXPECT_FALSE(cluster.node(0).transport->connected(cluster.key(2)));
  EXPECT_TRUE(cluster.node(0).transport->connected(cluster.key(1)));
}

TEST(TransportTest, FullSendQueueDropsAndCounts) {
  // Property: frames beyond send_queue_frames_max (or _bytes_max) are dropped and counted,
  // and every frame not dropped is delivered.
  Cluster cluster(2, [](size_t, TransportOptions& o) {
    o.send_queue_frames_max = 8;
    o.send_queue_bytes_max = 3000;
  });
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  Transport& sender = *cluster.node(0).transport;
  constexpr size_t kSent = 100;
  for (size_t s = 0; s < kSent; ++s) sender.Send(cluster.key(1), std::string(10, 'a'));
  for (size_t s = 0; s < kSent; ++s) sender.Send(cluster.key(1), std::string(1000, 'b'));
  const uint64_t dropped = sender.stats().frames_dropped_queue_full;
  EXPECT_GT(dropped, 0u);
  EXPECT_LE(sender.Peers()[0].send_queue_frames, 8u);
  EXPECT_LE(sender.Peers()[0].send_queue_bytes, 3000u);
  EXPECT_EQ(sender.Peers()[0].frames_dropped, dropped);
  ASSERT_TRUE(RunUntil(cluster.io(),
                       [&] { return cluster.node(1).received.size() == 2 * kSent - dropped; }));
  EXPECT_EQ(sender.stats().frames_out, 2 * kSent - dropped);
}

TEST(TransportTest, SendToDisconnectedOrUnknownPeerIsCounted) {
  // Property: Send to a peer with no link, or to a key not in the peer set, is a counted no-op.
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartNode(1).ok());
  cluster.node(1).transport->Send(cluster.key(0), "nobody home");
  cluster.node(1).transport->Send(std::string(32, 'q'), "not a validator");
  EXPECT_EQ(cluster.node(1).transport->stats().frames_dropped_not_connected, 2u);
}

TEST(TransportTest, FloodingPeerIsDisconnectedByRateLimit) {
  // Property: a peer sending more than inbound_frames_per_second_max frames is disconnected
  // and counted; the link is re-established afterwards (the dialer retries).
  Cluster cluster(2, [](size_t i, TransportOptions& o) {
    if (i == 1) o.inbound_frames_per_second_max = 50;
  });
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  for (int s = 0; s < 500; ++s) cluster.node(0).transport->Send(cluster.key(1), "flood");
  ASSERT_TRUE(RunUntil(cluster.io(), [&] {
    return cluster.node(1).transport->stats().disconnected(DisconnectReason::kRateLimited) == 1;
  }));
  // The one-second burst, plus the odd token refilled (one per 20 ms) while frames trickle in.
  EXPECT_GE(cluster.node(1).received.size(), 50u);
  EXPECT_LT(cluster.node(1).received.size(), 500u);
  ASSERT_TRUE(cluster.WaitFullyConnected());
}

TEST(TransportTest, TakenPortIsAClearError) {
  // Property: Start() on a port that is already listening fails with P2P_LISTEN_FAILED naming
  // the address.
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartNode(1).ok());
  const uint16_t port = cluster.node(1).transport->listen_port();
  const core::Status status = cluster.StartNode(0, port);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), "P2P_LISTEN_FAILED");
  EXPECT_NE(status.message().find(std::to_string(port)), std::string::npos) << status.message();
}

TEST(TransportTest, BadOptionsAreRefused) {
  // Property: malformed options are refused by Start() with BAD_P2P_CONFIG.
  boost::asio::io_context io;
  const std::vector<core::SecretKey> keys = testing::SortedKeys(2);
  auto start = [&](const std::function<void(TransportOptions&)>& mutate) {
    TransportOptions o;
    o.chain_id = "c";
    o.identity = keys[0];
    o.listen_address = "127.0.0.1:0";
    o.peers = {{.id = "v1", .public_key = keys[1].PublicKey(), .address = "127.0.0.1:1"}};
    mutate(o);
    Transport t(io, std::move(o), nullptr, nullptr);
    return t.Start().code();
  };
  EXPECT_EQ(start([](TransportOptions&) {}), "");
  EXPECT_EQ(start([](TransportOptions& o) { o.peers[0].public_key = "short"; }), "BAD_P2P_CONFIG");
  EXPECT_EQ(start([&](TransportOptions& o) { o.peers[0].public_key = keys[0].PublicKey(); }),
            "BAD_P2P_CONFIG");
  EXPECT_EQ(start([](TransportOptions& o) { o.peers.push_back(o.peers[0]); }), "BAD_P2P_CONFIG");
  EXPECT_EQ(start([](TransportOptions& o) { o.peers[0].address = "nohostport"; }),
            "BAD_P2P_CONFIG");
  EXPECT_EQ(start([](TransportOptions& o) { o.listen_address = "localhost:0"; }), "BAD_P2P_CONFIG");
  EXPECT_EQ(start([](TransportOptions& o) { o.frame_bytes_max = 0; }), "BAD_P2P_CONFIG");
  EXPECT_EQ(start([](TransportOptions& o) { o.reconnect_backoff_max_ms = 1; }), "BAD_P2P_CONFIG");
  EXPECT_EQ(start([](TransportOptions& o) { o.chain_id.clear(); }), "BAD_P2P_CONFIG");
}

TEST(TransportTest, HandlersMayStopTheTransport) {
  // Property: calling Stop() from inside the MessageHandler is safe; no handler runs after it,
  // and the peer sees the link close.
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  boost::asio::io_context& io = cluster.io();
  int messages = 0;
  testing::TestNode& n1 = cluster.node(1);
  // Rebuild node 1 with a handler that stops on the first frame.
  const uint16_t port = n1.transport->listen_port();
  n1.transport.reset();
  auto options = cluster.Options(1, port);
  Transport* self = nullptr;
  auto transport = std::make_unique<Transport>(
      io, std::move(options),
      [&](const std::string&, std::string) {
        ++messages;
        self->Stop();
      },
      nullptr);
  self = transport.get();
  ASSERT_TRUE(transport->Start().ok());
  // Wait for the new link at both ends (node 0 may still hold the old one for a moment).
  ASSERT_TRUE(RunUntil(io, [&] {
    return transport->connected(cluster.key(0)) &&
           cluster.node(0).transport->Peers()[0].connects == 2;
  }));
  for (int s = 0; s < 10; ++s) cluster.node(0).transport->Send(cluster.key(1), "x");
  ASSERT_TRUE(RunUntil(io, [&] { return messages > 0; }));
  testing::RunFor(io, std::chrono::milliseconds(50));
  EXPECT_EQ(messages, 1);
  EXPECT_FALSE(transport->connected(cluster.key(0)));
}

}  // namespace
}  // namespace lotchain::node

namespace lotchain::node {
namespace {

// Property (validator-set changes, docs/GOVERNANCE.md): SetPeers connects to a key that was not
// a peer, without a restart, and closes and then refuses a key that left the set.
TEST(TransportTest, SetPeersFollowsAValidatorSetChange) {
  // Nodes 0 and 1 start without node 2; node 2 knows both.
  testing::Cluster cluster(3, [](size_t index, TransportOptions& options) {
    if (index == 2) return;
    std::erase_if(options.peers, [](const PeerConfig& p) { return p.id == "v2"; });
  });
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_TRUE(testing::RunUntil(cluster.io(), [&] {
    return cluster.node(0).transport->connected(cluster.key(1));
  }));
  EXPECT_FALSE(cluster.node(0).transport->connected(cluster.key(2)));
  auto peer = [&](size_t j) { return cluster.Peer(j); };
  // Node 2 is voted in: 0 and 1 add it; the smaller keys dial it.
  ASSERT_TRUE(cluster.node(0).transport->SetPeers({peer(1), peer(2)}).ok());
  ASSERT_TRUE(cluster.node(1).transport->SetPeers({peer(0), peer(2)}).ok());
  ASSERT_TRUE(cluster.WaitFullyConnected());
  // Node 1 is voted out: node 0 drops it and refuses it from then on.
  ASSERT_TRUE(cluster.node(0).transport->SetPeers({peer(2)}).ok());
  ASSERT_TRUE(testing::RunUntil(cluster.io(), [&] {
    return !cluster.node(1).transport->connected(cluster.key(0));
  }));
  EXPECT_FALSE(cluster.node(0).transport->connected(cluster.key(1)));
  EXPECT_EQ(cluster.node(0).transport->stats().disconnected(DisconnectReason::kRemoved), 1u);
  EXPECT_EQ(cluster.node(0).transport->Peers().size(), 1u);
  cluster.node(0).transport->Send(cluster.key(1), "not a peer any more");
  cluster.node(0).transport->Send(cluster.key(2), "still a peer");
  ASSERT_TRUE(testing::RunUntil(cluster.io(), [&] {
    return cluster.node(2).ReceivedFrom(cluster.key(0)) == 1;
  }));
  EXPECT_EQ(cluster.node(1).ReceivedFrom(cluster.key(0)), 0u);
  // A bad address for a peer we would dial is named, the rest still applies.
  PeerConfig bad = peer(1);
  bad.address = "no-port";
  core::Status status = cluster.node(0).transport->SetPeers({peer(2), bad});
  EXPECT_EQ(status.code(), "BAD_P2P_CONFIG");
  EXPECT_TRUE(cluster.node(0).transport->connected(cluster.key(2)));
}

}  // namespace
}  // namespace lotchain::node

namespace lotchain::node {
namespace {

// Property (observer nodes, docs/GOVERNANCE.md): a node outside the validator set dials every
// validator (dial_all), validators accept it as an observer up to observers_max, frames flow
// both ways, and a validator with observers_max = 0 refuses it.
TEST(TransportTest, ObserversDialEveryValidatorAndAreAcceptedUpToTheLimit) {
  // Node 2 is the observer: the validators 0 and 1 do not list it; node 1 accepts none.
  testing::Cluster cluster(3, [](size_t index, TransportOptions& options) {
    if (index == 2) {
      options.dial_all = true;
      return;
    }
    std::erase_if(options.peers, [](const PeerConfig& p) { return p.id == "v2"; });
    options.observers_max = index == 0 ? 4 : 0;
  });
  // The observer dials both validators, so it starts after them (it has the largest key).
  ASSERT_TRUE(cluster.StartNode(1).ok());
  ASSERT_TRUE(cluster.StartNode(0).ok());
  ASSERT_TRUE(cluster.StartNode(2).ok());
  ASSERT_TRUE(testing::RunUntil(cluster.io(), [&] {
    return cluster.node(0).transport->connected(cluster.key(2)) &&
           cluster.node(0).transport->connected(cluster.key(1));
  }));
  cluster.node(0).transport->Broadcast("to all");
  cluster.node(2).transport->Send(cluster.key(0), "observed");
  ASSERT_TRUE(testing::RunUntil(cluster.io(), [&] {
    return cluster.node(2).ReceivedFrom(cluster.key(0)) == 1 &&
           cluster.node(0).ReceivedFrom(cluster.key(2)) == 1;
  }));
  // Node 1 refuses the observer (unknown key), however long it redials.
  testing::RunUntil(cluster.io(), [] { return false; }, std::chrono::milliseconds(300));
  EXPECT_FALSE(cluster.node(1).transport->connected(cluster.key(2)));
  EXPECT_GT(cluster.node(1).transport->stats().handshakes_failed[static_cast<size_t>(
                HandshakeFailure::kUnknownKey)],
            0u);
  // Voted in: both validators list it and it stops dialling everyone.
  auto peer = [&](size_t j) { return cluster.Peer(j); };
  ASSERT_TRUE(cluster.node(1).transport->SetPeers({peer(0), peer(2)}).ok());
  ASSERT_TRUE(cluster.node(0).transport->SetPeers({peer(1), peer(2)}).ok());
  ASSERT_TRUE(cluster.node(2).transport->SetPeers({peer(0), peer(1)}, false).ok());
  ASSERT_TRUE(cluster.WaitFullyConnected());
}

}  // namespace
}  // namespace lotchain::node
