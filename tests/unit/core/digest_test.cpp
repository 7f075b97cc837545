#include "cosmo/core/digest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace cosmo::core {
namespace {

std::string hex(const Sha256::Digest& d) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : d) {
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

// FIPS 180-2 test vectors.
TEST(Sha256, KnownVectors) {
    EXPECT_EQ(hex(Sha256::of("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(Sha256::of("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, PartsDigestAsTheirConcatenationAndContextsAreReused) {
    const Sha256::Digest whole = Sha256::of("hello, world");
    EXPECT_EQ(Sha256().update("hello").update(", ").update("world").finish(), whole);
    EXPECT_EQ(Sha256().update("").update("hello, world").update("").finish(), whole);
    // The thread's context starts afresh for every digest.
    EXPECT_EQ(Sha256::of("abc"), Sha256::of("abc"));
    EXPECT_NE(Sha256::of("abc"), whole);
}

TEST(Sha256, DigestsInterleaveOnOneThreadAndAcrossThreads) {
    const Sha256::Digest expected = Sha256::of("hello, world");
    Sha256::Digest other{};
    Sha256 here;
    here.update("hello, ");
    const Sha256::Digest nested = Sha256::of("abc");             // in the middle of ours
    std::thread([&] { other = Sha256::of("abc"); }).join();     // and on another thread
    EXPECT_EQ(here.update("world").finish(), expected);
    EXPECT_EQ(nested, other);
    EXPECT_EQ(hex(other), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace cosmo::core
