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

std::optional<bool> MatchMemo::find(const std::string& context, std::string_view etag) {
    const std::optional<EtagKey> k = etag_key(etag);
    if (!k || capacity_ == 0) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto c = by_context_.find(context);
    if (c == by_context_.end()) return std::nullopt;
    const auto v = c->second.find(*k);
    if (v == c->second.end()) return std::nullopt;
    return v->second;
}

void MatchMemo::remember(const std::string& context, std::string_view etag, bool verdict) {
    const std::optional<EtagKey> k = etag_key(etag);
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

std::string InstanceMemo::context(std::string_view component, std::string_view tzid,
                                  std::size_t max_instances, std::int64_t window_start) {
    std::string out;
    out.append(component).append("\n").append(tzid).append("\n");
    out.append(std::to_string(max_instances)).append("\n").append(std::to_string(window_start));
    return out;
}

std::optional<InstanceMemo::Instances> InstanceMemo::find(const std::string& context,
                                                          std::string_view etag) {
    const std::optional<EtagKey> k = etag_key(etag);
    if (!k || capacity_ == 0) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto c = by_context_.find(context);
    if (c == by_context_.end()) return std::nullopt;
    const auto v = c->second.find(*k);
    if (v == c->second.end()) return std::nullopt;
    return v->second;
}

void InstanceMemo::remember(const std::string& context, std::string_view etag,
                            Instances instances) {
    const std::optional<EtagKey> k = etag_key(etag);
    if (!k || capacity_ == 0) return;
    const std::size_t count = 1 + (instances ? instances->size() : 0);  // a decline counts one
    std::lock_guard lock(mutex_);
    if (held_ + count > capacity_) {
        by_context_.clear();
        held_ = 0;
    }
    const auto [it, inserted] = by_context_[context].try_emplace(*k);
    if (!inserted) held_ -= 1 + (it->second ? it->second->size() : 0);  // kept twice at once
    it->second = std::move(instances);
    held_ += count;
}

std::size_t InstanceMemo::size() {
    std::lock_guard lock(mutex_);
    return held_;
}

}  // namespace cosmo::caldav::detail
