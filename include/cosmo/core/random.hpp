#pragma once
/// Random identifiers from the operating system's CSPRNG.

#include <cstddef>
#include <string>

namespace cosmo::core {

/// n random bytes, hex-encoded (2n characters).
std::string random_hex(std::size_t n);
/// A random RFC 4122 version 4 UUID, lower case.
std::string random_uuid();
/// n random bytes.
std::string random_bytes(std::size_t n);

}  // namespace cosmo::core
