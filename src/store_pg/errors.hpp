#pragma once
/// The one boundary where libpqxx exceptions become store::Error
/// (DESIGN.md "Error-handling rule"): nothing pqxx leaves src/store_pg.

#include <utility>

#include "cosmo/store/error.hpp"

namespace cosmo::store_pg::detail {

/// Rethrows the exception in flight as a store::Error. Call only from a
/// catch block. store::Error passes through unchanged.
[[noreturn]] void rethrow_translated();

/// Runs f, translating any exception it throws.
template <typename F>
auto guarded(F&& f) -> decltype(std::forward<F>(f)()) {
    try {
        return std::forward<F>(f)();
    } catch (...) {
        rethrow_translated();
    }
}

}  // namespace cosmo::store_pg::detail
