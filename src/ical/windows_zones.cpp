// Windows time zone names (Outlook, Exchange) to IANA, from the CLDR
// windowsZones table, territory "001" (the default city of each Windows zone).
// Outlook and Exchange send these as TZIDs, often without a usable VTIMEZONE
// (CLIENTS.md §1.4: nextcloud/server#48079, outlookcaldavsynchronizer#66).
// Targets use canonical names from zone.tab so libical's built-in zone list
// has them; Etc/GMT±N come from zoneinfo files (timezone.cpp).

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string_view>
#include <utility>

#include "cosmo/ical/timezone.hpp"

namespace cosmo::ical {
namespace {

using Entry = std::pair<std::string_view, std::string_view>;

constexpr std::array kWindowsZones = {
    Entry{"Dateline Standard Time", "Etc/GMT+12"},
    Entry{"UTC-11", "Etc/GMT+11"},
    Entry{"Aleutian Standard Time", "America/Adak"},
    Entry{"Hawaiian Standard Time", "Pacific/Honolulu"},
    Entry{"Marquesas Standard Time", "Pacific/Marquesas"},
    Entry{"Alaskan Standard Time", "America/Anchorage"},
    Entry{"UTC-09", "Etc/GMT+9"},
    Entry{"Pacific Standard Time (Mexico)", "America/Tijuana"},
    Entry{"UTC-08", "Etc/GMT+8"},
    Entry{"Pacific Standard Time", "America/Los_Angeles"},
    Entry{"US Mountain Standard Time", "America/Phoenix"},
    Entry{"Mountain Standard Time (Mexico)", "America/Mazatlan"},
    Entry{"Mountain Standard Time", "America/Denver"},
    Entry{"Yukon Standard Time", "America/Whitehorse"},
    Entry{"Central America Standard Time", "America/Guatemala"},
    Entry{"Central Standard Time", "America/Chicago"},
    Entry{"Easter Island Standard Time", "Pacific/Easter"},
    Entry{"Central Standard Time (Mexico)", "America/Mexico_City"},
    Entry{"Canada Central Standard Time", "America/Regina"},
    Entry{"SA Pacific Standard Time", "America/Bogota"},
    Entry{"Eastern Standard Time (Mexico)", "America/Cancun"},
    Entry{"Eastern Standard Time", "America/New_York"},
    Entry{"Haiti Standard Time", "America/Port-au-Prince"},
    Entry{"Cuba Standard Time", "America/Havana"},
    Entry{"US Eastern Standard Time", "America/Indiana/Indianapolis"},
    Entry{"Turks And Caicos Standard Time", "America/Grand_Turk"},
    Entry{"Paraguay Standard Time", "America/Asuncion"},
    Entry{"Atlantic Standard Time", "America/Halifax"},
    Entry{"Venezuela Standard Time", "America/Caracas"},
    Entry{"Central Brazilian Standard Time", "America/Cuiaba"},
    Entry{"SA Western Standard Time", "America/La_Paz"},
    Entry{"Pacific SA Standard Time", "America/Santiago"},
    Entry{"Newfoundland Standard Time", "America/St_Johns"},
    Entry{"Tocantins Standard Time", "America/Araguaina"},
    Entry{"E. South America Standard Time", "America/Sao_Paulo"},
    Entry{"SA Eastern Standard Time", "America/Cayenne"},
    Entry{"Argentina Standard Time", "America/Argentina/Buenos_Aires"},
    Entry{"Greenland Standard Time", "America/Nuuk"},
    Entry{"Montevideo Standard Time", "America/Montevideo"},
    Entry{"Magallanes Standard Time", "America/Punta_Arenas"},
    Entry{"Saint Pierre Standard Time", "America/Miquelon"},
    Entry{"Bahia Standard Time", "America/Bahia"},
    Entry{"UTC-02", "Etc/GMT+2"},
    Entry{"Mid-Atlantic Standard Time", "Etc/GMT+2"},
    Entry{"Azores Standard Time", "Atlantic/Azores"},
    Entry{"Cape Verde Standard Time", "Atlantic/Cape_Verde"},
    Entry{"UTC", "UTC"},
    Entry{"Coordinated Universal Time", "UTC"},
    Entry{"GMT Standard Time", "Europe/London"},
    Entry{"Greenwich Standard Time", "Atlantic/Reykjavik"},
    Entry{"Sao Tome Standard Time", "Africa/Sao_Tome"},
    Entry{"Morocco Standard Time", "Africa/Casablanca"},
    Entry{"W. Europe Standard Time", "Europe/Berlin"},
    Entry{"Central Europe Standard Time", "Europe/Budapest"},
    Entry{"Romance Standard Time", "Europe/Paris"},
    Entry{"Central European Standard Time", "Europe/Warsaw"},
    Entry{"W. Central Africa Standard Time", "Africa/Lagos"},
    Entry{"Jordan Standard Time", "Asia/Amman"},
    Entry{"GTB Standard Time", "Europe/Bucharest"},
    Entry{"Middle East Standard Time", "Asia/Beirut"},
    Entry{"Egypt Standard Time", "Africa/Cairo"},
    Entry{"E. Europe Standard Time", "Europe/Chisinau"},
    Entry{"Syria Standard Time", "Asia/Damascus"},
    Entry{"West Bank Standard Time", "Asia/Hebron"},
    Entry{"South Africa Standard Time", "Africa/Johannesburg"},
    Entry{"FLE Standard Time", "Europe/Helsinki"},
    Entry{"Israel Standard Time", "Asia/Jerusalem"},
    Entry{"South Sudan Standard Time", "Africa/Juba"},
    Entry{"Kaliningrad Standard Time", "Europe/Kaliningrad"},
    Entry{"Sudan Standard Time", "Africa/Khartoum"},
    Entry{"Libya Standard Time", "Africa/Tripoli"},
    Entry{"Namibia Standard Time", "Africa/Windhoek"},
    Entry{"Arabic Standard Time", "Asia/Baghdad"},
    Entry{"Turkey Standard Time", "Europe/Istanbul"},
    Entry{"Arab Standard Time", "Asia/Riyadh"},
    Entry{"Belarus Standard Time", "Europe/Minsk"},
    Entry{"Russian Standard Time", "Europe/Moscow"},
    Entry{"E. Africa Standard Time", "Africa/Nairobi"},
    Entry{"Volgograd Standard Time", "Europe/Volgograd"},
    Entry{"Iran Standard Time", "Asia/Tehran"},
    Entry{"Arabian Standard Time", "Asia/Dubai"},
    Entry{"Astrakhan Standard Time", "Europe/Astrakhan"},
    Entry{"Azerbaijan Standard Time", "Asia/Baku"},
    Entry{"Russia Time Zone 3", "Europe/Samara"},
    Entry{"Mauritius Standard Time", "Indian/Mauritius"},
    Entry{"Saratov Standard Time", "Europe/Saratov"},
    Entry{"Georgian Standard Time", "Asia/Tbilisi"},
    Entry{"Caucasus Standard Time", "Asia/Yerevan"},
    Entry{"Afghanistan Standard Time", "Asia/Kabul"},
    Entry{"West Asia Standard Time", "Asia/Tashkent"},
    Entry{"Ekaterinburg Standard Time", "Asia/Yekaterinburg"},
    Entry{"Pakistan Standard Time", "Asia/Karachi"},
    Entry{"Qyzylorda Standard Time", "Asia/Qyzylorda"},
    Entry{"India Standard Time", "Asia/Kolkata"},
    Entry{"Sri Lanka Standard Time", "Asia/Colombo"},
    Entry{"Nepal Standard Time", "Asia/Kathmandu"},
    Entry{"Central Asia Standard Time", "Asia/Almaty"},
    Entry{"Bangladesh Standard Time", "Asia/Dhaka"},
    Entry{"Omsk Standard Time", "Asia/Omsk"},
    Entry{"Myanmar Standard Time", "Asia/Yangon"},
    Entry{"SE Asia Standard Time", "Asia/Bangkok"},
    Entry{"Altai Standard Time", "Asia/Barnaul"},
    Entry{"W. Mongolia Standard Time", "Asia/Hovd"},
    Entry{"North Asia Standard Time", "Asia/Krasnoyarsk"},
    Entry{"N. Central Asia Standard Time", "Asia/Novosibirsk"},
    Entry{"Tomsk Standard Time", "Asia/Tomsk"},
    Entry{"China Standard Time", "Asia/Shanghai"},
    Entry{"North Asia East Standard Time", "Asia/Irkutsk"},
    Entry{"Singapore Standard Time", "Asia/Singapore"},
    Entry{"W. Australia Standard Time", "Australia/Perth"},
    Entry{"Taipei Standard Time", "Asia/Taipei"},
    Entry{"Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"},
    Entry{"Aus Central W. Standard Time", "Australia/Eucla"},
    Entry{"Transbaikal Standard Time", "Asia/Chita"},
    Entry{"Tokyo Standard Time", "Asia/Tokyo"},
    Entry{"North Korea Standard Time", "Asia/Pyongyang"},
    Entry{"Korea Standard Time", "Asia/Seoul"},
    Entry{"Yakutsk Standard Time", "Asia/Yakutsk"},
    Entry{"Cen. Australia Standard Time", "Australia/Adelaide"},
    Entry{"AUS Central Standard Time", "Australia/Darwin"},
    Entry{"E. Australia Standard Time", "Australia/Brisbane"},
    Entry{"AUS Eastern Standard Time", "Australia/Sydney"},
    Entry{"West Pacific Standard Time", "Pacific/Port_Moresby"},
    Entry{"Tasmania Standard Time", "Australia/Hobart"},
    Entry{"Vladivostok Standard Time", "Asia/Vladivostok"},
    Entry{"Lord Howe Standard Time", "Australia/Lord_Howe"},
    Entry{"Bougainville Standard Time", "Pacific/Bougainville"},
    Entry{"Russia Time Zone 10", "Asia/Srednekolymsk"},
    Entry{"Magadan Standard Time", "Asia/Magadan"},
    Entry{"Norfolk Standard Time", "Pacific/Norfolk"},
    Entry{"Sakhalin Standard Time", "Asia/Sakhalin"},
    Entry{"Central Pacific Standard Time", "Pacific/Guadalcanal"},
    Entry{"Russia Time Zone 11", "Asia/Kamchatka"},
    Entry{"New Zealand Standard Time", "Pacific/Auckland"},
    Entry{"UTC+12", "Etc/GMT-12"},
    Entry{"Fiji Standard Time", "Pacific/Fiji"},
    Entry{"Chatham Islands Standard Time", "Pacific/Chatham"},
    Entry{"UTC+13", "Etc/GMT-13"},
    Entry{"Tonga Standard Time", "Pacific/Tongatapu"},
    Entry{"Samoa Standard Time", "Pacific/Apia"},
    Entry{"Line Islands Standard Time", "Pacific/Kiritimati"},
};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

}  // namespace

std::optional<std::string_view> windows_to_iana(std::string_view windows_name) {
    // Exchange sometimes quotes the name or pads it; neither changes the zone.
    while (!windows_name.empty() && (windows_name.front() == '"' || windows_name.front() == ' ')) {
        windows_name.remove_prefix(1);
    }
    while (!windows_name.empty() && (windows_name.back() == '"' || windows_name.back() == ' ')) {
        windows_name.remove_suffix(1);
    }
    for (const auto& [windows, iana] : kWindowsZones) {
        if (iequals(windows, windows_name)) {
            return iana;
        }
    }
    return std::nullopt;
}

}  // namespace cosmo::ical
