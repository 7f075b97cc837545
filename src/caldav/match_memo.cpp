#include "match_memo.hpp"

namespace cosmo::caldav::detail {

std::string MatchMemo::context(std::string_view filter_xml, std::string_view tzid,
                               std::size_t max_instances) {
    std::string out;
    out.reserve(filter_xml.size() + tzid.size() + 24);
    out.append(std::to_string(max_instances)).append("\n").append(tzid).append("\n");
    out.append(filter_xml);
    return out;
}

std::optional<EtagKey> etag_key(std::string_view etag) {
    if (etag.size() != 32) return std::nullopt;
    EtagKey k;
    for (std::size_t i = 0; i < 32; ++i) {
        const char c = etag[i];
        std::uint64_t v = 0;
        if (c >= '0' && c <= '9') {
            v = static_cast<std::uint64_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v = static_cast<std::uint64_t>(c - 'a' + 10);
        } else {
            return std::nullopt;
        }
        std::uint64_t& half = i < 16 ? k.hi : k.lo;
        half = (half << 4) | v;
    }
    return k;
}

std::string InstanceMemo::context(std::string_view component, std::string_view tzid,
                                  std::size_t max_instances, std::int64_t window_start) {
    std::string out;
    out.append(component).append("\n").append(tzid).append("\n");
    out.append(std::to_string(max_instances)).append("\n").append(std::to_string(window_start));
    return out;
}

}  // namespace cosmo::caldav::detail
