#pragma once
// A minimal async HTTP/1.1 client over Boost.Beast: one keep-alive
// connection per object, used by one coroutine at a time (requests are
// sequential on a connection, as calendar clients send them).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace cosmo::loadtest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

/// Where the server is: from "http://host:port[/prefix]".
struct Endpoint {
    std::string host;    ///< host name or address
    std::string port;    ///< port, "80" by default
    std::string prefix;  ///< path prefix without trailing slash, usually empty
    /// Parses an http URL; throws std::invalid_argument on https or garbage.
    static Endpoint parse(std::string_view url);
};

/// One request to send.
struct Request {
    http::verb method = http::verb::get;   ///< method
    std::string target;                    ///< path (the endpoint prefix is prepended)
    std::string authorization;             ///< full Authorization value, or empty
    std::string body;                      ///< request body
    std::string content_type;              ///< Content-Type when a body is sent
    std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
};

/// The answer to a request; status 0 means an I/O error (see `error`).
struct Reply {
    int status = 0;            ///< HTTP status, 0 on I/O error or timeout
    std::string body;          ///< response body
    std::string etag;          ///< ETag header value, as sent
    std::string content_type;  ///< Content-Type header value
    std::string error;         ///< I/O error text when status is 0
};

/// A keep-alive HTTP/1.1 connection that reconnects on demand.
class HttpConnection {
public:
    /// A connection to `target` (already resolved); nothing happens until send().
    HttpConnection(asio::any_io_executor ex, Endpoint endpoint, asio::ip::tcp::endpoint target,
                   std::chrono::seconds timeout);
    /// Sends a request and reads the whole answer; never throws for I/O
    /// errors (they come back as status 0 and the socket is closed).
    asio::awaitable<Reply> send(const Request& request);
    /// Closes the socket (the next send reconnects).
    void close();
    /// The executor (strand) the connection runs on.
    asio::any_io_executor executor() { return stream_.get_executor(); }

private:
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    Endpoint endpoint_;
    asio::ip::tcp::endpoint target_;
    std::chrono::seconds timeout_;
    std::string host_header_;
    bool connected_ = false;
};

/// Resolves an endpoint synchronously (once, before a run).
asio::ip::tcp::endpoint resolve(asio::io_context& io, const Endpoint& endpoint);

/// "Basic base64(user:password)" (RFC 7617).
std::string basic_authorization(std::string_view user, std::string_view password);

}  // namespace cosmo::loadtest
