// One link: handshake (docs/P2P.md "Handshake"), framing ("Frames") and teardown.
//
// Every handler first checks that its link is not closed: a closed link's handlers only drain.
// State changes happen here, in the caller; the wire helpers in wire.h compute.
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>

#include "node/p2p/transport_core.h"

namespace lotchain::node::internal {

namespace {

size_t Index(HandshakeFailure failure) { return static_cast<size_t>(failure); }
size_t Index(DisconnectReason reason) { return static_cast<size_t>(reason); }

wire::Role Other(wire::Role role) {
  return role == wire::Role::kClient ? wire::Role::kServer : wire::Role::kClient;
}

// The largest plaintext a frame may carry in `state`: the signature frame is exact.
size_t PlaintextMax(LinkState state, size_t frame_bytes_max) {
  return state == LinkState::kAuth ? wire::kSignatureBytes : frame_bytes_max;
}

}  // namespace

void TransportCore::ArmHandshakeTimer(const std::shared_ptr<Link>& link) {
  link->timer.expires_after(std::chrono::milliseconds(options_.handshake_timeout_ms));
  link->timer.async_wait([self = shared_from_this(), link](const boost::system::error_code& ec) {
    // A timer that fired just before the handshake finished is ignored: the link is open.
    if (ec || link->state == LinkState::kClosed || link->state == LinkState::kOpen) return;
    self->FailHandshake(link, HandshakeFailure::kTimeout);
  });
}

void TransportCore::StartHandshake(const std::shared_ptr<Link>& link) {
  LOTCHAIN_ASSERT(link->state == LinkState::kConnecting);
  LOTCHAIN_ASSERT(link->tx_prefix.empty());
  boost::system::error_code ignored;
  link->socket.set_option(tcp::no_delay(true), ignored);
  link->socket.set_option(asio::socket_base::keep_alive(true), ignored);
  link->ephemeral.emplace();
  link->own_hello = wire::EncodeHello({.chain_hash = chain_hash_,
                                       .ephemeral_key = link->ephemeral->PublicKey(),
                                       .identity_key = own_key_});
  // Both sides send their hello at once; neither waits for the other's.
  link->tx_prefix = link->own_hello;
  link->state = LinkState::kHello;
  link->rx.resize(kReadChunkBytes);
  Flush(link);
  ReadMore(link);
}

void TransportCore::ReadMore(const std::shared_ptr<Link>& link) {
  LOTCHAIN_ASSERT(link->state != LinkState::kClosed);
  LOTCHAIN_ASSERT(link->rx_end < link->rx.size());
  link->socket.async_read_some(
      asio::buffer(link->rx.data() + link->rx_end, link->rx.size() - link->rx_end),
      [self = shared_from_this(), link](const boost::system::error_code& ec, size_t n) {
        self->OnRead(link, ec, n);
      });
}

void TransportCore::OnRead(const std::shared_ptr<Link>& link, const boost::system::error_code& ec,
                           size_t n) {
  if (link->state == LinkState::kClosed) return;
  if (ec) return CloseOnError(link, ec);
  LOTCHAIN_ASSERT(n <= link->rx.size() - link->rx_end);
  link->rx_end += n;
  ProcessReceived(link);
  if (link->state != LinkState::kClosed) ReadMore(link);
}

// Consumes every complete hello or frame in the receive buffer, then compacts the buffer and
// sizes it for the next read: kReadChunkBytes, or exactly the frame being received if that is
// larger (bounded by frame_bytes_max, so a peer cannot make it grow further).
void TransportCore::ProcessReceived(const std::shared_ptr<Link>& link) {
  size_t frame_wire_bytes = 0;  // of the incomplete frame at rx_begin, once its prefix is in
  while (link->state != LinkState::kClosed) {
    LOTCHAIN_ASSERT(link->rx_begin <= link->rx_end);
    const std::string_view buffered(link->rx.data() + link->rx_begin,
                                    link->rx_end - link->rx_begin);
    if (link->state == LinkState::kHello) {
      if (buffered.size() < wire::kHelloBytes) break;
      link->rx_begin += wire::kHelloBytes;
      if (!ProcessHello(link, buffered.substr(0, wire::kHelloBytes))) return;
      continue;
    }
    if (buffered.size() < wire::kLengthPrefixBytes) break;
    const std::string_view prefix = buffered.substr(0, wire::kLengthPrefixBytes);
    const uint32_t ciphertext_bytes = wire::DecodeLength(prefix);
    const size_t plaintext_max = PlaintextMax(link->state, options_.frame_bytes_max);
    if (!wire::CiphertextLengthValid(ciphertext_bytes, plaintext_max) ||
        (link->state == LinkState::kAuth && ciphertext_bytes != wire::kAuthCiphertextBytes)) {
      if (link->state == LinkState::kAuth) {
        return FailHandshake(link, HandshakeFailure::kBadAuthFrame);
      }
      return Disconnect(link, DisconnectReason::kBadFrameLength);
    }
    frame_wire_bytes = wire::kLengthPrefixBytes + ciphertext_bytes;
    if (buffered.size() < frame_wire_bytes) break;
    const std::string_view ciphertext = buffered.substr(wire::kLengthPrefixBytes, ciphertext_bytes);
    link->rx_begin += frame_wire_bytes;
    frame_wire_bytes = 0;
    const bool open = link->state == LinkState::kAuth ? ProcessAuthFrame(link, prefix, ciphertext)
                                                      : ProcessFrame(link, prefix, ciphertext);
    if (!open) return;
  }
  if (link->state == LinkState::kClosed) return;
  const size_t unread = link->rx_end - link->rx_begin;
  if (unread > 0 && link->rx_begin > 0) {
    std::memmove(link->rx.data(), link->rx.data() + link->rx_begin, unread);
  }
  link->rx_begin = 0;
  link->rx_end = unread;
  const size_t target = std::max(kReadChunkBytes, frame_wire_bytes);
  LOTCHAIN_ASSERT(unread < target);
  if (link->rx.size() != target) {
    link->rx.resize(target);
    link->rx.shrink_to_fit();
  }
}

bool TransportCore::ProcessHello(const std::shared_ptr<Link>& link, std::string_view bytes) {
  LOTCHAIN_ASSERT(link->state == LinkState::kHello);
  const std::optional<wire::Hello> hello = wire::DecodeHello(bytes);
  std::optional<HandshakeFailure> failure;
  const PeerState* peer = hello ? FindPeer(hello->identity_key) : nullptr;
  if (hello && link->role == wire::Role::kServer && (peer == nullptr || peer->retired) &&
      hello->chain_hash == chain_hash_ && hello->identity_key != own_key_ &&
      hello->identity_key.size() == core::kPublicKeyBytes) {
    peer = AdmitObserver(hello->identity_key);  // a new key, or a validator voted out
  }
  if (!hello) {
    // A release with another wire format is told apart from garbage, so that a mixed-version
    // network during an upgrade is named as such in the failure counts.
    failure = wire::IsOtherVersionHello(bytes) ? HandshakeFailure::kWrongVersion
                                               : HandshakeFailure::kBadMagic;
  } else if (hello->chain_hash != chain_hash_) {
    failure = HandshakeFailure::kWrongChain;
  } else if (hello->identity_key == own_key_) {
    failure = HandshakeFailure::kOwnKey;
  } else if (peer == nullptr || peer->retired) {
    failure = HandshakeFailure::kUnknownKey;
  } else if (link->role == wire::Role::kClient && hello->identity_key != link->peer_key) {
    failure = HandshakeFailure::kUnexpectedKey;
  } else if (link->role == wire::Role::kServer && peer->dialer) {
    failure = HandshakeFailure::kWrongDirection;
  }
  std::optional<wire::SessionKeys> keys;
  if (!failure) {
    keys = wire::DeriveSessionKeys(link->role, *link->ephemeral, hello->ephemeral_key);
    if (!keys) failure = HandshakeFailure::kBadKeyExchange;
  }
  if (failure) {
    FailHandshake(link, *failure);
    return false;
  }
  link->ephemeral.reset();  // wipes the X25519 secret: forward secrecy
  link->peer_key = hello->identity_key;
  link->peer_hello = std::string(bytes);
  link->sealer.emplace(keys->tx);
  link->opener.emplace(keys->rx);
  const bool client = link->role == wire::Role::kClient;
  const std::string transcript =
      wire::Transcript(client ? link->own_hello : link->peer_hello,
                       client ? link->peer_hello : link->own_hello, link->role);
  const std::string signature =
      options_.identity.Sign(core::kHandshakeDomain, options_.chain_id, transcript);
  link->sealer->SealAppend(signature, link->tx_prefix);
  link->state = LinkState::kAuth;
  Flush(link);
  return true;
}

bool TransportCore::ProcessAuthFrame(const std::shared_ptr<Link>& link, std::string_view prefix,
                                     std::string_view ciphertext) {
  LOTCHAIN_ASSERT(link->state == LinkState::kAuth);
  LOTCHAIN_ASSERT(ciphertext.size() == wire::kAuthCiphertextBytes);
  const std::optional<std::string> signature = link->opener->Open(prefix, ciphertext);
  if (!signature) {
    FailHandshake(link, HandshakeFailure::kBadAuthFrame);
    return false;
  }
  const bool client = link->role == wire::Role::kClient;
  const std::string transcript =
      wire::Transcript(client ? link->own_hello : link->peer_hello,
                       client ? link->peer_hello : link->own_hello, Other(link->role));
  if (!core::VerifySignature(link->peer_key, core::kHandshakeDomain, options_.chain_id, transcript,
                             *signature)) {
    FailHandshake(link, HandshakeFailure::kBadSignature);
    return false;
  }
  Establish(link);
  return link->state == LinkState::kOpen;
}

void TransportCore::Establish(const std::shared_ptr<Link>& link) {
  LOTCHAIN_ASSERT(link->state == LinkState::kAuth);
  LOTCHAIN_ASSERT(pending_.count(link->id) == 1);
  PeerState* peer = FindPeer(link->peer_key);
  LOTCHAIN_ASSERT(peer != nullptr);
  link->timer.cancel();
  pending_.erase(link->id);
  if (link->role == wire::Role::kServer) {
    LOTCHAIN_ASSERT(pending_inbound_ > 0);
    --pending_inbound_;
  }
  if (peer->dialing == link) peer->dialing = nullptr;
  if (peer->retired) {  // it left the set while this handshake ran
    CloseSocket(*link);
    return;
  }
  // Both directions may complete for one peer around a validator-set change (the dial
  // direction flips): like a restart, the newer link replaces the older one below.
  link->state = LinkState::kOpen;
  link->inbound_rate.emplace(options_.inbound_frames_per_second_max,
                             std::chrono::steady_clock::now());
  link->own_hello = std::string();
  link->peer_hello = std::string();
  peer->failures_in_row = 0;
  ++peer->connects;
  ++stats_.handshakes_ok;
  // The peer dialed again while we still held a link: it restarted, or its old link is dead
  // and we have not noticed yet. The newer authenticated link wins.
  std::shared_ptr<Link> previous = std::move(peer->link);
  peer->link = link;
  if (previous) Disconnect(previous, DisconnectReason::kReplaced);
  if (stopped_ || link->state != LinkState::kOpen) return;  // a handler called Stop()
  if (on_peer_) on_peer_(link->peer_key, true);
}

bool TransportCore::ProcessFrame(const std::shared_ptr<Link>& link, std::string_view prefix,
                                 std::string_view ciphertext) {
  LOTCHAIN_ASSERT(link->state == LinkState::kOpen);
  // Checked before decrypting: a flood costs us as little as possible.
  if (!link->inbound_rate->Take(std::chrono::steady_clock::now())) {
    Disconnect(link, DisconnectReason::kRateLimited);
    return false;
  }
  std::optional<std::string> frame = link->opener->Open(prefix, ciphertext);
  if (!frame) {
    Disconnect(link, DisconnectReason::kDecryptFailed);
    return false;
  }
  PeerState* peer = FindPeer(link->peer_key);
  LOTCHAIN_ASSERT(peer != nullptr);
  LOTCHAIN_ASSERT(peer->link == link);
  ++stats_.frames_in;
  stats_.bytes_in += frame->size();
  ++peer->frames_in;
  peer->bytes_in += frame->size();
  if (on_message_) on_message_(link->peer_key, std::move(*frame));
  return link->state == LinkState::kOpen;  // the handler may have stopped the transport
}

// Starts the one outstanding write if none is in flight: the handshake bytes first, then, on an
// open link, as many queued frames as fit in kWriteBatchBytesMax (at least one).
void TransportCore::Flush(const std::shared_ptr<Link>& link) {
  if (link->writing || link->state == LinkState::kClosed) return;
  link->tx_inflight.clear();
  link->tx_inflight.swap(link->tx_prefix);
  if (link->state == LinkState::kOpen && !link->queue.empty()) {
    PeerState* peer = FindPeer(link->peer_key);
    LOTCHAIN_ASSERT(peer != nullptr);
    while (!link->queue.empty()) {
      const std::string& frame = *link->queue.front();
      const size_t wire_bytes = wire::kLengthPrefixBytes + frame.size() + wire::kTagBytes;
      if (!link->tx_inflight.empty() &&
          link->tx_inflight.size() + wire_bytes > kWriteBatchBytesMax) {
        break;
      }
      link->sealer->SealAppend(frame, link->tx_inflight);
      LOTCHAIN_ASSERT(link->queue_bytes >= frame.size());
      link->queue_bytes -= frame.size();
      ++stats_.frames_out;
      stats_.bytes_out += frame.size();
      ++peer->frames_out;
      peer->bytes_out += frame.size();
      link->queue.pop_front();
    }
    if (link->queue.empty()) LOTCHAIN_ASSERT(link->queue_bytes == 0);
  }
  if (link->tx_inflight.empty()) return;
  link->writing = true;
  asio::async_write(link->socket, asio::buffer(link->tx_inflight),
                    [self = shared_from_this(), link](const boost::system::error_code& ec, size_t) {
                      self->OnWritten(link, ec);
                    });
}

void TransportCore::OnWritten(const std::shared_ptr<Link>& link,
                              const boost::system::error_code& ec) {
  LOTCHAIN_ASSERT(link->writing);
  link->writing = false;
  if (link->state == LinkState::kClosed) return;
  if (ec) return CloseOnError(link, ec);
  // Do not keep a large frame's buffer around between bursts.
  if (link->tx_inflight.capacity() > 2 * kWriteBatchBytesMax) link->tx_inflight = std::string();
  Flush(link);
}

void TransportCore::CloseOnError(const std::shared_ptr<Link>& link,
                                 const boost::system::error_code& ec) {
  LOTCHAIN_ASSERT(ec);
  if (link->state != LinkState::kOpen) return FailHandshake(link, HandshakeFailure::kClosed);
  Disconnect(link,
             ec == asio::error::eof ? DisconnectReason::kPeerClosed : DisconnectReason::kIoError);
}

void TransportCore::FailHandshake(std::shared_ptr<Link> link, HandshakeFailure failure) {
  LOTCHAIN_ASSERT(link->state != LinkState::kOpen);
  if (link->state == LinkState::kClosed) return;
  LOTCHAIN_ASSERT(pending_.count(link->id) == 1);
  CloseSocket(*link);
  pending_.erase(link->id);
  ++stats_.handshakes_failed[Index(failure)];
  if (link->role == wire::Role::kServer) {
    LOTCHAIN_ASSERT(pending_inbound_ > 0);
    --pending_inbound_;
    return;
  }
  PeerState* peer = FindPeer(link->peer_key);
  LOTCHAIN_ASSERT(peer != nullptr);
  LOTCHAIN_ASSERT(peer->dialing == link);
  peer->dialing = nullptr;
  ++peer->failures_in_row;
  ScheduleRedial(*peer);
}

void TransportCore::Disconnect(std::shared_ptr<Link> link, DisconnectReason reason) {
  if (link->state == LinkState::kClosed) return;
  LOTCHAIN_ASSERT(link->state == LinkState::kOpen);
  PeerState* peer = FindPeer(link->peer_key);
  LOTCHAIN_ASSERT(peer != nullptr);
  CloseSocket(*link);
  ++stats_.disconnects[Index(reason)];
  ++peer->disconnects;
  if (peer->link == link) peer->link = nullptr;
  ScheduleRedial(*peer);  // no-op unless we are the dialer
  if (!stopped_ && on_peer_) on_peer_(link->peer_key, false);
}

void TransportCore::CloseSocket(Link& link) {
  boost::system::error_code ignored;
  link.state = LinkState::kClosed;
  link.socket.close(ignored);
  link.timer.cancel();
  link.resolver.cancel();
  link.queue.clear();
  link.queue_bytes = 0;
  link.ephemeral.reset();
  link.sealer.reset();
  link.opener.reset();
}

}  // namespace lotchain::node::internal
