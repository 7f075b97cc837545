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

std::optional<MatchMemo::Key> MatchMemo::key_of(std::string_view etag) {
    if (etag.size() != 32) return std::nullopt;
    Key k;
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

std::optional<bool> MatchMemo::find(const std::string& context, std::string_view etag) {
    const std::optional<Key> k = key_of(etag);
    if (!k || capacity_ == 0) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto c = by_context_.find(context);
    if (c == by_context_.end()) return std::nullopt;
    const auto v = c->second.find(*k);
    if (v == c->second.end()) return std::nullopt;
    return v->second;
}

void MatchMemo::remember(const std::string& context, std::string_view etag, bool verdict) {
    const std::optional<Key> k = key_of(etag);
    if (!k || capacity_ == 0) return;
    std::lock_guard lock(mutex_);
    if (entries_ >= capacity_) {
        by_context_.clear();
        entries_ = 0;
    }
    if (by_context_[context].insert_or_assign(*k, verdict).second) ++entries_;
}

std::size_t MatchMemo::size() {
    std::lock_guard lock(mutex_);
    return entries_;
}

}  // namespace cosmo::caldav::detail
