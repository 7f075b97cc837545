#include "cosmo/http/client_address.hpp"

#include <gtest/gtest.h>

using cosmo::http::client_address;

TEST(ClientAddress, UntrustedPeerIgnoresForwardedFor) {
    EXPECT_EQ(client_address("10.0.0.9", "1.2.3.4", {"127.0.0.1"}), "10.0.0.9");
}

TEST(ClientAddress, TrustedPeerUsesRightmostEntry) {
    EXPECT_EQ(client_address("127.0.0.1", "6.6.6.6, 1.2.3.4", {"127.0.0.1"}), "1.2.3.4");
}

TEST(ClientAddress, SkipsTrustedHops) {
    EXPECT_EQ(client_address("127.0.0.1", "1.2.3.4, 10.0.0.2", {"127.0.0.1", "10.0.0.2"}),
              "1.2.3.4");
}

TEST(ClientAddress, EmptyHeaderMeansPeer) {
    EXPECT_EQ(client_address("127.0.0.1", "", {"127.0.0.1"}), "127.0.0.1");
}
