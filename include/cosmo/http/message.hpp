#pragma once
/// Request/response value types shared by the transport and the handlers.

#include <chrono>
#include <functional>
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

/// The rest of a response body, made after the head and the body so far
/// have been sent (chunked transfer coding), so that a long multistatus
/// never has to be whole in memory. Each call appends the next part to
/// `out` and returns false with the last one. It runs where handlers run
/// and may block. If it throws, the connection is closed without the last
/// chunk: the client sees an answer cut off, never a complete wrong one.
using BodyStream = std::function<bool(std::string& out)>;

/// Per-request facts that handlers need; passed explicitly, never global.
struct RequestContext {
    std::string request_id;   ///< X-Request-Id as received, or a new one
    std::string client_ip;    ///< peer, or X-Forwarded-For from a trusted proxy
    std::string user;         ///< authenticated user name; empty if anonymous
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    /// Set by a handler whose response body goes on after Response::body()
    /// (see BodyStream); the server sends the rest as it is made.
    BodyStream body_rest;
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
