#pragma once
/// Request/response value types shared by the transport and the handlers.

#include <chrono>
#include <optional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace cosmo::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Field = boost::beast::http::field;
using Status = boost::beast::http::status;
using Verb = boost::beast::http::verb;

/// Per-request facts that handlers need; passed explicitly, never global.
struct RequestContext {
    std::string request_id;   ///< X-Request-Id as received, or a new one
    std::string client_ip;    ///< peer, or X-Forwarded-For from a trusted proxy
    std::string user;         ///< authenticated user name; empty if anonymous
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

/// A handler turns a request into a response. Implementations are const and
/// stateless per request; they may block (they run on the worker pool, never
/// on an I/O thread).
class Handler {
public:
    virtual ~Handler() = default;
    virtual Response handle(Request& request, RequestContext& context) const = 0;
};

/// A small plain-text response with the request's HTTP version and keep-alive.
Response make_response(const Request& request, Status status, std::string body = {},
                       std::string_view content_type = "text/plain; charset=utf-8");

/// RFC 7231 IMF-fixdate.
std::string http_date(std::chrono::system_clock::time_point t);

}  // namespace cosmo::http
