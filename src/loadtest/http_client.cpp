#include "http_client.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <openssl/evp.h>

#include <stdexcept>

namespace cosmo::loadtest {

Endpoint Endpoint::parse(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) {
        throw std::invalid_argument("expected an http:// URL, got " + std::string(url));
    }
    Endpoint e;
    e.host = parsed->host();
    e.port = parsed->has_port() ? std::string(parsed->port()) : "80";
    e.prefix = parsed->encoded_path();
    while (!e.prefix.empty() && e.prefix.back() == '/') {
        e.prefix.pop_back();
    }
    return e;
}

asio::ip::tcp::endpoint resolve(asio::io_context& io, const Endpoint& endpoint) {
    asio::ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(endpoint.host, endpoint.port);
    if (results.empty()) {
        throw std::runtime_error("cannot resolve " + endpoint.host);
    }
    return results.begin()->endpoint();
}

std::string basic_authorization(std::string_view user, std::string_view password) {
    const std::string plain = std::string(user) + ":" + std::string(password);
    std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(plain.data()),
                                  static_cast<int>(plain.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

HttpConnection::HttpConnection(asio::any_io_executor ex, Endpoint endpoint,
                               asio::ip::tcp::endpoint target, std::chrono::seconds timeout)
    : stream_(std::move(ex)),
      endpoint_(std::move(endpoint)),
      target_(target),
      timeout_(timeout),
      host_header_(endpoint_.host + ":" + endpoint_.port) {
    // Beast reads at most the buffer's free capacity per recv (512 bytes
    // minimum), and a string body drains the buffer as it parses, so a small
    // buffer turns a 300 KiB multistatus into ~600 recv calls. 64 KiB makes
    // it a handful, as a real client with a normal socket buffer would do.
    buffer_.reserve(64 * 1024);
}

void HttpConnection::close() {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
}

asio::awaitable<Reply> HttpConnection::send(const Request& r) {
    Reply reply;
    try {
        if (!connected_) {
            stream_.expires_after(timeout_);
            co_await stream_.async_connect(target_, asio::use_awaitable);
            stream_.socket().set_option(asio::ip::tcp::no_delay(true));
            connected_ = true;
        }
        http::request<http::string_body> req{r.method, endpoint_.prefix + r.target, 11};
        req.set(http::field::host, host_header_);
        req.set(http::field::user_agent, "cosmo-loadtest");
        if (!r.authorization.empty()) {
            req.set(http::field::authorization, r.authorization);
        }
        for (const auto& [name, value] : r.headers) {
            req.set(name, value);
        }
        if (!r.content_type.empty()) {
            req.set(http::field::content_type, r.content_type);
        }
        req.body() = r.body;
        if (!r.body.empty() || r.method == http::verb::put || r.method == http::verb::post) {
            req.prepare_payload();
        }
        stream_.expires_after(timeout_);
        co_await http::async_write(stream_, req, asio::use_awaitable);
        http::response_parser<http::string_body> parser;
        parser.body_limit(512ULL * 1024 * 1024);
        co_await http::async_read(stream_, buffer_, parser, asio::use_awaitable);
        auto& res = parser.get();
        reply.status = static_cast<int>(res.result_int());
        if (auto it = res.find(http::field::etag); it != res.end()) {
            reply.etag = it->value();
        }
        if (auto it = res.find(http::field::content_type); it != res.end()) {
            reply.content_type = it->value();
        }
        const bool keep = res.keep_alive();
        reply.body = std::move(res.body());
        if (!keep) {
            close();
        }
    } catch (const boost::system::system_error& e) {
        reply.status = 0;
        reply.error = e.code().message();
        close();
    }
    co_return reply;
}

}  // namespace cosmo::loadtest
