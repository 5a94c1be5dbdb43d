#include "node/p2p/wire.h"

#include <gtest/gtest.h>

#include <random>

#include "consensus/core/crypto.h"
#include "node/p2p/token_bucket.h"

namespace lotchain::node::wire {
namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t count) {
  std::string out(count, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

Hello SampleHello() {
  return {.chain_hash = core::Sha256("chain"),
          .ephemeral_key = std::string(32, 'e'),
          .identity_key = std::string(32, 'i')};
}

struct Pair {
  SessionKeys client;
  SessionKeys server;
};

Pair Handshake() {
  core::InitCrypto();
  EphemeralKeyPair client;
  EphemeralKeyPair server;
  std::optional<SessionKeys> c = DeriveSessionKeys(Role::kClient, client, server.PublicKey());
  std::optional<SessionKeys> s = DeriveSessionKeys(Role::kServer, server, client.PublicKey());
  EXPECT_TRUE(c.has_value());
  EXPECT_TRUE(s.has_value());
  return {*c, *s};
}

TEST(HelloTest, RoundTripsAndHasTheDocumentedLayout) {
  // Property: a hello is magic || chain hash || ephemeral key || identity key (104 bytes) and
  // decodes to what was encoded.
  const std::string bytes = EncodeHello(SampleHello());
  ASSERT_EQ(bytes.size(), 104u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("LOTP2P1\0", 8));
  EXPECT_EQ(bytes.substr(8, 32), core::Sha256("chain"));
  EXPECT_EQ(bytes.substr(40, 32), std::string(32, 'e'));
  EXPECT_EQ(bytes.substr(72, 32), std::string(32, 'i'));
  const std::optional<Hello> decoded = DecodeHello(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->identity_key, std::string(32, 'i'));
  EXPECT_EQ(decoded->ephemeral_key, std::string(32, 'e'));
  EXPECT_EQ(decoded->chain_hash, core::Sha256("chain"));
}

TEST(HelloTest, RejectsWrongMagicAndWrongSize) {
  // Property: DecodeHello refuses any other length and any change to the magic.
  const std::string bytes = EncodeHello(SampleHello());
  EXPECT_FALSE(DecodeHello(bytes.substr(0, 103)).has_value());
  EXPECT_FALSE(DecodeHello(bytes + "x").has_value());
  for (size_t i = 0; i < kHelloMagic.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(DecodeHello(bad).has_value()) << "magic byte " << i;
  }
}

TEST(SessionKeysTest, ClientAndServerAgreeAndDirectionsDiffer) {
  // Property: crypto_kx gives client.tx == server.rx and client.rx == server.tx, and the two
  // directions use different keys.
  const Pair keys = Handshake();
  EXPECT_EQ(keys.client.tx, keys.server.rx);
  EXPECT_EQ(keys.client.rx, keys.server.tx);
  EXPECT_NE(keys.client.tx, keys.client.rx);
}

TEST(SessionKeysTest, RejectsDegenerateEphemeralKeys) {
  // Property: an all-zero (low-order) peer key or a wrongly sized one yields no session.
  core::InitCrypto();
  EphemeralKeyPair own;
  EXPECT_FALSE(DeriveSessionKeys(Role::kClient, own, std::string(32, '\0')).has_value());
  EXPECT_FALSE(DeriveSessionKeys(Role::kServer, own, std::string(32, '\0')).has_value());
  EXPECT_FALSE(DeriveSessionKeys(Role::kClient, own, std::string(31, 'x')).has_value());
}

TEST(TranscriptTest, IsBothHellosThenTheRoleByte) {
  // Property: the transcript is client_hello || server_hello || 'C' or 'S'.
  EXPECT_EQ(Transcript("ab", "cd", Role::kClient), "abcdC");
  EXPECT_EQ(Transcript("ab", "cd", Role::kServer), "abcdS");
}

TEST(FrameTest, SealedFramesOpenInOrder) {
  // Property: frames sealed with the client's tx key open with the server's rx key, in order,
  // including empty and 1 MiB frames; the wire form is u32 BE length || ciphertext.
  const Pair keys = Handshake();
  FrameSealer sealer(keys.client.tx);
  FrameOpener opener(keys.server.rx);
  const std::vector<std::string> frames = {"", "a", std::string(1 << 20, 'z'), "last"};
  for (const std::string& frame : frames) {
    std::string wire;
    sealer.SealAppend(frame, wire);
    ASSERT_EQ(wire.size(), kLengthPrefixBytes + frame.size() + kTagBytes);
    const uint32_t length = DecodeLength(std::string_view(wire).substr(0, 4));
    EXPECT_EQ(length, frame.size() + kTagBytes);
    std::optional<std::string> opened =
        opener.Open(std::string_view(wire).substr(0, 4), std::string_view(wire).substr(4));
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, frame);
  }
  EXPECT_EQ(sealer.counter(), frames.size());
  EXPECT_EQ(opener.counter(), frames.size());
}

TEST(FrameTest, TamperingReplayAndReorderFailAuthentication) {
  // Property: flipping any bit of prefix or ciphertext, replaying a frame, skipping one, or
  // opening with the wrong direction's key all fail, and a failure does not advance the counter.
  const Pair keys = Handshake();
  FrameSealer sealer(keys.client.tx);
  std::string first;
  std::string second;
  sealer.SealAppend("hello", first);
  sealer.SealAppend("world", second);
  for (size_t bit = 0; bit < first.size() * 8; ++bit) {
    FrameOpener opener(keys.server.rx);
    std::string bad = first;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(opener.Open(std::string_view(bad).substr(0, 4), std::string_view(bad).substr(4)))
        << "bit " << bit;
  }
  FrameOpener opener(keys.server.rx);
  auto open = [&](const std::string& w) {
    return opener.Open(std::string_view(w).substr(0, 4), std::string_view(w).substr(4));
  };
  EXPECT_FALSE(open(second).has_value());  // skipped frame 0
  EXPECT_EQ(opener.counter(), 0u);
  EXPECT_TRUE(open(first).has_value());
  EXPECT_FALSE(open(first).has_value());  // replay
  EXPECT_TRUE(open(second).has_value());
  FrameOpener wrong_direction(keys.client.rx);
  EXPECT_FALSE(wrong_direction.Open(std::string_view(first).substr(0, 4),
                                    std::string_view(first).substr(4)));
}

TEST(FrameTest, LengthPrefixIsBigEndianAndBounded) {
  // Property: the prefix is big-endian, and a length is valid iff it is in [16, max + 16].
  const std::array<char, 4> p = EncodeLength(0x01020304);
  EXPECT_EQ(std::string(p.data(), 4), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(DecodeLength(std::string_view(p.data(), 4)), 0x01020304u);
  EXPECT_EQ(DecodeLength(std::string("\xff\xff\xff\xff", 4)), 0xffffffffu);
  EXPECT_FALSE(CiphertextLengthValid(0, 100));
  EXPECT_FALSE(CiphertextLengthValid(15, 100));
  EXPECT_TRUE(CiphertextLengthValid(16, 100));
  EXPECT_TRUE(CiphertextLengthValid(116, 100));
  EXPECT_FALSE(CiphertextLengthValid(117, 100));
  EXPECT_FALSE(CiphertextLengthValid(0xffffffffu, kFramePlaintextBytesLimit));
}

TEST(FrameTest, NonceIsFourZeroBytesThenBigEndianCounter) {
  // Property: the 12-byte nonce of frame n is 00 00 00 00 || u64 BE n.
  const std::array<unsigned char, 12> nonce = FrameNonce(0x0102030405060708ull);
  const std::array<unsigned char, 12> expected = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(nonce, expected);
}

TEST(TokenBucketTest, AllowsOneSecondBurstThenRefillsAtTheRate) {
  // Property: a bucket of rate r admits r frames at once, then about r per second.
  const auto t0 = TokenBucket::Clock::time_point{} + std::chrono::hours(1);
  TokenBucket bucket(10, t0);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.Take(t0)) << i;
  EXPECT_FALSE(bucket.Take(t0));
  EXPECT_FALSE(bucket.Take(t0 + std::chrono::milliseconds(99)));
  EXPECT_TRUE(bucket.Take(t0 + std::chrono::milliseconds(100)));
  EXPECT_FALSE(bucket.Take(t0 + std::chrono::milliseconds(150)));
  EXPECT_TRUE(bucket.Take(t0 + std::chrono::milliseconds(200)));
  const auto later = t0 + std::chrono::seconds(5);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.Take(later)) << i;
  EXPECT_FALSE(bucket.Take(later));
}

TEST(WireFuzzTest, RandomBytesNeverDecodeOrAuthenticate) {
  // Property (fuzz-style, fixed seed): arbitrary bytes never crash the hello and frame
  // decoders; a decoded hello re-encodes to the same bytes; random prefixes and ciphertexts
  // never authenticate; random bit flips of real frames never authenticate.
  std::mt19937_64 rng(0x10c7a1);
  const Pair keys = Handshake();
  const std::string valid_hello = EncodeHello(SampleHello());
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string bytes = RandomBytes(rng, rng() % 300);
    if (iteration % 4 == 0) {
      // Keep the magic half the time so decoding gets past the first check.
      bytes = valid_hello.substr(0, 8) + RandomBytes(rng, rng() % 2 == 0 ? 96 : rng() % 200);
    }
    const std::optional<Hello> hello = DecodeHello(bytes);
    if (hello) {
      EXPECT_EQ(EncodeHello(*hello), bytes);
    }
    if (bytes.size() >= 4) {
      const std::string_view prefix = std::string_view(bytes).substr(0, 4);
      const uint32_t length = DecodeLength(prefix);
      (void)CiphertextLengthValid(length, 1 << 20);
      FrameOpener opener(keys.server.rx);
      EXPECT_FALSE(opener.Open(prefix, std::string_view(bytes).substr(4)).has_value());
    }
    // A fresh sealer and opener, so only the bit flip can make the frame fail.
    FrameSealer sealer(keys.client.tx);
    std::string frame;
    sealer.SealAppend(RandomBytes(rng, rng() % 64), frame);
    const size_t bit = rng() % (frame.size() * 8);
    frame[bit / 8] = static_cast<char>(frame[bit / 8] ^ (1 << (bit % 8)));
    FrameOpener opener(keys.server.rx);
    EXPECT_FALSE(
        opener.Open(std::string_view(frame).substr(0, 4), std::string_view(frame).substr(4))
            .has_value());
  }
}

}  // namespace
}  // namespace lotchain::node::wire
