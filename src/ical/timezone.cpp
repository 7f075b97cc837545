// Time zone resolution (CLIENTS.md §1.4): VTIMEZONE in the object, then the
// system's IANA data (libical reads /usr/share/zoneinfo), aliases and
// libical/Mozilla-prefixed TZIDs, then Windows names. Unknown TZIDs are read
// like floating times; nothing here fails on client input.

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>

#include "cosmo/ical/timezone.hpp"
#include "detail.hpp"

// Not covered by ical.h's extern "C" block.
extern "C" {
#include <libical/icaltz-util.h>
}

namespace cosmo::ical {
namespace detail {
namespace {

constexpr std::string_view kZoneDirectory = "/usr/share/zoneinfo";

// Zones kept for the process lifetime under a name, behind one mutex.
template <typename Zone>
struct ZoneCache {
    std::mutex mutex;
    std::map<std::string, Zone, std::less<>> zones;
};

// Zones libical does not list as built-in (zone.tab has canonical names only),
// loaded from zoneinfo files on first use.
ZoneCache<ZonePtr>& alias_cache() {
    static auto* cache = new ZoneCache<ZonePtr>;  // never destroyed: zones may be in use at exit
    return *cache;
}

// An icaltimezone owning vtimezone; nullptr (vtimezone freed) when libical
// does not take it as a zone.
ZonePtr zone_owning(icalcomponent* vtimezone) {
    ZonePtr zone(icaltimezone_new());
    if (icaltimezone_set_component(zone.get(), vtimezone) == 0) {
        icalcomponent_free(vtimezone);  // not taken over on failure
        return nullptr;
    }
    return zone;
}

bool is_utc_name(std::string_view name) {
    constexpr std::string_view kNames[] = {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu",
                                           "Universal", "Etc/Universal", "Etc/Zulu", "UCT"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// A zoneinfo file name we are willing to open: letters, digits, "_+-/",
// no "..", no absolute path (the TZID is client input).
bool is_safe_zone_file(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '/' ||
        name.find("..") != std::string_view::npos) {
        return false;
    }
    const bool chars_ok = std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '+' || c == '-' || c == '/';
    });
    if (!chars_ok) {
        return false;
    }
    std::error_code ec;
    const auto path = std::filesystem::path(kZoneDirectory) / std::string(name);
    return std::filesystem::is_regular_file(path, ec);
}

icaltimezone* zoneinfo_zone(std::string_view name) {
    if (!is_safe_zone_file(name)) {
        return nullptr;
    }
    ZoneCache<ZonePtr>& cache = alias_cache();
    std::lock_guard lock(cache.mutex);
    if (auto it = cache.zones.find(name); it != cache.zones.end()) {
        return it->second.get();
    }
    const std::string key(name);
    icalcomponent* vtimezone = icaltzutil_fetch_timezone(key.c_str());
    if (vtimezone == nullptr) {
        return nullptr;  // not a TZif file
    }
    ZonePtr zone = zone_owning(vtimezone);
    if (!zone) {
        return nullptr;
    }
    icaltimezone* result = zone.get();
    cache.zones.emplace(key, std::move(zone));
    return result;
}

// An IANA name or alias: built-in first (no file access), then zoneinfo.
icaltimezone* iana_zone(std::string_view name) {
    if (name.empty()) {
        return nullptr;
    }
    if (is_utc_name(name)) {
        return utc_zone();
    }
    const std::string key(name);
    if (icaltimezone* zone = icaltimezone_get_builtin_timezone(key.c_str())) {
        return zone;
    }
    return zoneinfo_zone(name);
}

// The zone and the IANA name it was found under.
std::pair<icaltimezone*, std::string> resolve(std::string_view tzid) {
    while (!tzid.empty() && std::isspace(static_cast<unsigned char>(tzid.front()))) {
        tzid.remove_prefix(1);
    }
    while (!tzid.empty() && std::isspace(static_cast<unsigned char>(tzid.back()))) {
        tzid.remove_suffix(1);
    }
    if (icaltimezone* zone = iana_zone(tzid)) {
        return {zone, is_utc_name(tzid) ? std::string("UTC") : std::string(tzid)};
    }
    if (auto iana = windows_to_iana(tzid)) {
        if (icaltimezone* zone = iana_zone(*iana)) {
            return {zone, std::string(*iana)};
        }
    }
    // Prefixed TZIDs: "/mozilla.org/20050126_1/Europe/Berlin",
    // "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
    // "/citadel.org/20190914_1/America/New_York": try each suffix.
    if (!tzid.empty() && tzid.front() == '/') {
        for (std::size_t slash = tzid.find('/', 1); slash != std::string_view::npos;
             slash = tzid.find('/', slash + 1)) {
            const std::string_view rest = tzid.substr(slash + 1);
            if (icaltimezone* zone = iana_zone(rest)) {
                return {zone, std::string(rest)};
            }
        }
    }
    return {nullptr, {}};
}

// Zones made from VTIMEZONE components, keyed by the component's text. The
// text is client input, so the cache is bounded: past kMaxSharedZones new
// definitions get a private zone (correct, only slower). Entries are never
// evicted: the set of zones clients send is small (a few per IANA name and
// client version).
constexpr std::size_t kMaxSharedZones = 2048;

ZoneCache<SharedZone>& shared_zone_cache() {
    static auto* cache = new ZoneCache<SharedZone>;  // never destroyed: zones may be in use at exit
    return *cache;
}

SharedZone make_zone(icalcomponent* vtimezone) {
    ZonePtr zone = zone_owning(icalcomponent_new_clone(vtimezone));
    return zone ? SharedZone(zone.release(), ZoneDeleter{}) : nullptr;
}

}  // namespace

SharedZone shared_zone(icalcomponent* vtimezone, std::string_view source) {
    std::string key;
    if (!source.empty()) {
        key = source;
    } else {
        char* raw = icalcomponent_as_ical_string_r(vtimezone);
        if (raw == nullptr) {
            return make_zone(vtimezone);
        }
        key = raw;
        icalmemory_free_buffer(raw);
    }
    ZoneCache<SharedZone>& cache = shared_zone_cache();
    std::lock_guard lock(cache.mutex);
    if (auto it = cache.zones.find(key); it != cache.zones.end()) {
        return it->second;
    }
    SharedZone zone = make_zone(vtimezone);
    if (zone == nullptr || cache.zones.size() >= kMaxSharedZones) {
        return zone;
    }
    // Expand the transitions now, under the cache's lock, like the built-in
    // zones in ensure_initialized: libical fills this cache on first use.
    icaltimetype now = icaltime_from_timet_with_zone(std::time(nullptr), 0, utc_zone());
    int is_daylight = 0;
    icaltimezone_get_utc_offset(zone.get(), &now, &is_daylight);
    cache.zones.emplace(std::move(key), zone);
    return zone;
}

SharedZone cached_shared_zone(std::string_view source) {
    ZoneCache<SharedZone>& cache = shared_zone_cache();
    std::lock_guard lock(cache.mutex);
    const auto it = cache.zones.find(source);
    return it != cache.zones.end() ? it->second : nullptr;
}

void ensure_initialized() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Bad input must never abort the process (libical can be built fatal).
        icalerror_set_errors_are_fatal(0);
        icaltimezone_get_utc_timezone();
        // Load every built-in zone and its transitions for the coming years:
        // libical fills these caches on first use, which is not safe to race.
        icalarray* zones = icaltimezone_get_builtin_timezones();
        icaltimetype now = icaltime_from_timet_with_zone(std::time(nullptr), 0, utc_zone());
        for (std::size_t i = 0; zones != nullptr && i < zones->num_elements; ++i) {
            auto* zone = static_cast<icaltimezone*>(icalarray_element_at(zones, i));
            if (icaltimezone_get_component(zone) != nullptr) {
                int is_daylight = 0;
                icaltimezone_get_utc_offset(zone, &now, &is_daylight);
            }
        }
    });
}

icaltimezone* utc_zone() { return icaltimezone_get_utc_timezone(); }

icaltimezone* system_zone(std::string_view tzid) {
    ensure_initialized();
    return resolve(tzid).first;
}

Resolver::Resolver(const CalendarImpl& calendar, std::string_view default_tzid)
    : calendar_(calendar), floating_(utc_zone()) {
    if (!default_tzid.empty()) {
        if (icaltimezone* zone = system_zone(default_tzid)) {
            floating_ = zone;
        }
    }
}

icaltimezone* Resolver::zone_for_tzid(std::string_view tzid) const {
    // RFC 5545 §3.2.19: the object's VTIMEZONE defines the TZID. Without one
    // (jtxBoard, Outlook) fall back to the system's data, then floating.
    if (auto it = calendar_.zones.find(tzid); it != calendar_.zones.end()) {
        return it->second.get();
    }
    if (icaltimezone* zone = system_zone(tzid)) {
        return zone;
    }
    return floating_;
}

icaltimezone* Resolver::zone_for(icalproperty* property, const icaltimetype& value) const {
    if (icaltime_is_utc(value)) {
        return utc_zone();
    }
    if (value.is_date) {
        return floating_;  // RFC 4791 §9.9: dates are floating
    }
    if (property != nullptr) {
        if (icalparameter* p = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER)) {
            if (const char* tzid = icalparameter_get_tzid(p)) {
                return zone_for_tzid(tzid);
            }
        }
    }
    return floating_;
}

}  // namespace detail

void initialize() { detail::ensure_initialized(); }

std::optional<std::string> iana_name(std::string_view tzid) {
    detail::ensure_initialized();
    auto [zone, name] = detail::resolve(tzid);
    if (zone == nullptr) {
        return std::nullopt;
    }
    return name;
}

}  // namespace cosmo::ical
