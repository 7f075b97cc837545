#pragma once
/// `cosmo serve`: wires the store, authentication, the DAV engine and the
/// two listeners together and runs until SIGTERM/SIGINT.

#include "cosmo/app/config.hpp"

namespace cosmo::app {

/// Blocks until shutdown; returns the exit code.
int serve(const Config& config);

}  // namespace cosmo::app
