#pragma once
/// Which address a request came from, for logs and throttling.

#include <string>
#include <string_view>
#include <vector>

namespace cosmo::http {

/// The peer address, or, when the peer is a trusted proxy, the rightmost
/// address in X-Forwarded-For that is not itself a trusted proxy (the
/// client the first trusted hop saw; entries further left are whatever the
/// client claimed and are not believed).
std::string client_address(const std::string& peer, std::string_view x_forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

}  // namespace cosmo::http
