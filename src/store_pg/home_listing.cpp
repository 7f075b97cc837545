#include "home_listing.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "rows.hpp"

namespace cosmo::store_pg::detail {

namespace {

namespace json = boost::json;

/// A JSON array of strings, or null (no properties), into out.
bool strings_from(const json::value& v, std::vector<std::string>& out) {
    if (v.is_null()) return true;
    const json::array* a = v.if_array();
    if (a == nullptr) return false;
    for (const json::value& e : *a) {
        const json::string* s = e.if_string();
        if (s == nullptr) return false;
        out.emplace_back(s->data(), s->size());
    }
    return true;
}

/// One member of the listing: the collection and its dead properties.
bool listed_collection_from(const json::value& v, ListedCollection& out) {
    const json::array* a = v.if_array();
    if (a == nullptr || a->size() != 9) return false;
    const json::value& id = (*a)[0];
    const json::string* path = (*a)[1].if_string();
    const json::value& kind = (*a)[2];
    const json::value& revision = (*a)[3];
    const json::string* created = (*a)[4].if_string();
    const json::string* modified = (*a)[5].if_string();
    if (!id.is_int64() || path == nullptr || !kind.is_int64() || !revision.is_int64() ||
        created == nullptr || modified == nullptr) {
        return false;
    }
    store::Resource& r = out.first;
    r.is_collection = true;
    r.id = id.get_int64();
    r.collection_id = r.id;
    r.path.assign(path->data(), path->size());
    r.kind = static_cast<store::CollectionKind>(kind.get_int64());
    r.revision = revision.get_int64();
    try {
        r.created = from_micros(micros_of_text({created->data(), created->size()}));
        r.modified = from_micros(micros_of_text({modified->data(), modified->size()}));
    } catch (const pqxx::conversion_error&) {
        return false;
    }
    std::vector<std::string> ns, names, values;
    if (!strings_from((*a)[6], ns) || !strings_from((*a)[7], names) ||
        !strings_from((*a)[8], values) || ns.size() != names.size() ||
        ns.size() != values.size()) {
        return false;
    }
    for (std::size_t i = 0; i < ns.size(); ++i) {
        out.second.push_back({std::move(ns[i]), std::move(names[i]), std::move(values[i])});
    }
    return true;
}

}  // namespace

bool collections_from_json(std::string_view text, std::vector<ListedCollection>& out) {
    boost::system::error_code ec;
    const json::value v = json::parse(text, ec);
    const json::array* a = ec ? nullptr : v.if_array();
    if (a == nullptr) return false;
    out.reserve(a->size());
    for (const json::value& member : *a) {
        if (!listed_collection_from(member, out.emplace_back())) return false;
    }
    return true;
}

}  // namespace cosmo::store_pg::detail
