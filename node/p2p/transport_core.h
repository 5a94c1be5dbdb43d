// Internal to lotchain_p2p: the state behind Transport. Not a public header.
//
// Lifetime: Transport owns a shared_ptr to the core; every pending asynchronous operation holds
// another one (and one to its Link), so a handler can never outlive what it touches. Stop()
// closes every socket and timer; the handlers then run with errors (or are destroyed with the
// io_context) and re-arm nothing, which releases the core.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/p2p/token_bucket.h"
#include "node/p2p/transport.h"
#include "node/p2p/wire.h"

namespace lotchain::node::internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

inline constexpr size_t kReadChunkBytes = 64u << 10;     // receive buffer size between frames
inline constexpr size_t kWriteBatchBytesMax = 1u << 20;  // frames sealed into one write
inline constexpr uint32_t kAcceptRetryMs = 100;          // after an accept error (e.g. EMFILE)
static_assert(kReadChunkBytes >=
              wire::kHelloBytes + wire::kLengthPrefixBytes + wire::kAuthCiphertextBytes);

enum class LinkState : uint8_t {
  kConnecting,  // dial: resolving and connecting
  kHello,       // our hello is sent; waiting for the peer's
  kAuth,        // session keys derived, our signature sent; waiting for the peer's
  kOpen,        // authenticated; application frames flow
  kClosed,      // socket closed; the Link only waits for its handlers to drain
};

struct Link {
  Link(asio::io_context& io, wire::Role link_role, uint64_t link_id)
      : socket(io), timer(io), resolver(io), role(link_role), id(link_id) {}

  tcp::socket socket;
  asio::steady_timer timer;  // handshake deadline
  tcp::resolver resolver;    // dial only
  const wire::Role role;
  const uint64_t id;  // unique per core, for tracing
  LinkState state = LinkState::kConnecting;
  std::string peer_key;  // dial: the key dialed; accept: set once the hello checks out

  // Handshake.
  std::optional<wire::EphemeralKeyPair> ephemeral;  // dropped (wiped) once keys are derived
  std::string own_hello;
  std::string peer_hello;
  std::optional<wire::FrameSealer> sealer;
  std::optional<wire::FrameOpener> opener;
  std::optional<TokenBucket> inbound_rate;

  // Receive: bytes [rx_begin, rx_end) of rx are received but not yet consumed.
  std::vector<char> rx;
  size_t rx_begin = 0;
  size_t rx_end = 0;

  // Send: tx_prefix holds wire bytes that go before any queued frame (hello, signature frame);
  // queue holds plaintext frames; tx_inflight is the one outstanding async_write's buffer.
  std::string tx_prefix;
  std::deque<std::shared_ptr<const std::string>> queue;
  size_t queue_bytes = 0;
  std::string tx_inflight;
  bool writing = false;
};

struct PeerState {
  PeerState(asio::io_context& io, PeerConfig peer_config, bool we_dial)
      : config(std::move(peer_config)), dialer(we_dial), backoff_timer(io) {}

  PeerConfig config;
  bool dialer;                       // our key is the smaller one, or we observe (dial_all)
  bool observer = false;             // an inbound observer, not one of `peers`
  bool retired = false;              // no longer a peer (SetPeers): refused, never dialled
  std::shared_ptr<Link> link;        // the open link, if any
  std::shared_ptr<Link> dialing;     // dialer only: the link being set up, if any
  asio::steady_timer backoff_timer;  // dialer only
  bool redial_scheduled = false;
  uint32_t failures_in_row = 0;  // dial attempts since the last successful handshake
  uint64_t frames_in = 0, bytes_in = 0, frames_out = 0, bytes_out = 0, frames_dropped = 0;
  uint64_t connects = 0, disconnects = 0;
};

class TransportCore : public std::enable_shared_from_this<TransportCore> {
 public:
  TransportCore(asio::io_context& io, TransportOptions options,
                Transport::MessageHandler on_message, Transport::PeerHandler on_peer);

  core::Status Start();
  void Stop();
  void Send(const std::string& peer_key, std::shared_ptr<const std::string> frame);
  void Broadcast(const std::shared_ptr<const std::string>& frame);
  core::Status SetPeers(std::vector<PeerConfig> peers, bool dial_all);
  std::vector<PeerInfo> Peers() const;
  bool connected(const std::string& peer_key) const;
  uint16_t listen_port() const { return listen_port_; }
  TransportStats stats() const { return stats_; }

 private:
  // transport.cc: lifecycle, accepting, dialing, peers.
  core::Status ValidateOptions() const;
  core::Status Listen();
  void AcceptNext();
  void OnAccept(const boost::system::error_code& ec, tcp::socket socket);
  void Dial(PeerState& peer);
  void ScheduleRedial(PeerState& peer);
  void Retire(PeerState& peer);
  bool WeDial(const std::string& key) const { return dial_all_ || own_key_ < key; }
  // An inbound hello from a key not among the peers: a state for it as an observer, when
  // observers_max allows one more (dead observer states are dropped first); else nullptr.
  PeerState* AdmitObserver(const std::string& key);
  PeerState* FindPeer(const std::string& key);
  void Enqueue(PeerState& peer, const std::shared_ptr<const std::string>& frame);

  // transport_link.cc: one link's handshake, framing and teardown.
  void ArmHandshakeTimer(const std::shared_ptr<Link>& link);
  void StartHandshake(const std::shared_ptr<Link>& link);
  void ReadMore(const std::shared_ptr<Link>& link);
  void OnRead(const std::shared_ptr<Link>& link, const boost::system::error_code& ec, size_t n);
  void ProcessReceived(const std::shared_ptr<Link>& link);
  bool ProcessHello(const std::shared_ptr<Link>& link, std::string_view hello);
  bool ProcessAuthFrame(const std::shared_ptr<Link>& link, std::string_view prefix,
                        std::string_view ciphertext);
  bool ProcessFrame(const std::shared_ptr<Link>& link, std::string_view prefix,
                    std::string_view ciphertext);
  void Establish(const std::shared_ptr<Link>& link);
  void Flush(const std::shared_ptr<Link>& link);
  void OnWritten(const std::shared_ptr<Link>& link, const boost::system::error_code& ec);
  // By value: callers may pass a pointer that these functions erase from the tables.
  void FailHandshake(std::shared_ptr<Link> link, HandshakeFailure failure);
  void Disconnect(std::shared_ptr<Link> link, DisconnectReason reason);
  void CloseOnError(const std::shared_ptr<Link>& link, const boost::system::error_code& ec);
  static void CloseSocket(Link& link);

  asio::io_context& io_;
  const TransportOptions options_;
  const std::string own_key_;
  const std::string chain_hash_;
  Transport::MessageHandler on_message_;
  Transport::PeerHandler on_peer_;

  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  uint16_t listen_port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  uint64_t next_link_id_ = 1;

  std::map<std::string, std::unique_ptr<PeerState>> peers_;  // by public key
  bool dial_all_ = false;
  std::map<uint64_t, std::shared_ptr<Link>> pending_;        // links in handshake, by Link::id
  uint32_t pending_inbound_ = 0;
  TransportStats stats_;
};

}  // namespace lotchain::node::internal
