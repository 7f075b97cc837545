#pragma once
/// The method handlers (one file each, or one per closely related pair)
/// and the helpers they share. The dispatcher's table points here.

#include <string>

#include "call.hpp"
#include "cosmo/xml/reader.hpp"
#include "cosmo/xml/writer.hpp"

namespace cosmo::dav {

http::Response handle_options(Call& call);
http::Response handle_get(Call& call);  ///< GET and HEAD
http::Response handle_put(Call& call);
http::Response handle_delete(Call& call);
http::Response handle_mkcol(Call& call);
http::Response handle_propfind(Call& call);
http::Response handle_proppatch(Call& call);
http::Response handle_copy_move(Call& call);  ///< COPY and MOVE
http::Response handle_lock(Call& call);
http::Response handle_unlock(Call& call);
http::Response handle_report(Call& call);

/// The Allow header value for a node (RFC 9110 §10.2.1).
std::string allowed_methods(const Node& node);

/// Parses the request body as XML (400 on malformed XML).
xml::Element parse_body(const Call& call);

/// Writes one <D:activelock> (RFC 4918 §14.1).
void write_activelock(xml::Writer& w, const Call& call, const store::Lock& lock);

/// "HTTP/1.1 200 OK" for a multistatus <D:status>.
std::string status_line(http::Status status);

/// Largest dead property value we store (bytes of XML).
inline constexpr std::size_t kMaxPropertyValue = 64 * 1024;

}  // namespace cosmo::dav
