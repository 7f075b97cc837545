#pragma once
/// Answers too long to make whole: multistatus answers that list many
/// objects with their bodies (PROPFIND or REPORTs asking for calendar-data)
/// are made and sent a batch of objects at a time, so that a calendar of
/// thousands of events is never whole in memory (issue 4, part 6). An
/// answer of one batch, the usual poll, is made whole: the same statements
/// as ever, and a Content-Length.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "cosmo/dav/call.hpp"

namespace cosmo::dav {

/// Objects per batch: at most this many bodies are in memory at once, and
/// at most kBatchBodyBytes of them where their sizes are known before they
/// are read (or one, if larger).
inline constexpr std::size_t kBatchObjects = 100;
inline constexpr std::int64_t kBatchBodyBytes = 1 << 20;

/// Where the batches of items [0, count) end: consecutive, at most
/// kBatchObjects items and kBatchBodyBytes of body_size each (a null
/// body_size: sizes unknown, counted as 0). Empty when count is 0.
std::vector<std::size_t> batch_ends(std::size_t count,
                                    const std::function<std::int64_t(std::size_t)>& body_size);

/// Writes the responses of items [begin, end) into a multistatus; it reads
/// what it needs itself, so it runs again for each batch.
using BatchWriter = std::function<void(std::size_t begin, std::size_t end, xml::Writer& w)>;

/// A 207 with `w` (the open multistatus), the batches' responses, and then
/// write_end's (a 507, the sync-token). One batch: made whole, here. More:
/// streamed (Call::streamed_xml_response), the first batch made here and
/// each other when the one before is sent. Both functions outlive this
/// call: they must own, or copy, what they use, except the Call.
http::Response answer_in_batches(Call& call, xml::Writer w, std::vector<std::size_t> ends,
                                 BatchWriter write_batch,
                                 std::function<void(xml::Writer&)> write_end);

}  // namespace cosmo::dav
