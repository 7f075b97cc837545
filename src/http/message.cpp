#include "cosmo/http/message.hpp"

#include <ctime>

namespace cosmo::http {

Response make_response(const Request& request, Status status, std::string body,
                       std::string_view content_type) {
    Response res{status, request.version()};
    res.keep_alive(request.keep_alive());
    if (!body.empty()) {
        res.set(Field::content_type, content_type);
    }
    res.body() = std::move(body);
    return res;
}

std::string http_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

}  // namespace cosmo::http
