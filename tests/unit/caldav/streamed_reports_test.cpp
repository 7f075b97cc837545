/// Long answers with bodies (multiget, sync-collection, calendar-query and
/// PROPFIND asking for calendar-data, and the calendar export) go out a
/// batch of objects at a time (dav/batches.hpp): each batch is read when
/// the one before has been sent, so a whole calendar is never in memory.
/// Answers of one batch are made whole, with the same reads as before.
/// free-busy reads a long range in batches too.

#include <tuple>

#include "caldav_fixture.hpp"
#include "cosmo/dav/batches.hpp"
#include "cosmo/ical/calendar.hpp"

namespace cosmo::test {
namespace {

const std::string kDataProps = "<D:prop><D:getetag/><C:calendar-data/></D:prop>";
const std::string kCalendarData = "{urn:ietf:params:xml:ns:caldav}calendar-data";

class StreamedReportsTest : public CaldavTest {
protected:
    /// Stores events e000.ics ... e(count-1).ics, a day apart from 2025-01-01.
    void put_events(int count) {
        for (int i = 0; i < count; ++i) {
            const std::string body = event_body(i);
            ASSERT_EQ(put_ics(kCal + name(i), body).result_int(), 201u);
        }
    }
    static std::string name(int i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "e%03d.ics", i);
        return buf;
    }
    static std::string event_body(int i) {
        char day[32];
        std::snprintf(day, sizeof day, "2025%02d%02dT100000Z", 1 + i / 28, 1 + i % 28);
        return event("uid-" + std::to_string(i), day, std::string(day).replace(9, 2, "11"));
    }
    /// The hrefs of a multistatus in document order.
    static std::vector<std::string> hrefs_in_order(const std::string& body) {
        std::vector<std::string> out;
        for (const xml::Element& r : xml::parse(body).children) {
            if (const xml::Element* h = r.child(xml::dav("href"))) out.push_back(h->text);
        }
        return out;
    }
    /// The <D:status> of a response without properties, 0 when none.
    static int status_of(const std::string& body, const std::string& href) {
        for (const xml::Element& r : xml::parse(body).children) {
            const xml::Element* h = r.child(xml::dav("href"));
            const xml::Element* st = r.child(xml::dav("status"));
            if (h && st && h->text == href) return std::stoi(st->text.substr(9, 3));
        }
        return 0;
    }
    /// Checks that each of the first `count` events is in ms with its body.
    static void expect_bodies(const Multistatus& ms, int count) {
        for (int i = 0; i < count; ++i) {
            const auto it = ms.find(kCal + name(i));
            ASSERT_NE(it, ms.end()) << name(i);
            EXPECT_EQ(it->second.at(kCalendarData).value.text, event_body(i)) << name(i);
        }
    }
    std::string multiget_body(int count, const std::string& extra_href = "") {
        std::string b = "<C:calendar-multiget " + kNs + ">" + kDataProps;
        for (int i = 0; i < count; ++i) {
            b += "<D:href>" + kCal + name(i) + "</D:href>";
            if (i == count / 2 && !extra_href.empty()) b += "<D:href>" + extra_href + "</D:href>";
        }
        return b + "</C:calendar-multiget>";
    }
    std::string sync_body(const std::string& token, const std::string& limit = "") {
        return "<D:sync-collection " + kNs + "><D:sync-token>" + token +
               "</D:sync-token><D:sync-level>1</D:sync-level>" + limit + kDataProps +
               "</D:sync-collection>";
    }
    static std::string token_of(const std::string& body) {
        return xml::parse(body).child(xml::dav("sync-token"))->text;
    }
    static std::string query_body() {
        return "<C:calendar-query " + kNs + ">" + kDataProps +
               "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"/>"
               "</C:comp-filter></C:filter></C:calendar-query>";
    }
};

TEST_F(StreamedReportsTest, MultigetOfManyHrefsIsSentABatchAtATime) {
    put_events(230);
    const int reads = shards.body_reads();
    const int opens = shards.opens();
    const int confirms = shards.confirms();
    const http::Response res = report(kCal, multiget_body(230, kCal + "missing.ics"));
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parts, 2);  // 100 + 100 + 31 hrefs: the first made here, two more
    EXPECT_EQ(shards.body_reads(), reads + 3);
    // A session for each part, each confirmed before its part is sent: a
    // slow reader holds no database connection between parts.
    EXPECT_EQ(shards.opens(), opens + 3);
    EXPECT_EQ(shards.confirms(), confirms + 3);
    const std::vector<std::string> order = hrefs_in_order(res.body());
    ASSERT_EQ(order.size(), 231u);
    EXPECT_EQ(order.front(), kCal + name(0));
    EXPECT_EQ(order[116], kCal + "missing.ics");  // where it was asked, in the second batch
    EXPECT_EQ(order.back(), kCal + name(229));
    const Multistatus ms = parse_multistatus(res.body());
    expect_bodies(ms, 230);
    EXPECT_EQ(status_of(res.body(), kCal + "missing.ics"), 404);
}

// More than a batch of hrefs: their sizes are read first (one statement,
// no bodies), so a batch of large events holds at most 1 MiB of bodies.
TEST_F(StreamedReportsTest, MultigetOfLargeEventsIsBatchedByBytes) {
    const std::string description = "DESCRIPTION:" + std::string(20000, 'x') + "\r\n";
    for (int i = 0; i < 120; ++i) {
        ASSERT_EQ(put_ics(kCal + name(i), event("big-" + std::to_string(i), "20250110T100000Z",
                                                "20250110T110000Z", description))
                      .result_int(),
                  201u);
    }
    const int reads = shards.body_reads();
    const http::Response res = report(kCal, multiget_body(120));
    ASSERT_EQ(res.result_int(), 207u);
    // About 20 KB each: 52 + 52 + 16, where 100 + 20 by count alone.
    EXPECT_EQ(parts, 2);
    EXPECT_EQ(shards.body_reads(), reads + 3);
    EXPECT_EQ(parse_multistatus(res.body()).size(), 120u);
}

TEST_F(StreamedReportsTest, MultigetOfOneBatchIsMadeWhole) {
    put_events(100);
    const int reads = shards.body_reads();
    const http::Response res = report(kCal, multiget_body(100));
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parts, 0);
    EXPECT_EQ(shards.body_reads(), reads + 1);
    expect_bodies(parse_multistatus(res.body()), 100);
}

TEST_F(StreamedReportsTest, SyncWithCalendarDataIsSentABatchAtATimeWithItsTokenLast) {
    put_events(230);
    http::Response res = report(kCal, sync_body(""));
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parts, 2);
    EXPECT_EQ(parse_multistatus(res.body()).size(), 230u);
    expect_bodies(parse_multistatus(res.body()), 230);
    const std::string token = token_of(res.body());

    // 150 changes and a deletion since the token; at most 120 in one answer.
    for (int i = 0; i < 150; ++i) ASSERT_EQ(put_ics(kCal + name(i), event_body(i)).result_int(), 204u);
    ASSERT_EQ(status("DELETE", kCal + name(229)), 204);
    res = report(kCal, sync_body(token, "<D:limit><D:nresults>120</D:nresults></D:limit>"));
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parts, 1);
    const std::vector<std::string> order = hrefs_in_order(res.body());
    ASSERT_EQ(order.size(), 121u);  // 120 changes, then the 507 for the collection
    EXPECT_EQ(order.back(), kCal);
    EXPECT_NE(res.body().find("number-of-matches-within-limits"), std::string::npos);
    // The token covers exactly what was sent: the rest comes next time.
    res = report(kCal, sync_body(token_of(res.body())));
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parse_multistatus(res.body()).size(), 31u);  // 30 changes and the deletion
    EXPECT_EQ(status_of(res.body(), kCal + name(229)), 404);
}

TEST_F(StreamedReportsTest, QueryWithCalendarDataIsSentABatchAtATime) {
    put_events(230);
    for (int round = 0; round < 2; ++round) {  // bodies judged, then verdicts remembered
        const http::Response res = report(kCal, query_body());
        ASSERT_EQ(res.result_int(), 207u);
        EXPECT_EQ(parts, 2) << round;
        const Multistatus ms = parse_multistatus(res.body());
        EXPECT_EQ(ms.size(), 230u);
        expect_bodies(ms, 230);
    }
}

TEST_F(StreamedReportsTest, QueryOfOneBatchReadsEachBodyOnce) {
    put_events(60);
    const int reads = shards.body_reads();
    const http::Response res = report(kCal, query_body());
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parts, 0);
    // Judged and answered from one read: the matches' bodies were kept.
    EXPECT_EQ(shards.body_reads(), reads + 1);
    expect_bodies(parse_multistatus(res.body()), 60);
}

TEST_F(StreamedReportsTest, StreamedAnswerOfAHomeThatMovedMeanwhileIsCutOff) {
    put_events(150);
    http::Request req;
    req.method_string("REPORT");
    req.target(kCal);
    req.version(11);
    req.set(http::Field::depth, "1");
    req.body() = multiget_body(150);
    req.prepare_payload();
    http::RequestContext ctx;
    ctx.request_id = "req-1";
    ctx.user = "alice";
    const http::Response res = dispatcher->handle(req, ctx);
    ASSERT_EQ(res.result_int(), 207u);
    ASSERT_TRUE(ctx.body_rest);
    // The move finished between the batches: the part throws instead of
    // being confirmed, and the server sends neither it nor the end
    // (ServerTest.StreamThatFailsIsCutOffWithoutItsLastChunk), so the
    // client cannot take the answer for a complete one.
    shards.fail_next_confirms(1);
    std::string rest;
    EXPECT_THROW(ctx.body_rest(rest), store::Error);
}

// PROPFIND Depth 1 asking calendar-data reads the bodies a batch at a
// time too; without it (an ETag listing) the answer is made whole.
TEST_F(StreamedReportsTest, PropfindDepth1WithCalendarDataIsSentABatchAtATime) {
    put_events(150);
    const int reads = shards.body_reads();
    http::Response res = send("PROPFIND", kCal,
                              "<D:propfind " + kNs + ">" + kDataProps + "</D:propfind>",
                              {{"Depth", "1"}, {"Prefer", "return=minimal"}});
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parts, 1);
    EXPECT_EQ(shards.body_reads(), reads + 2);
    EXPECT_EQ(res["Preference-Applied"], "return=minimal");
    const Multistatus ms = parse_multistatus(res.body());
    EXPECT_EQ(ms.size(), 151u);  // the calendar and its members, in that order
    EXPECT_EQ(hrefs_in_order(res.body()).front(), kCal);
    expect_bodies(ms, 150);
    res = send("PROPFIND", kCal, "<D:propfind " + kNs + "><D:prop><D:getetag/></D:prop></D:propfind>",
               {{"Depth", "1"}});
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parts, 0);
    EXPECT_EQ(parse_multistatus(res.body()).size(), 151u);
}

// GET on a calendar (the export, webcal): a long one goes out a batch of
// objects at a time too, its VTIMEZONEs once each before the components.
TEST_F(StreamedReportsTest, ExportOfALongCalendarIsSentABatchAtATime) {
    const auto zone = [](const std::string& tzid, const std::string& offset) {
        return "BEGIN:VTIMEZONE\r\nTZID:" + tzid + "\r\nBEGIN:STANDARD\r\n"
               "DTSTART:19700101T000000\r\nTZOFFSETFROM:" + offset + "\r\nTZOFFSETTO:" +
               offset + "\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    };
    put_events(180);
    // Two zones, first stored in the second and third batches.
    for (const auto& [i, tzid, offset] :
         {std::tuple{150, "Test/East", "+0300"}, std::tuple{250, "Test/West", "-0500"},
          std::tuple{251, "Test/East", "+0300"}}) {
        const std::string body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" +
                                 zone(tzid, offset) + "BEGIN:VEVENT\r\nUID:zoned-" +
                                 std::to_string(i) + "\r\nDTSTAMP:20250101T000000Z\r\n"
                                 "DTSTART;TZID=" + tzid + ":20250110T100000\r\n"
                                 "END:VEVENT\r\nEND:VCALENDAR\r\n";
        ASSERT_EQ(put_ics(kCal + name(i), body).result_int(), i == 150 ? 204u : 201u);
    }
    const http::Response res = send("GET", kCal);
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_EQ(parts, 2);  // 182 objects: 100 + 82, and the end with the last
    const std::string& ics = res.body();
    const auto count = [&ics](const std::string& needle) {
        std::size_t n = 0;
        for (auto p = ics.find(needle); p != std::string::npos; p = ics.find(needle, p + 1)) ++n;
        return n;
    };
    EXPECT_EQ(count("BEGIN:VCALENDAR"), 1u);
    EXPECT_EQ(count("END:VCALENDAR"), 1u);
    EXPECT_EQ(count("BEGIN:VEVENT"), 182u);
    EXPECT_EQ(count("BEGIN:VTIMEZONE"), 2u);
    EXPECT_LT(ics.rfind("END:VTIMEZONE"), ics.find("BEGIN:VEVENT"));
    EXPECT_TRUE(ics.ends_with("END:VCALENDAR\r\n"));
    EXPECT_TRUE(ical::parse(ics).ok());
    // HEAD has the length a GET has, made whole.
    const http::Response head = send("HEAD", kCal);
    EXPECT_EQ(parts, 0);
    EXPECT_EQ(head[http::Field::content_length], std::to_string(ics.size()));
}

// free-busy-query reads the bodies in its range a batch at a time too; the
// answer is small and made whole, the busy time of every batch merged.
TEST_F(StreamedReportsTest, FreeBusyReadsItsBodiesABatchAtATime) {
    put_events(230);  // one a day from 2025-01-01, 10:00-11:00 UTC, 28 days a month
    const int reads = shards.body_reads();
    const http::Response res = report(
        kCal, "<C:free-busy-query " + kNs + "><C:time-range start=\"20250101T000000Z\" "
              "end=\"20260101T000000Z\"/></C:free-busy-query>");
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_EQ(parts, 0);
    EXPECT_EQ(shards.body_reads(), reads + 3);
    std::size_t periods = 0;
    for (auto p = res.body().find("FREEBUSY:"); p != std::string::npos;
         p = res.body().find("FREEBUSY:", p + 1)) {
        ++periods;
    }
    EXPECT_EQ(periods, 230u);
    EXPECT_NE(res.body().find("FREEBUSY:20250101T100000Z/20250101T110000Z\r\n"),
              std::string::npos);
    EXPECT_NE(res.body().find("FREEBUSY:20250906T100000Z/20250906T110000Z\r\n"),
              std::string::npos);  // the last: 229 = 8 * 28 + 5
}

TEST(BatchEnds, CountAndBodyBytesBoundEachBatch) {
    using dav::batch_ends;
    using dav::kBatchBodyBytes;
    EXPECT_TRUE(batch_ends(0, nullptr).empty());
    EXPECT_EQ(batch_ends(100, nullptr), (std::vector<std::size_t>{100}));
    EXPECT_EQ(batch_ends(201, nullptr), (std::vector<std::size_t>{100, 200, 201}));
    // Sizes: 0.4, 0.4, 0.4, 2 (alone, however large), 0.1 MiB...
    const std::vector<std::int64_t> sizes = {kBatchBodyBytes * 4 / 10, kBatchBodyBytes * 4 / 10,
                                             kBatchBodyBytes * 4 / 10, kBatchBodyBytes * 2,
                                             kBatchBodyBytes / 10};
    EXPECT_EQ(batch_ends(sizes.size(), [&](std::size_t i) { return sizes[i]; }),
              (std::vector<std::size_t>{2, 3, 4, 5}));
}

}  // namespace
}  // namespace cosmo::test
