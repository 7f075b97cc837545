#include "cosmo/auth/basic_credentials.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/string.hpp>

namespace cosmo::auth {

std::optional<BasicCredentials> parse_basic(std::string_view authorization) {
    constexpr std::string_view kScheme = "basic ";
    if (authorization.size() <= kScheme.size() ||
        !boost::beast::iequals(authorization.substr(0, kScheme.size()), kScheme)) {
        return std::nullopt;
    }
    std::string_view encoded = authorization.substr(kScheme.size());
    while (!encoded.empty() && encoded.front() == ' ') {
        encoded.remove_prefix(1);
    }
    while (!encoded.empty() && encoded.back() == ' ') {
        encoded.remove_suffix(1);
    }
    namespace b64 = boost::beast::detail::base64;
    std::string decoded(b64::decoded_size(encoded.size()), '\0');
    auto [written, read] = b64::decode(decoded.data(), encoded.data(), encoded.size());
    // decode() stops at the first '=' (padding) or at a stray character:
    // only padding may follow.
    if (encoded.find_first_not_of('=', read) != std::string_view::npos) {
        return std::nullopt;
    }
    decoded.resize(written);
    auto colon = decoded.find(':');
    if (colon == std::string::npos || colon == 0) {
        return std::nullopt;
    }
    return BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

}  // namespace cosmo::auth
