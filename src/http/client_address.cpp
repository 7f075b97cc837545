#include "cosmo/http/client_address.hpp"

#include <algorithm>

namespace cosmo::http {

namespace {
bool is_trusted(std::string_view ip, const std::vector<std::string>& trusted) {
    return std::find(trusted.begin(), trusted.end(), ip) != trusted.end();
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}
}  // namespace

std::string client_address(const std::string& peer, std::string_view x_forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
    if (x_forwarded_for.empty() || !is_trusted(peer, trusted_proxies)) {
        return peer;
    }
    std::string_view rest = x_forwarded_for;
    std::string candidate = peer;
    while (!rest.empty()) {
        auto comma = rest.rfind(',');
        std::string_view entry =
            trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        if (entry.empty()) {
            continue;
        }
        candidate = std::string(entry);
        if (!is_trusted(entry, trusted_proxies)) {
            break;
        }
    }
    return candidate;
}

}  // namespace cosmo::http
