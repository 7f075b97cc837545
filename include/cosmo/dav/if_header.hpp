#pragma once
/// The If request header (RFC 4918 §10.4): parser and evaluator.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cosmo::dav {

/// One condition of a list: a state token (<urn:uuid:...>) or an entity
/// tag ([...]), possibly negated.
struct IfCondition {
    bool negated = false;
    bool is_etag = false;
    std::string value;  ///< token without <>, or the entity tag as written (quotes kept)

    bool operator==(const IfCondition&) const = default;
};

/// A parenthesised list; all its conditions must hold.
struct IfList {
    std::optional<std::string> resource;  ///< the Resource-Tag (tagged lists)
    std::vector<IfCondition> conditions;

    bool operator==(const IfList&) const = default;
};

/// Parses an If header value. Throws DavError 400 when malformed.
std::vector<IfList> parse_if_header(std::string_view value);

/// What the evaluator needs to know about one resource.
struct IfResourceState {
    std::optional<std::string> etag;       ///< quoted strong ETag, if the resource exists
    std::vector<std::string> lock_tokens;  ///< tokens of the locks covering it
};

/// Looks up a resource's state; nullopt tag = the request URI.
using IfStateLookup = std::function<IfResourceState(const std::optional<std::string>& tag)>;

/// RFC 4918 §10.4.2: true when any list evaluates to true.
bool evaluate_if(const std::vector<IfList>& lists, const IfStateLookup& lookup);

/// State tokens that appear un-negated anywhere in the header: the lock
/// tokens the client submits (RFC 4918 §7.5, §10.4).
std::vector<std::string> submitted_tokens(const std::vector<IfList>& lists);

/// Compares entity tags leniently: a weak "W/" prefix is ignored, because
/// proxies weaken strong tags (CLIENTS.md §1.5).
bool etags_match(std::string_view a, std::string_view b);

}  // namespace cosmo::dav
