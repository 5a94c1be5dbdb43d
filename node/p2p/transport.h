// Transport: the validator-to-validator link layer of lotchaind (docs/P2P.md).
//
// TCP on Boost.Asio. Each link starts with an authenticated key exchange (ephemeral X25519 via
// crypto_kx, each side signing the handshake transcript with its Ed25519 identity), then carries
// length-prefixed frames sealed with ChaCha20-Poly1305. Only keys listed in `peers` (the
// genesis validator set) are accepted. Frames are opaque bytes to the transport (the node puts
// serialized lotchain.v1.P2pMessage in them).
//
// Connections: for each pair of validators, the one with the lexicographically smaller public
// key (memcmp of the 32 raw bytes) dials and the other only accepts. A dialer whose link fails
// or drops redials with exponential backoff and jitter; an acceptor that authenticates a new
// link from a peer it is already connected to replaces the old link (the peer restarted).
//
// Threading: single-threaded. Every public method must be called from the thread that runs the
// io_context (or before it runs), and every handler is invoked on that thread from inside the
// io_context. Handlers may call back into the Transport (Send, Broadcast, even Stop). Nothing
// blocks: all socket operations and name resolution are asynchronous. The io_context must
// outlive the Transport.
//
// Errors: Start() returns a Status for bad options (BAD_P2P_CONFIG) and for a listener that
// cannot bind (P2P_LISTEN_FAILED, e.g. the port is taken). Everything that goes wrong later (a
// misbehaving or unreachable peer, a full queue) is counted in stats() and Peers(), never
// thrown; a misbehaving peer is disconnected.
//
// Limits: frame size (frame_bytes_max), per-peer send queue (frames and bytes; when full, new
// frames are dropped and counted), per-peer inbound frame rate (a peer over it is
// disconnected), unauthenticated inbound connections (pending_inbound_max; more are closed at
// once), handshake time. Memory is bounded by these: per link, one receive buffer of at most
// frame_bytes_max + 20 bytes, the send queue, and one write batch.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/result.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace lotchain::node {

struct PeerConfig {
  std::string id;          // a name for logs and metrics ("v1")
  std::string public_key;  // 32 raw bytes, Ed25519
  std::string address;     // "host:port"; needed only for peers this node dials (larger keys)
};

struct TransportOptions {
  std::string chain_id;
  // This validator's Ed25519 key.
  core::SecretKey identity;
  // "ip:port", an IP literal ("[::1]:26600" for IPv6). Port 0 picks a free port (tests); see
  // Transport::listen_port().
  std::string listen_address;
  // Every other validator; only these keys are accepted (but see observers_max).
  std::vector<PeerConfig> peers;
  // Up to this many inbound links at once from keys not in `peers`: observer nodes (a member's
  // node outside the validator set) that follow the chain through this one. 0: none.
  uint32_t observers_max = 0;
  // This node is an observer: it dials every peer, whatever the key order (validators never
  // dial observers). SetPeers changes it when the node joins or leaves the validator set.
  bool dial_all = false;
  // Plaintext bytes per frame, both directions.
  size_t frame_bytes_max = 16u << 20;
  // Per peer: plaintext bytes and frames waiting to be sealed. New frames beyond either are
  // dropped and counted.
  size_t send_queue_bytes_max = 64u << 20;
  size_t send_queue_frames_max = 10000;
  // Per peer, with a one-second burst; a peer over it is disconnected and counted.
  uint32_t inbound_frames_per_second_max = 20000;
  // From accept, or from the start of a dial (name resolution included).
  uint32_t handshake_timeout_ms = 5000;
  uint32_t reconnect_backoff_min_ms = 100;
  uint32_t reconnect_backoff_max_ms = 5000;
  // Unauthenticated inbound connections at once; more are closed on accept.
  uint32_t pending_inbound_max = 64;
};

// Why a handshake failed (inbound or outbound). Names (for metrics) via HandshakeFailureName.
enum class HandshakeFailure : uint8_t {
  kConnectFailed,   // dial: name resolution or TCP connect failed
  kPendingFull,     // accept: pending_inbound_max unauthenticated connections already open
  kTimeout,         // handshake_timeout_ms elapsed
  kClosed,          // the peer closed the connection or a socket error occurred
  kBadMagic,        // the hello did not start with "LOTP2P1\0"
  kWrongChain,      // the hello names another chain
  kOwnKey,          // the peer claims our own identity key
  kUnknownKey,      // the identity key is not in `peers`
  kWrongDirection,  // a peer that we are supposed to dial dialed us
  kUnexpectedKey,   // dial: the peer at the address is not the validator we dialed
  kBadKeyExchange,  // the ephemeral key is degenerate (low-order point)
  kBadAuthFrame,    // the signature frame has the wrong length or fails authentication
  kBadSignature,    // the transcript signature does not verify
  kWrongVersion,    // the hello is a lotchain p2p hello of another protocol version ("LOTP2Pn")
};
inline constexpr size_t kHandshakeFailureCount = 14;

// Why an authenticated link closed. Names via DisconnectReasonName.
enum class DisconnectReason : uint8_t {
  kPeerClosed,      // orderly close (EOF) by the peer
  kIoError,         // read or write error
  kBadFrameLength,  // a length prefix outside [16, frame_bytes_max + 16]
  kDecryptFailed,   // a frame failed authentication
  kRateLimited,     // the peer sent more than inbound_frames_per_second_max
  kReplaced,        // the peer completed a newer handshake (it restarted)
  kRemoved,         // the peer left the validator set (SetPeers)
};
inline constexpr size_t kDisconnectReasonCount = 7;

std::string_view HandshakeFailureName(HandshakeFailure failure);
std::string_view DisconnectReasonName(DisconnectReason reason);

// Counters since construction.
struct TransportStats {
  uint64_t handshakes_ok = 0;
  std::array<uint64_t, kHandshakeFailureCount> handshakes_failed{};  // by HandshakeFailure
  std::array<uint64_t, kDisconnectReasonCount> disconnects{};        // by DisconnectReason
  uint64_t frames_in = 0;   // delivered to the MessageHandler
  uint64_t bytes_in = 0;    // plaintext
  uint64_t frames_out = 0;  // sealed and handed to the socket
  uint64_t bytes_out = 0;   // plaintext
  uint64_t frames_dropped_queue_full = 0;
  uint64_t frames_dropped_not_connected = 0;
  uint64_t frames_dropped_too_large = 0;  // Send of a frame over frame_bytes_max

  uint64_t failed(HandshakeFailure f) const { return handshakes_failed[static_cast<size_t>(f)]; }
  uint64_t disconnected(DisconnectReason r) const { return disconnects[static_cast<size_t>(r)]; }
};

struct PeerInfo {
  std::string id;
  std::string public_key;
  std::string address;
  bool dialer = false;  // true if this node dials the peer
  bool connected = false;
  uint64_t frames_in = 0, bytes_in = 0, frames_out = 0, bytes_out = 0;
  uint64_t frames_dropped = 0;  // queue full, not connected or too large
  uint64_t connects = 0;        // authenticated links opened
  uint64_t disconnects = 0;     // authenticated links closed (any reason but Stop)
  size_t send_queue_frames = 0, send_queue_bytes = 0;
};

namespace internal {
class TransportCore;
}  // namespace internal

class Transport {
 public:
  // `peer_key` is the peer's 32-byte Ed25519 key; `frame` the plaintext of one frame.
  using MessageHandler = std::function<void(const std::string& peer_key, std::string frame)>;
  // Called with true when an authenticated link to the peer opens, false when it closes.
  // Calls for one peer alternate, starting with true. Not called by Stop().
  using PeerHandler = std::function<void(const std::string& peer_key, bool connected)>;

  Transport(boost::asio::io_context& io, TransportOptions options, MessageHandler on_message,
            PeerHandler on_peer);
  ~Transport();  // Stop()s
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Validates the options, binds and listens, starts accepting and dialing. Call once.
  core::Status Start();
  // Closes the listener and every connection and cancels timers. No handler runs after Stop
  // returns. Idempotent; the Transport cannot be restarted (make a new one).
  void Stop();

  // Queues `frame` for the peer. Dropped and counted if the peer is not connected, the frame
  // exceeds frame_bytes_max, or the peer's send queue is full. Frames to one peer arrive in
  // order, exactly once, while its link stays up; a frame queued when a link drops is lost.
  void Send(const std::string& peer_key, std::string frame);
  // Send to every connected peer (one shared copy of the bytes).
  void Broadcast(std::string frame);
  // Replaces the set of accepted peers (a validator-set change): links to keys no longer listed
  // close and their handshakes are refused from now on; new keys are dialled (when ours is the
  // smaller key) or accepted; a changed address is used from the next dial. Peers with an
  // address that is not host:port and that we would dial are left out (BAD_P2P_CONFIG names
  // them; the others still apply).
  core::Status SetPeers(std::vector<PeerConfig> peers, bool dial_all = false);

  std::vector<PeerInfo> Peers() const;  // sorted by public key
  bool connected(const std::string& peer_key) const;
  uint16_t listen_port() const;  // the bound port after a successful Start(), else 0
  TransportStats stats() const;

 private:
  std::shared_ptr<internal::TransportCore> core_;
};

}  // namespace lotchain::node
