/// Batched answers (batches.hpp).

#include "cosmo/dav/batches.hpp"

namespace cosmo::dav {

std::vector<std::size_t> batch_ends(std::size_t count,
                                    const std::function<std::int64_t(std::size_t)>& body_size) {
    std::vector<std::size_t> ends;
    std::size_t in_batch = 0;
    std::int64_t bytes = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::int64_t size = body_size ? body_size(i) : 0;
        // An item that does not fit starts the next batch; a batch holds at
        // least one, however large.
        if (in_batch > 0 && (in_batch == kBatchObjects || bytes + size > kBatchBodyBytes)) {
            ends.push_back(i);
            in_batch = 0;
            bytes = 0;
        }
        ++in_batch;
        bytes += size;
    }
    if (in_batch > 0) ends.push_back(count);
    return ends;
}

http::Response answer_in_batches(Call& call, xml::Writer w, std::vector<std::size_t> ends,
                                 BatchWriter write_batch,
                                 std::function<void(xml::Writer&)> write_end) {
    if (ends.size() <= 1) {
        if (!ends.empty()) write_batch(0, ends[0], w);
        write_end(w);
        return call.xml_response(http::Status::multi_status, w.finish());
    }
    write_batch(0, ends[0], w);
    std::size_t next = 1;
    return call.streamed_xml_response(
        http::Status::multi_status, std::move(w),
        [ends = std::move(ends), next, write_batch = std::move(write_batch),
         write_end = std::move(write_end)](xml::Writer& out) mutable {
            write_batch(ends[next - 1], ends[next], out);
            if (++next < ends.size()) return true;
            write_end(out);
            return false;
        });
}

}  // namespace cosmo::dav
