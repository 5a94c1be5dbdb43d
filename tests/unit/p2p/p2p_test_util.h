// Test support for the p2p transport: deterministic keys, a small cluster of transports on
// loopback (port 0) in one io_context, a bounded event-loop runner, and a blocking raw TCP client
// with timeouts for playing a rogue peer from a separate thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "consensus/core/crypto.h"
#include "node/p2p/transport.h"
#include "node/p2p/wire.h"

namespace lotchain::node::testing {

inline constexpr std::string_view kChainId = "lotchain-p2p-test";

// `count` Ed25519 keys from fixed seeds, sorted by public key (so index order is dial order:
// key i dials key j iff i < j).
inline std::vector<core::SecretKey> SortedKeys(size_t count, unsigned char seed_base = 1) {
  core::InitCrypto();
  std::vector<core::SecretKey> keys;
  for (size_t i = 0; i < count; ++i) {
    const std::string seed(32, static_cast<char>(seed_base + i));
    keys.push_back(core::SecretKey::FromSeed(seed).value());
  }
  std::sort(keys.begin(), keys.end(), [](const core::SecretKey& a, const core::SecretKey& b) {
    return a.PublicKey() < b.PublicKey();
  });
  return keys;
}

// Runs the loop in short slices until `done` holds or `timeout` passes; returns done().
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
  return true;
}

inline void RunFor(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
}

inline std::string Loopback(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// One validator under test and what its handlers saw.
struct TestNode {
  core::SecretKey secret;
  std::string key;
  std::unique_ptr<Transport> transport;
  std::vector<std::pair<std::string, std::string>> received;  // (peer key, frame)
  std::map<std::string, bool> link_up;                        // last PeerHandler call per peer
  std::map<std::string, int> link_events;                     // PeerHandler calls per peer

  size_t ReceivedFrom(const std::string& peer) const {
    return static_cast<size_t>(std::count_if(received.begin(), received.end(),
                                             [&](const auto& m) { return m.first == peer; }));
  }
};

// A cluster of transports sharing one io_context. Start() starts them from the largest key to
// the smallest, so every node that dials (the smaller key of a pair) already knows the bound
// port of the node it dials. `addresses` remembers the bound ports for restarts.
class Cluster {
 public:
  using Tweak = std::function<void(size_t index, TransportOptions&)>;

  explicit Cluster(size_t count, Tweak tweak = nullptr)
      : keys_(SortedKeys(count)), tweak_(std::move(tweak)), nodes_(count) {
    for (size_t i = 0; i < count; ++i) {
      nodes_[i].secret = keys_[i];
      nodes_[i].key = keys_[i].PublicKey();
    }
    addresses_.assign(count, "");
  }

  boost::asio::io_context& io() { return io_; }
  TestNode& node(size_t i) { return nodes_[i]; }
  size_t size() const { return nodes_.size(); }
  const std::string& key(size_t i) const { return nodes_[i].key; }

  // Node j as a peer entry (its address once started), for SetPeers.
  PeerConfig Peer(size_t j) const {
    return {.id = "v" + std::to_string(j), .public_key = nodes_[j].key,
            .address = nodes_[j].transport ? Loopback(nodes_[j].transport->listen_port()) : ""};
  }

  TransportOptions Options(size_t i, uint16_t port) const {
    TransportOptions options;
    options.chain_id = std::string(kChainId);
    options.identity = keys_[i];
    options.listen_address = Loopback(port);
    options.handshake_timeout_ms = 2000;
    options.reconnect_backoff_min_ms = 20;
    options.reconnect_backoff_max_ms = 200;
    for (size_t j = 0; j < nodes_.size(); ++j) {
      if (j == i) continue;
      options.peers.push_back(
          {.id = "v" + std::to_string(j), .public_key = nodes_[j].key, .address = addresses_[j]});
    }
    if (tweak_) tweak_(i, options);
    return options;
  }

  // (Re)creates node i's transport listening on `port` and starts it.
  core::Status StartNode(size_t i, uint16_t port = 0) {
    TestNode& n = nodes_[i];
    n.transport.reset();
    n.transport = std::make_unique<Transport>(
        io_, Options(i, port),
        [&n](const std::string& peer, std::string frame) {
          n.received.emplace_back(peer, std::move(frame));
        },
        [&n](const std::string& peer, bool up) {
          n.link_up[peer] = up;
          ++n.link_events[peer];
        });
    core::Status status = n.transport->Start();
    if (status.ok()) addresses_[i] = Loopback(n.transport->listen_port());
    return status;
  }

  bool StartAll() {
    for (size_t i = nodes_.size(); i-- > 0;) {
      if (!StartNode(i).ok()) return false;
    }
    return true;
  }

  bool FullyConnected() const {
    for (const TestNode& n : nodes_) {
      if (!n.transport) return false;
      for (const TestNode& m : nodes_) {
        if (&n != &m && !n.transport->connected(m.key)) return false;
      }
    }
    return true;
  }

  bool WaitFullyConnected(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return RunUntil(
        io_, [this] { return FullyConnected(); }, timeout);
  }

 private:
  boost::asio::io_context io_;
  std::vector<core::SecretKey> keys_;
  Tweak tweak_;
  std::vector<TestNode> nodes_;
  std::vector<std::string> addresses_;
};

// A blocking IPv4 loopback TCP client with receive and send timeouts, for rogue-peer tests
// that run on their own thread while the test thread runs the io_context.
class RawClient {
 public:
  explicit RawClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { Close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // Writes all of `bytes`; false if the peer is gone (MSG_NOSIGNAL: no SIGPIPE).
  bool Write(std::string_view bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads exactly `count` bytes, or nullopt on EOF, error or timeout.
  std::optional<std::string> Read(size_t count) {
    std::string out(count, '\0');
    size_t done = 0;
    while (done < count) {
      const ssize_t n = ::recv(fd_, out.data() + done, count - done, 0);
      if (n <= 0) return std::nullopt;
      done += static_cast<size_t>(n);
    }
    return out;
  }

  // True once the peer closes the connection (EOF or reset), false on timeout.
  bool WaitClosed() {
    char buffer[4096];
    while (true) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    }
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// The client side of a handshake, done by hand over a RawClient: what a real dialer with
// `identity` does (docs/P2P.md). Returns the session on success.
struct RawSession {
  std::optional<wire::FrameSealer> sealer;
  std::optional<wire::FrameOpener> opener;
};

struct RawHandshakeOptions {
  std::string chain_id = std::string(kChainId);
  const core::SecretKey* identity = nullptr;     // key claimed and used to sign
  const core::SecretKey* signing_key = nullptr;  // overrides the signer (bad signature)
};

inline std::string ClientHello(const wire::EphemeralKeyPair& ephemeral, std::string_view chain_id,
                               const std::string& identity_key) {
  return wire::EncodeHello({.chain_hash = core::Sha256(chain_id),
                            .ephemeral_key = ephemeral.PublicKey(),
                            .identity_key = identity_key});
}

inline std::unique_ptr<RawSession> RawHandshake(RawClient& client, const RawHandshakeOptions& o) {
  wire::EphemeralKeyPair ephemeral;
  const std::string client_hello = ClientHello(ephemeral, o.chain_id, o.identity->PublicKey());
  if (!client.Write(client_hello)) return nullptr;
  const std::optional<std::string> server_hello = client.Read(wire::kHelloBytes);
  if (!server_hello) return nullptr;
  const std::optional<wire::Hello> hello = wire::DecodeHello(*server_hello);
  if (!hello) return nullptr;
  std::optional<wire::SessionKeys> keys =
      wire::DeriveSessionKeys(wire::Role::kClient, ephemeral, hello->ephemeral_key);
  if (!keys) return nullptr;
  auto session = std::make_unique<RawSession>();
  session->sealer.emplace(keys->tx);
  session->opener.emplace(keys->rx);
  const core::SecretKey* signer = o.signing_key != nullptr ? o.signing_key : o.identity;
  const std::string signature =
      signer->Sign(core::kHandshakeDomain, o.chain_id,
                   wire::Transcript(client_hello, *server_hello, wire::Role::kClient));
  std::string wire_bytes;
  session->sealer->SealAppend(signature, wire_bytes);
  if (!client.Write(wire_bytes)) return nullptr;
  const std::optional<std::string> prefix = client.Read(wire::kLengthPrefixBytes);
  if (!prefix) return nullptr;
  const std::optional<std::string> body = client.Read(wire::DecodeLength(*prefix));
  if (!body) return nullptr;
  const std::optional<std::string> server_signature = session->opener->Open(*prefix, *body);
  if (!server_signature) return nullptr;
  if (!core::VerifySignature(hello->identity_key, core::kHandshakeDomain, o.chain_id,
                             wire::Transcript(client_hello, *server_hello, wire::Role::kServer),
                             *server_signature)) {
    return nullptr;
  }
  return session;
}

}  // namespace lotchain::node::testing
