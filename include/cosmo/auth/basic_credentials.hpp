#pragma once
/// Parsing of the HTTP Basic Authorization header (RFC 7617).

#include <optional>
#include <string>
#include <string_view>

namespace cosmo::auth {

struct BasicCredentials {
    std::string user;
    std::string password;
};

/// "Basic base64(user:password)" -> credentials; nullopt when the header is
/// empty, another scheme, not valid base64, or has no colon.
std::optional<BasicCredentials> parse_basic(std::string_view authorization);

}  // namespace cosmo::auth
