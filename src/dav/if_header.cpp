/// If header parsing (RFC 4918 §10.4 grammar) and evaluation.

#include "cosmo/dav/if_header.hpp"

#include "cosmo/dav/error.hpp"

namespace cosmo::dav {

namespace {

class IfParser {
public:
    explicit IfParser(std::string_view s) : s_(s) {}

    std::vector<IfList> parse() {
        std::vector<IfList> lists;
        skip_ws();
        if (at_end()) {
            fail();
        }
        // Either 1*No-tag-list or 1*Tagged-list; the first token decides.
        const bool tagged = peek() == '<';
        std::optional<std::string> tag;
        while (!at_end()) {
            if (peek() == '<') {
                if (!tagged) {
                    fail();
                }
                ++pos_;
                tag = read_until('>');
                skip_ws();
                if (at_end() || peek() != '(') {
                    fail();  // a Resource-Tag needs at least one list
                }
            } else if (peek() == '(') {
                IfList list = parse_list();
                list.resource = tag;
                lists.push_back(std::move(list));
            } else {
                fail();
            }
            skip_ws();
        }
        return lists;
    }

private:
    IfList parse_list() {
        ++pos_;  // '('
        IfList list;
        skip_ws();
        while (!at_end() && peek() != ')') {
            IfCondition c;
            if (s_.size() - pos_ >= 3 && (s_.substr(pos_, 3) == "Not" || s_.substr(pos_, 3) == "not" ||
                                          s_.substr(pos_, 3) == "NOT")) {
                c.negated = true;
                pos_ += 3;
                skip_ws();
            }
            if (at_end()) {
                fail();
            }
            if (peek() == '<') {
                ++pos_;
                c.value = read_until('>');
            } else if (peek() == '[') {
                ++pos_;
                c.is_etag = true;
                c.value = read_etag();
            } else {
                fail();
            }
            list.conditions.push_back(std::move(c));
            skip_ws();
        }
        if (at_end() || list.conditions.empty()) {
            fail();
        }
        ++pos_;  // ')'
        return list;
    }

    /// entity-tag = [ "W/" ] quoted-string, then ']'.
    std::string read_etag() {
        std::string out;
        if (s_.substr(pos_, 2) == "W/") {
            out += "W/";
            pos_ += 2;
        }
        if (at_end() || peek() != '"') {
            fail();
        }
        out += '"';
        ++pos_;
        while (!at_end() && peek() != '"') {
            out += s_[pos_++];
        }
        if (at_end()) {
            fail();
        }
        out += '"';
        ++pos_;
        if (at_end() || peek() != ']') {
            fail();
        }
        ++pos_;
        return out;
    }

    std::string read_until(char end) {
        const std::size_t stop = s_.find(end, pos_);
        if (stop == std::string_view::npos || stop == pos_) {
            fail();
        }
        std::string out(s_.substr(pos_, stop - pos_));
        pos_ = stop + 1;
        return out;
    }

    void skip_ws() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) {
            ++pos_;
        }
    }
    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return s_[pos_]; }
    [[noreturn]] void fail() const { throw DavError::bad_request("Malformed If header"); }

    std::string_view s_;
    std::size_t pos_ = 0;
};

std::string_view strip_weak(std::string_view t) {
    if (t.substr(0, 2) == "W/") {
        t.remove_prefix(2);
    }
    return t;
}

}  // namespace

std::vector<IfList> parse_if_header(std::string_view value) { return IfParser(value).parse(); }

bool etags_match(std::string_view a, std::string_view b) { return strip_weak(a) == strip_weak(b); }

bool evaluate_if(const std::vector<IfList>& lists, const IfStateLookup& lookup) {
    for (const IfList& list : lists) {
        const IfResourceState state = lookup(list.resource);
        bool all = true;
        for (const IfCondition& c : list.conditions) {
            bool match = false;
            if (c.is_etag) {
                match = state.etag && etags_match(*state.etag, c.value);
            } else {
                // An unknown token (e.g. <DAV:no-lock>) never matches.
                for (const std::string& t : state.lock_tokens) {
                    match = match || t == c.value;
                }
            }
            if (match == c.negated) {
                all = false;
                break;
            }
        }
        if (all) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> submitted_tokens(const std::vector<IfList>& lists) {
    std::vector<std::string> out;
    for (const IfList& list : lists) {
        for (const IfCondition& c : list.conditions) {
            if (!c.is_etag && !c.negated) {
                out.push_back(c.value);
            }
        }
    }
    return out;
}

}  // namespace cosmo::dav
