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
/// A 16-hex-digit id for log correlation (request ids): unique in practice,
/// not secret. One getrandom per thread, then a SplitMix64 sequence: a
/// syscall per request was a measurable share of a GET on a VM where
/// syscalls are dear. Never use it for tokens, salts or passwords.
std::string log_id();

}  // namespace cosmo::core
