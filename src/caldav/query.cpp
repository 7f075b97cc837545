/// CALDAV:calendar-query (RFC 4791 §7.8) and CALDAV:free-busy-query (§7.10).
///
/// The filter is parsed into ical::Filter (requests.cpp). Candidates come
/// from the store's index prefilter (component + time range in SQL, from
/// ical::prefilter_hints); the exact decision is ical::matches (full RFC
/// 4791 §9.7 model, recurrences expanded). free-busy-query merges the busy
/// time of the candidates with ical::free_busy_report.
///
/// A stored object that no longer parses is skipped (and logged), never an
/// error for the report (CLIENTS.md §1.14). Verdicts are remembered by ETag
/// (match_memo.hpp): a repeated query parses only objects that changed. For
/// the filters of day, week and month views, each object's instances over
/// the surrounding year are remembered too (InstanceMemo), so a view that
/// moves within the year (the next seven days, asked every hour) parses only
/// objects it has not seen in that year. The first look at an object then
/// expands the whole year, not just the range: more work once for a series
/// without end, none afterwards.
///
/// Statuses: calendar-query 207 (with a 507 response for the request-URI
/// when cut at DAV:limit/nresults or max-results, RFC 5323 §5.17); free-busy-query 200 text/calendar; 400 for a malformed
/// body; 403 valid-filter, supported-collation.

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <utility>

#include <boost/algorithm/string/predicate.hpp>
#include <spdlog/spdlog.h>

#include "cosmo/ical/calendar.hpp"
#include "cosmo/ical/filter.hpp"
#include "cosmo/ical/freebusy.hpp"
#include "internal.hpp"
#include "match_memo.hpp"
#include "requests.hpp"

namespace cosmo::caldav::detail {

namespace {

using xml::dav;

/// Free-busy ranges up to this long read their objects in one statement; a
/// range scan is cheaper than a batch's reads by name (about 300 us of
/// PostgreSQL for a month's 150 objects, session 12), and a short range
/// holds few objects of any calendar. Longer ones are read in batches.
constexpr auto kShortFreeBusyRange = std::chrono::days(62);

/// Reads the bodies of candidates[i] for i in which (one query).
void read_bodies(dav::Call& call, std::vector<store::StoredObject>& candidates,
                 std::vector<bool>& has_body, const std::vector<std::size_t>& which) {
    if (which.empty()) return;
    std::vector<std::string> paths;
    std::map<std::string, std::size_t> index;
    for (std::size_t i : which) {
        paths.push_back(candidates[i].resource.path);
        index.emplace(candidates[i].resource.path, i);
    }
    // The row comes with its body, so the ETag answered is the body's even
    // when a write landed after the candidates were listed (or the body
    // came from the object cache, at the revision the request first saw).
    for (store::StoredObject& o : call.read_objects(paths)) {
        const auto it = index.find(o.resource.path);
        if (it == index.end()) continue;
        candidates[it->second] = std::move(o);
        has_body[it->second] = true;
    }
}

/// The listing cache key of a calendar-query on a calendar, when its answer
/// is a function of the collection's revision (as a listing's is,
/// listing_cache.hpp): every property asked is decided by the member's row
/// or, for calendar-data, by its stored bytes, the calendar's time zone
/// (in the key, read before) and max-instances. The request body is in the
/// key as sent (filter, properties, limit, time zone); a large one is not
/// cached. nullopt: compute the answer and keep nothing.
std::optional<std::string> query_cache_key(const Options& options, const dav::Call& call,
                                           const CalendarQuery& q,
                                           const store::Resource& collection,
                                           const std::string& tzid) {
    constexpr std::size_t kMaxKeyedBody = 8 * 1024;
    const std::string& body = call.req.body();
    if (q.props.kind != dav::PropRequest::Kind::kProp || body.size() > kMaxKeyedBody) {
        return std::nullopt;
    }
    for (const xml::Element& e : q.props.props) {
        if (!dav::ListingCache::row_property(e.name) && e.name != xml::caldav("calendar-data")) {
            return std::nullopt;
        }
    }
    std::string k = "calendar-query\n";
    k.append(call.options.prefix).append("\n").append(call.ctx.user).append("\n");
    k.append(call.node.user).append("\n").append(std::to_string(collection.id)).append("\n");
    k.append(collection.path).append("\n").append(std::to_string(collection.revision));
    k.append("\n").append(tzid).append("\n").append(std::to_string(options.max_instances));
    k.append("\n").append(std::to_string(options.max_results)).append("\n");
    k.append(call.header("Depth")).append("\n").append(body);
    return k;
}

/// The window an InstanceMemo entry covers for the range [start, end): the
/// UTC calendar year of the range's middle with a month more on each side,
/// so a month view in any time zone fits. nullopt when the range does not
/// fit in it (open ends, long ranges, ranges across a year's margin).
std::optional<std::pair<ical::TimePoint, ical::TimePoint>> instance_window(ical::TimePoint start,
                                                                          ical::TimePoint end) {
    using namespace std::chrono;
    constexpr days kMargin{32};
    if (start <= ical::kMinTime || end >= ical::kMaxTime || end < start) return std::nullopt;
    const ical::TimePoint middle = start + (end - start) / 2;
    const year y = year_month_day(floor<days>(middle)).year();
    const ical::TimePoint from = sys_days(y / January / 1) - kMargin;
    const ical::TimePoint to = sys_days((y + years(1)) / January / 1) + kMargin;
    if (start < from || end > to) return std::nullopt;
    return std::pair(from, to);
}

/// Floating times and dates are indexed as read in the calendar's time zone
/// at PUT time; a query may read them in another (its CALDAV:timezone, or
/// the calendar's after a change). UTC offsets lie within -12..+14 hours,
/// so such a span moves by at most 26: the SQL prefilter takes this much
/// more on each side, and the index decides only spans this far inside.
constexpr std::chrono::seconds kFloatingMargin = std::chrono::hours{28};

/// [start, end] in seconds, kFloatingMargin wider on each side (open ends
/// stay open): the candidates' prefilter.
std::pair<std::int64_t, std::int64_t> prefilter_bounds(std::int64_t start, std::int64_t end) {
    const std::int64_t m = kFloatingMargin.count();
    return {start == store::kMinSeconds || start < store::kMinSeconds + m ? store::kMinSeconds
                                                                          : start - m,
            end == store::kMaxSeconds || end > store::kMaxSeconds - m ? store::kMaxSeconds
                                                                      : end + m};
}

/// Whether a candidate's index alone says it matches a day, week or month
/// view on VEVENT: one non-recurring event whose indexed span lies inside
/// the range with kFloatingMargin to spare on each side. Every row of RFC
/// 4791 §9.9's table for VEVENT holds for a span inside the range; the
/// margin is for floating times (kFloatingMargin). A first view
/// of a month then parses only its recurring candidates and its edges: in
/// the load test's calendars about half of a month's candidates are single
/// events well inside it (docs/performance.md, "Tenth pass").
bool index_says_inside(const std::optional<store::CalendarIndex>& index,
                       const ical::SimpleTimeRange& range) {
    if (!index || index->recurring || index->component != "VEVENT" ||
        !boost::algorithm::iequals(range.component, "VEVENT") || range.start <= ical::kMinTime ||
        range.end >= ical::kMaxTime) {
        return false;
    }
    const std::int64_t inner_start = (range.start + kFloatingMargin).time_since_epoch().count();
    const std::int64_t inner_end = (range.end - kFloatingMargin).time_since_epoch().count();
    return inner_start <= index->first_start && index->first_start <= index->last_end &&
           index->last_end <= inner_end;
}

bool any_overlaps(const std::vector<ical::Instance>& instances, ical::TimePoint start,
                  ical::TimePoint end) {
    return std::any_of(instances.begin(), instances.end(),
                       [&](const ical::Instance& i) { return ical::overlaps(i, start, end); });
}

/// A calendar-query's answer: what the matches' responses need, kept
/// until its last batch is written (a long one is streamed, dav/batches.hpp).
struct QueryAnswer {
    std::vector<store::StoredObject> candidates;  ///< without bodies unless kept
    std::vector<bool> has_body;
    std::vector<std::size_t> matched;  ///< the candidates that match, up to the limit
    dav::PropRequest props;
    bool truncated = false;
};

/// The responses of matches [begin, end), their missing bodies read in one
/// query when calendar-data is asked.
void write_matches(dav::Call& call, QueryAnswer& a, std::size_t begin, std::size_t end,
                   xml::Writer& out) {
    const std::vector<std::size_t> batch(a.matched.begin() + static_cast<std::ptrdiff_t>(begin),
                                         a.matched.begin() + static_cast<std::ptrdiff_t>(end));
    if (wants_calendar_data(a.props)) {
        std::vector<std::size_t> unread;
        for (const std::size_t i : batch) {
            if (!a.has_body[i]) unread.push_back(i);
        }
        read_bodies(call, a.candidates, a.has_body, unread);
    }
    std::vector<dav::Node> nodes;
    for (const std::size_t i : batch) {
        dav::Node n = object_node(call, std::move(a.candidates[i]));
        if (!a.has_body[i]) n.body.reset();  // not read; a getter reads it if needed
        nodes.push_back(std::move(n));
    }
    const dav::DeadPropertyBatch dead(call, a.props, nodes);
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        dav::write_prop_response(call, nodes[k], a.props, false, out, dead.of(k));
    }
}

/// The 207 for the matches after `w` (the open multistatus), and the 507
/// when cut at the limit: whole, and kept under `key` when there is one,
/// if one batch; else streamed and not kept.
http::Response answer_matches(dav::Call& call, std::shared_ptr<QueryAnswer> answer,
                              const std::optional<std::string>& key, xml::Writer w) {
    const auto match_size = [&answer](std::size_t k) {
        return answer->candidates[answer->matched[k]].resource.content_length;
    };
    // Without calendar-data an answer is a few hundred bytes a match.
    std::vector<std::size_t> ends = wants_calendar_data(answer->props)
                                        ? dav::batch_ends(answer->matched.size(), match_size)
                                        : std::vector<std::size_t>{answer->matched.size()};
    const auto write_batch = [&call, answer](std::size_t begin, std::size_t end,
                                             xml::Writer& out) {
        write_matches(call, *answer, begin, end, out);
    };
    const auto write_end = [&call, answer](xml::Writer& out) {
        if (answer->truncated) write_truncated(call, out);
    };
    if (key && ends.size() <= 1) {
        // One batch: the answer is kept for the next poll of this revision
        // (as ListingCache::write_through does).
        xml::Writer part = xml::Writer::fragment(64 * 1024);
        if (!ends.empty()) write_batch(0, ends[0], part);
        write_end(part);
        std::string listing = part.finish();
        w.raw(listing);
        call.options.listing_cache->store(*key, std::move(listing));
        return call.xml_response(http::Status::multi_status, w.finish());
    }
    return dav::answer_in_batches(call, std::move(w), std::move(ends), write_batch, write_end);
}

http::Response run_query(const Options& options, MatchMemo& memo, InstanceMemo& instance_memo,
                         dav::Call& call, const xml::Element& root) {
    const CalendarQuery q = parse_calendar_query(root);
    const ical::PrefilterHints hints = ical::prefilter_hints(q.filter);
    std::int64_t start = store::kMinSeconds;
    std::int64_t end = store::kMaxSeconds;
    if (hints.range) {
        if (hints.range->start) start = hints.range->start->time_since_epoch().count();
        if (hints.range->end) end = hints.range->end->time_since_epoch().count();
    }
    const auto [from, to] = prefilter_bounds(start, end);
    // On a calendar object resource (Depth 0, RFC 4791 §7.8) the query
    // tests just that object; the time zone comes from its calendar.
    const bool on_object = !call.node.resource->is_collection;
    std::optional<store::Resource> parent;
    if (on_object) parent = call.session->stat(dav::parent_path(call.node.path));
    const store::Resource& collection = on_object && parent ? *parent : *call.node.resource;
    std::string tzid = q.timezone_id;
    if (tzid.empty() && collection.is_collection) tzid = collection_tzid(call, collection);
    const std::size_t limit = std::min(q.limit.value_or(options.max_results), options.max_results);
    const xml::Element* filter = root.child(xml::caldav("filter"));
    const std::string memo_context =
        MatchMemo::context(filter ? filter->inner_xml : "", tzid, options.max_instances);
    // A day, week or month view: verdicts from instances kept per window.
    const std::optional<ical::SimpleTimeRange> simple =
        on_object ? std::nullopt : ical::simple_time_range(q.filter);
    const auto window = simple ? instance_window(simple->start, simple->end) : std::nullopt;
    const std::string instance_context =
        window ? InstanceMemo::context(simple->component, tzid, options.max_instances,
                                       window->first.time_since_epoch().count())
               : std::string();
    xml::Writer w;
    w.start(dav("multistatus"));
    dav::ListingCache* cache = call.options.listing_cache.get();
    const std::optional<std::string> key =
        cache && !on_object ? query_cache_key(options, call, q, collection, tzid) : std::nullopt;
    if (key) {
        if (const auto hit = cache->find(*key)) {
            w.raw(*hit);
            return call.xml_response(http::Status::multi_status, w.finish());
        }
    }

    auto answer = std::make_shared<QueryAnswer>();
    std::vector<store::StoredObject>& candidates = answer->candidates;
    std::vector<bool>& has_body = answer->has_body;
    // Candidates without bodies: verdicts remembered by ETag need none.
    std::vector<std::optional<store::CalendarIndex>> indexes;
    if (on_object) {
        candidates = call.session->read_objects({call.node.path});
    } else {
        for (store::RangeCandidate& r :
             call.session->resources_in_range(collection, hints.component, from, to)) {
            candidates.push_back({std::move(r.resource), {}});
            indexes.push_back(std::move(r.index));
        }
    }
    has_body.assign(candidates.size(), on_object);

    std::vector<std::optional<bool>> verdicts(candidates.size());
    std::vector<std::size_t> unread;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (simple && i < indexes.size() && index_says_inside(indexes[i], *simple)) {
            verdicts[i] = true;
            continue;
        }
        const std::string& etag = candidates[i].resource.etag;
        verdicts[i] = memo.find(memo_context, etag);
        if (!verdicts[i] && window) {
            const auto kept = instance_memo.find(instance_context, etag);
            if (kept && *kept) {
                verdicts[i] = any_overlaps(**kept, simple->start, simple->end);
                memo.remember(memo_context, etag, *verdicts[i]);
            }
        }
        if (!verdicts[i]) unread.push_back(i);
    }
    // The verdict of candidate i from its body.
    const auto decide = [&](std::size_t i) {
        const store::StoredObject& o = candidates[i];
        if (window) {
            // A view's filter needs only the object's times: parse just those
            // lines (ical::parse_times; most of a cold query's work).
            const ical::ParseResult times = ical::parse_times(o.body);
            if (times.ok()) {
                std::optional<std::vector<ical::Instance>> instances = ical::component_instances(
                    *times.calendar, simple->component, tzid, window->first, window->second,
                    options.max_instances);
                if (instances) {
                    verdicts[i] = any_overlaps(*instances, simple->start, simple->end);
                }
                instance_memo.remember(
                    instance_context, o.resource.etag,
                    instances ? std::make_shared<const std::vector<ical::Instance>>(
                                    std::move(*instances))
                              : nullptr);
                if (verdicts[i]) {
                    memo.remember(memo_context, o.resource.etag, *verdicts[i]);
                    return;
                }
            }
        }
        ical::ParseResult parsed = ical::parse(o.body);
        if (!parsed.ok()) {
            spdlog::warn("request {}: skipping unparsable {}", call.ctx.request_id,
                         o.resource.path);
            verdicts[i] = false;
            return;
        }
        try {
            verdicts[i] = ical::matches(*parsed.calendar, q.filter, tzid, options.max_instances);
        } catch (const ical::UnsupportedFilter& e) {
            throw dav::DavError::forbidden(dav::Precondition::kSupportedCollation,
                                           "Unsupported collation " + e.collation());
        }
        memo.remember(memo_context, o.resource.etag, *verdicts[i]);
    };
    // Bodies to judge are read a batch at a time. A match's body is kept
    // for its calendar-data while the kept ones fit in one batch (then an
    // answer of one batch reads no body twice); the others are read again
    // when their batch is written.
    const bool with_bodies = wants_calendar_data(q.props);
    std::size_t kept_count = 0;
    std::int64_t kept_bytes = 0;
    const auto keep_body = [&](std::size_t i) {
        const std::int64_t size = static_cast<std::int64_t>(candidates[i].body.size());
        if (!with_bodies || !*verdicts[i] || kept_count == dav::kBatchObjects ||
            kept_bytes + size > dav::kBatchBodyBytes) {
            return false;
        }
        ++kept_count;
        kept_bytes += size;
        return true;
    };
    if (on_object && !candidates.empty()) {
        if (!verdicts[0]) decide(0);
    } else {
        const auto unread_size = [&](std::size_t k) {
            return candidates[unread[k]].resource.content_length;
        };
        std::size_t begin = 0;
        for (const std::size_t end : dav::batch_ends(unread.size(), unread_size)) {
            const std::vector<std::size_t> chunk(unread.begin() + begin, unread.begin() + end);
            read_bodies(call, candidates, has_body, chunk);
            for (const std::size_t i : chunk) {
                if (!has_body[i]) {
                    verdicts[i] = false;  // gone since it was listed
                    continue;
                }
                decide(i);
                if (!keep_body(i)) {
                    std::string().swap(candidates[i].body);
                    has_body[i] = false;
                }
            }
            begin = end;
        }
    }

    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (!*verdicts[i]) continue;
        if (answer->matched.size() == limit) {
            answer->truncated = true;
            break;
        }
        answer->matched.push_back(i);
    }
    answer->props = q.props;
    return answer_matches(call, std::move(answer), key, std::move(w));
}

http::Response run_free_busy(const Options&, dav::Call& call, const xml::Element& root) {
    const FreeBusyQuery q = parse_free_busy_query(root);
    const ical::TimePoint start = q.range.start.value_or(ical::kMinTime);
    const ical::TimePoint end = q.range.end.value_or(ical::kMaxTime);
    if (!q.range.start || !q.range.end) {
        throw dav::DavError::forbidden(dav::Precondition::kValidFilter,
                                       "free-busy-query needs a bounded time-range");
    }
    const store::Resource& collection = *call.node.resource;
    const auto [from, to] =
        prefilter_bounds(start.time_since_epoch().count(), end.time_since_epoch().count());
    const std::string tzid = collection_tzid(call, collection);
    std::vector<ical::BusyPeriod> busy;
    const auto add_busy_time = [&](const std::vector<store::StoredObject>& objects) {
        std::vector<std::string_view> texts;
        for (const store::StoredObject& o : objects) texts.emplace_back(o.body);
        for (ical::BusyPeriod& p : ical::busy_periods(texts, start, end, tzid)) {
            busy.push_back(std::move(p));
        }
    };
    if (end - start <= kShortFreeBusyRange) {
        // What a scheduling view asks: few objects, read in one range scan.
        add_busy_time(call.session->objects_in_range(collection, "", from, to));
    } else {
        // A long range may hold the whole calendar: its bodies are read a
        // batch at a time (dav/batches.hpp), each batch's busy time merged.
        std::vector<std::string> paths;
        std::vector<std::int64_t> sizes;
        for (store::RangeCandidate& r :
             call.session->resources_in_range(collection, "", from, to)) {
            paths.push_back(std::move(r.resource.path));
            sizes.push_back(r.resource.content_length);
        }
        std::size_t begin = 0;
        for (const std::size_t batch_end :
             dav::batch_ends(paths.size(), [&sizes](std::size_t i) { return sizes[i]; })) {
            add_busy_time(read_slice(call, paths, begin, batch_end));
            begin = batch_end;
        }
    }
    return http::make_response(
        call.req, http::Status::ok,
        ical::free_busy_body(ical::merge_busy_periods(busy, start, end), start, end),
        "text/calendar; charset=utf-8");
}

}  // namespace

std::vector<dav::Report> query_reports(const Options& options) {
    std::vector<dav::Report> out;
    auto memo = std::make_shared<MatchMemo>(options.query_memo_entries);
    // In units of about 40 bytes (match_memo.hpp): at most about 16 MB at
    // the default, some 80,000 events that do not recur.
    auto instance_memo = std::make_shared<InstanceMemo>(2 * options.query_memo_entries);
    out.push_back({xml::caldav("calendar-query"),
                   [](const dav::Node& n) { return is_calendar(n) || is_calendar_object(n); },
                   [options, memo, instance_memo](dav::Call& call, const xml::Element& root) {
                       return run_query(options, *memo, *instance_memo, call, root);
                   }});
    out.push_back({xml::caldav("free-busy-query"), is_calendar,
                   [options](dav::Call& call, const xml::Element& root) {
                       return run_free_busy(options, call, root);
                   }});
    return out;
}

}  // namespace cosmo::caldav::detail
