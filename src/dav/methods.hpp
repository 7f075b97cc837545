#pragma once
/// The method handlers (one file each, or one per closely related pair)
/// and the helpers they share. The dispatcher's table points here.

#include <string>

#include "cosmo/dav/call.hpp"
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

/// Writes one <D:activelock> (RFC 4918 §14.1).
void write_activelock(xml::Writer& w, const Call& call, const store::Lock& lock);


}  // namespace cosmo::dav
