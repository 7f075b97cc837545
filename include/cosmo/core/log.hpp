#pragma once
/// Logging set-up. Everything logs through spdlog: the default logger for
/// application messages and a separate "access" logger for one line per
/// request.

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace cosmo::core {

/// Configures the default logger and the access logger (both to stderr,
/// thread-safe). level: trace, debug, info, warn, error, critical, off.
void setup_logging(const std::string& level);

/// The access logger ("access"); never null after setup_logging.
std::shared_ptr<spdlog::logger> access_logger();

}  // namespace cosmo::core
