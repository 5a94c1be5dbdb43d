// Transport lifecycle: options, the listener, dialing with backoff, the peer table and the send
// queues. The per-link protocol (handshake, framing, teardown) is in transport_link.cc.
#include <sodium.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <optional>
#include <set>
#include <utility>

#include "node/p2p/transport_core.h"

namespace lotchain::node {

namespace {

constexpr size_t kPeersMax = 1024;

struct HostPort {
  std::string host;
  std::string port;
  uint16_t port_number = 0;
};

// "host:port" or "[v6]:port". Pure.
std::optional<HostPort> SplitHostPort(std::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  uint16_t number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || port.empty() || host.empty()) {
    return std::nullopt;
  }
  return HostPort{std::string(host), std::string(port), number};
}

// Exponential backoff: min * 2^failures, capped at max, then jittered uniformly into
// [delay / 2, delay] so that validators restarted together do not redial in lockstep.
uint32_t BackoffDelayMs(uint32_t min_ms, uint32_t max_ms, uint32_t failures) {
  uint64_t delay = min_ms;
  for (uint32_t i = 0; i < failures && delay < max_ms; ++i) delay *= 2;
  if (delay > max_ms) delay = max_ms;
  const auto capped = static_cast<uint32_t>(delay);
  const uint32_t half = capped / 2;
  return capped - half + randombytes_uniform(half + 1);
}

core::Status ConfigError(std::string message) {
  return core::Status("BAD_P2P_CONFIG", std::move(message));
}

}  // namespace

std::string_view HandshakeFailureName(HandshakeFailure failure) {
  static constexpr std::array<std::string_view, kHandshakeFailureCount> kNames = {
      "connect_failed",   "pending_full",   "timeout",      "closed",          "bad_magic",
      "wrong_chain",      "own_key",        "unknown_key",  "wrong_direction", "unexpected_key",
      "bad_key_exchange", "bad_auth_frame", "bad_signature", "wrong_version"};
  static_assert(static_cast<size_t>(HandshakeFailure::kWrongVersion) + 1 == kHandshakeFailureCount);
  return kNames[static_cast<size_t>(failure)];
}

std::string_view DisconnectReasonName(DisconnectReason reason) {
  static constexpr std::array<std::string_view, kDisconnectReasonCount> kNames = {
      "peer_closed",  "io_error", "bad_frame_length", "decrypt_failed",
      "rate_limited", "replaced", "removed"};
  static_assert(static_cast<size_t>(DisconnectReason::kRemoved) + 1 == kDisconnectReasonCount);
  return kNames[static_cast<size_t>(reason)];
}

namespace internal {

TransportCore::TransportCore(asio::io_context& io, TransportOptions options,
                             Transport::MessageHandler on_message, Transport::PeerHandler on_peer)
    : io_(io),
      options_(std::move(options)),
      own_key_(options_.identity.valid() ? options_.identity.PublicKey() : std::string()),
      chain_hash_(core::Sha256(options_.chain_id)),
      on_message_(std::move(on_message)),
      on_peer_(std::move(on_peer)),
      acceptor_(io),
      accept_retry_timer_(io) {}

core::Status TransportCore::ValidateOptions() const {
  const TransportOptions& o = options_;
  if (o.chain_id.empty()) return ConfigError("chain_id is empty");
  if (!o.identity.valid()) return ConfigError("identity key is not set");
  if (o.peers.size() > kPeersMax) return ConfigError("more than 1024 peers");
  if (o.frame_bytes_max == 0 || o.frame_bytes_max > wire::kFramePlaintextBytesLimit) {
    return ConfigError("frame_bytes_max must be in [1, 2^28]");
  }
  if (o.send_queue_bytes_max == 0 || o.send_queue_frames_max == 0) {
    return ConfigError("send queue limits must be positive");
  }
  if (o.inbound_frames_per_second_max == 0 || o.handshake_timeout_ms == 0 ||
      o.pending_inbound_max == 0) {
    return ConfigError("rate, handshake timeout and pending limits must be positive");
  }
  if (o.reconnect_backoff_min_ms == 0 || o.reconnect_backoff_max_ms < o.reconnect_backoff_min_ms) {
    return ConfigError("need 0 < reconnect_backoff_min_ms <= reconnect_backoff_max_ms");
  }
  std::set<std::string> keys;
  for (const PeerConfig& peer : o.peers) {
    if (peer.public_key.size() != core::kPublicKeyBytes) {
      return ConfigError("peer " + peer.id + ": public key must be 32 bytes");
    }
    if (peer.public_key == own_key_) return ConfigError("peer " + peer.id + " has our own key");
    if (!keys.insert(peer.public_key).second) {
      return ConfigError("peer " + peer.id + ": duplicate public key");
    }
    const bool we_dial = options_.dial_all || own_key_ < peer.public_key;
    if (we_dial && !SplitHostPort(peer.address)) {
      return ConfigError("peer " + peer.id + ": address \"" + peer.address + "\" is not host:port");
    }
  }
  return core::Status::Ok();
}

core::Status TransportCore::Listen() {
  const std::optional<HostPort> hp = SplitHostPort(options_.listen_address);
  if (!hp) return ConfigError("listen_address \"" + options_.listen_address + "\" is not ip:port");
  boost::system::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(hp->host, ec);
  if (ec) return ConfigError("listen_address host \"" + hp->host + "\" is not an IP address");
  const tcp::endpoint endpoint(ip, hp->port_number);
  auto fail = [&](std::string_view step) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return core::Status("P2P_LISTEN_FAILED", "cannot " + std::string(step) + " " +
                                                 options_.listen_address + ": " + ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec)) return fail("open a socket for");
  // Lets a restarted node bind while old connections linger in TIME_WAIT; it does not allow
  // two live listeners on one port.
  if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec)) return fail("configure");
  if (acceptor_.bind(endpoint, ec)) return fail("bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen on");
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  if (ec) return fail("read the bound port of");
  listen_port_ = bound.port();
  LOTCHAIN_ASSERT(listen_port_ != 0);
  return core::Status::Ok();
}

core::Status TransportCore::Start() {
  LOTCHAIN_ASSERT(!started_);
  LOTCHAIN_ASSERT(!stopped_);
  LOTCHAIN_RETURN_IF_ERROR(ValidateOptions());
  LOTCHAIN_RETURN_IF_ERROR(Listen());
  started_ = true;
  dial_all_ = options_.dial_all;
  for (const PeerConfig& config : options_.peers) {
    const bool we_dial = WeDial(config.public_key);
    peers_.emplace(config.public_key, std::make_unique<PeerState>(io_, config, we_dial));
  }
  AcceptNext();
  for (auto& [key, peer] : peers_) {
    if (peer->dialer) Dial(*peer);
  }
  return core::Status::Ok();
}

void TransportCore::Stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  for (auto& [key, peer] : peers_) {
    peer->backoff_timer.cancel();
    if (peer->link) CloseSocket(*peer->link);
    if (peer->dialing) CloseSocket(*peer->dialing);
    peer->link = nullptr;
    peer->dialing = nullptr;
  }
  for (auto& [id, link] : pending_) CloseSocket(*link);
  pending_.clear();
  pending_inbound_ = 0;
}

void TransportCore::AcceptNext() {
  if (stopped_) return;
  acceptor_.async_accept(
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void TransportCore::OnAccept(const boost::system::error_code& ec, tcp::socket socket) {
  if (stopped_) return;
  if (ec == asio::error::connection_aborted) return AcceptNext();
  if (ec) {
    // Out of descriptors or similar: back off instead of spinning on the error.
    accept_retry_timer_.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
    accept_retry_timer_.async_wait(
        [self = shared_from_this()](const boost::system::error_code& wait_ec) {
          if (!wait_ec) self->AcceptNext();
        });
    return;
  }
  if (pending_inbound_ >= options_.pending_inbound_max) {
    ++stats_.handshakes_failed[static_cast<size_t>(HandshakeFailure::kPendingFull)];
    boost::system::error_code ignored;
    socket.close(ignored);
    return AcceptNext();
  }
  auto link = std::make_shared<Link>(io_, wire::Role::kServer, next_link_id_++);
  link->socket = std::move(socket);
  ++pending_inbound_;
  pending_.emplace(link->id, link);
  ArmHandshakeTimer(link);
  StartHandshake(link);
  AcceptNext();
}

void TransportCore::Dial(PeerState& peer) {
  LOTCHAIN_ASSERT(peer.dialer);
  if (stopped_ || peer.retired || peer.link || peer.dialing) return;
  auto link = std::make_shared<Link>(io_, wire::Role::kClient, next_link_id_++);
  link->peer_key = peer.config.public_key;
  peer.dialing = link;
  pending_.emplace(link->id, link);
  ArmHandshakeTimer(link);
  const std::optional<HostPort> hp = SplitHostPort(peer.config.address);
  LOTCHAIN_ASSERT(hp.has_value());  // checked by ValidateOptions
  link->resolver.async_resolve(
      hp->host, hp->port,
      [self = shared_from_this(), link](const boost::system::error_code& ec,
                                        const tcp::resolver::results_type& results) {
        if (link->state == LinkState::kClosed) return;
        if (ec) return self->FailHandshake(link, HandshakeFailure::kConnectFailed);
        asio::async_connect(
            link->socket, results,
            [self, link](const boost::system::error_code& connect_ec, const tcp::endpoint&) {
              if (link->state == LinkState::kClosed) return;
              if (connect_ec) {
                return self->FailHandshake(link, HandshakeFailure::kConnectFailed);
              }
              self->StartHandshake(link);
            });
      });
}

void TransportCore::ScheduleRedial(PeerState& peer) {
  if (stopped_ || !peer.dialer || peer.retired || peer.redial_scheduled) return;
  const uint32_t delay_ms = BackoffDelayMs(options_.reconnect_backoff_min_ms,
                                           options_.reconnect_backoff_max_ms, peer.failures_in_row);
  LOTCHAIN_ASSERT(delay_ms <= options_.reconnect_backoff_max_ms);
  peer.redial_scheduled = true;
  peer.backoff_timer.expires_after(std::chrono::milliseconds(delay_ms));
  peer.backoff_timer.async_wait([self = shared_from_this(), key = peer.config.public_key](
                                    const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    PeerState* target = self->FindPeer(key);
    LOTCHAIN_ASSERT(target != nullptr);
    target->redial_scheduled = false;
    self->Dial(*target);
  });
}

PeerState* TransportCore::FindPeer(const std::string& key) {
  auto it = peers_.find(key);
  return it == peers_.end() ? nullptr : it->second.get();
}

void TransportCore::Send(const std::string& peer_key, std::shared_ptr<const std::string> frame) {
  LOTCHAIN_ASSERT(frame != nullptr);
  PeerState* peer = FindPeer(peer_key);
  if (stopped_ || peer == nullptr || peer->retired) {
    ++stats_.frames_dropped_not_connected;
    return;
  }
  Enqueue(*peer, frame);
}

void TransportCore::Broadcast(const std::shared_ptr<const std::string>& frame) {
  LOTCHAIN_ASSERT(frame != nullptr);
  if (stopped_) return;
  for (auto& [key, peer] : peers_) {
    if (peer->link && !peer->retired) Enqueue(*peer, frame);
  }
}

void TransportCore::Enqueue(PeerState& peer, const std::shared_ptr<const std::string>& frame) {
  const std::shared_ptr<Link> link = peer.link;
  uint64_t* dropped = nullptr;
  if (!link) {
    dropped = &stats_.frames_dropped_not_connected;
  } else if (frame->size() > options_.frame_bytes_max) {
    dropped = &stats_.frames_dropped_too_large;
  } else if (link->queue.size() >= options_.send_queue_frames_max ||
             frame->size() > options_.send_queue_bytes_max - link->queue_bytes) {
    dropped = &stats_.frames_dropped_queue_full;
  }
  if (dropped != nullptr) {
    ++*dropped;
    ++peer.frames_dropped;
    return;
  }
  LOTCHAIN_ASSERT(link->state == LinkState::kOpen);
  link->queue.push_back(frame);
  link->queue_bytes += frame->size();
  LOTCHAIN_ASSERT(link->queue_bytes <= options_.send_queue_bytes_max);
  Flush(link);
}

std::vector<PeerInfo> TransportCore::Peers() const {
  std::vector<PeerInfo> out;
  out.reserve(peers_.size());
  for (const auto& [key, peer] : peers_) {
    if (peer->retired || (peer->observer && peer->link == nullptr)) continue;
    PeerInfo info{.id = peer->config.id,
                  .public_key = key,
                  .address = peer->config.address,
                  .dialer = peer->dialer,
                  .connected = peer->link != nullptr};
    info.frames_in = peer->frames_in;
    info.bytes_in = peer->bytes_in;
    info.frames_out = peer->frames_out;
    info.bytes_out = peer->bytes_out;
    info.frames_dropped = peer->frames_dropped;
    info.connects = peer->connects;
    info.disconnects = peer->disconnects;
    if (peer->link) {
      info.send_queue_frames = peer->link->queue.size();
      info.send_queue_bytes = peer->link->queue_bytes;
    }
    out.push_back(std::move(info));
  }
  return out;
}

core::Status TransportCore::SetPeers(std::vector<PeerConfig> peers, bool dial_all) {
  dial_all_ = dial_all;
  std::map<std::string, PeerConfig> wanted;
  std::string bad;
  for (PeerConfig& config : peers) {
    const bool we_dial = WeDial(config.public_key);
    if (config.public_key.size() != core::kPublicKeyBytes || config.public_key == own_key_) continue;
    if (we_dial && !SplitHostPort(config.address)) {
      bad += (bad.empty() ? "" : ", ") + config.id + " (\"" + config.address + "\")";
      continue;
    }
    wanted.emplace(config.public_key, std::move(config));
  }
  for (auto& [key, peer] : peers_) {
    if (!peer->retired && !peer->observer && wanted.count(key) == 0) Retire(*peer);
  }
  for (auto& [key, config] : wanted) {
    PeerState* peer = FindPeer(key);
    if (peer == nullptr) {
      peer = peers_.emplace(key, std::make_unique<PeerState>(io_, config, WeDial(key)))
                 .first->second.get();
    }
    // A direction change (an observer voted in, or out) applies from the next dial; an open
    // link stays, whoever dialled it.
    peer->dialer = WeDial(key);
    peer->observer = false;
    peer->config.id = config.id;
    peer->config.address = config.address;
    peer->retired = false;
    if (started_ && peer->dialer) Dial(*peer);
  }
  if (!bad.empty()) return ConfigError("peers left out, their address is not host:port: " + bad);
  return core::Status::Ok();
}

void TransportCore::Retire(PeerState& peer) {
  peer.retired = true;
  peer.backoff_timer.cancel();
  peer.redial_scheduled = false;
  if (peer.dialing) {
    pending_.erase(peer.dialing->id);
    CloseSocket(*peer.dialing);
    peer.dialing = nullptr;
  }
  if (peer.link) Disconnect(peer.link, DisconnectReason::kRemoved);
}

PeerState* TransportCore::AdmitObserver(const std::string& key) {
  if (options_.observers_max == 0 || stopped_) return nullptr;
  std::set<std::string> handshaking;  // keys of links in handshake: their state must stay
  for (const auto& [id, link] : pending_) handshaking.insert(link->peer_key);
  uint32_t live = 0;
  std::vector<std::string> dead;
  for (const auto& [k, peer] : peers_) {
    if (!peer->observer) continue;
    if (peer->link != nullptr || handshaking.count(k) != 0) {
      ++live;
    } else if (!peer->dialing) {
      dead.push_back(k);
    }
  }
  if (live >= options_.observers_max) return nullptr;
  for (const std::string& k : dead) peers_.erase(k);  // no link or timer refers to them
  if (PeerState* retired = FindPeer(key)) {  // a validator voted out may still observe
    if (retired->link || retired->dialing) return nullptr;
    retired->retired = false;
    retired->observer = true;
    retired->dialer = false;
    return retired;
  }
  PeerConfig config{.id = "observer-" + core::ToHex(key).substr(0, 8), .public_key = key,
                    .address = ""};
  PeerState* peer =
      peers_.emplace(key, std::make_unique<PeerState>(io_, config, false)).first->second.get();
  peer->observer = true;
  return peer;
}

bool TransportCore::connected(const std::string& peer_key) const {
  auto it = peers_.find(peer_key);
  return it != peers_.end() && it->second->link != nullptr;
}

}  // namespace internal

namespace {

std::shared_ptr<internal::TransportCore> MakeCore(boost::asio::io_context& io,
                                                  TransportOptions options,
                                                  Transport::MessageHandler on_message,
                                                  Transport::PeerHandler on_peer) {
  core::InitCrypto();  // before the core hashes the chain id
  return std::make_shared<internal::TransportCore>(io, std::move(options), std::move(on_message),
                                                   std::move(on_peer));
}

}  // namespace

Transport::Transport(boost::asio::io_context& io, TransportOptions options,
                     MessageHandler on_message, PeerHandler on_peer)
    : core_(MakeCore(io, std::move(options), std::move(on_message), std::move(on_peer))) {}

Transport::~Transport() { core_->Stop(); }

core::Status Transport::Start() { return core_->Start(); }
void Transport::Stop() { core_->Stop(); }

void Transport::Send(const std::string& peer_key, std::string frame) {
  core_->Send(peer_key, std::make_shared<const std::string>(std::move(frame)));
}

void Transport::Broadcast(std::string frame) {
  core_->Broadcast(std::make_shared<const std::string>(std::move(frame)));
}

std::vector<PeerInfo> Transport::Peers() const { return core_->Peers(); }
core::Status Transport::SetPeers(std::vector<PeerConfig> peers, bool dial_all) {
  return core_->SetPeers(std::move(peers), dial_all);
}
bool Transport::connected(const std::string& peer_key) const { return core_->connected(peer_key); }
uint16_t Transport::listen_port() const { return core_->listen_port(); }
TransportStats Transport::stats() const { return core_->stats(); }

}  // namespace lotchain::node
