#include "cosmo/core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace cosmo::core {

void setup_logging(const std::string& level) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto main_logger = std::make_shared<spdlog::logger>("cosmo", sink);
    main_logger->set_level(spdlog::level::from_str(level));
    main_logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
    spdlog::set_default_logger(main_logger);

    auto access = spdlog::get("access");
    if (!access) {
        // A sink of its own: spdlog patterns belong to sinks, not loggers.
        auto access_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        access = std::make_shared<spdlog::logger>("access", access_sink);
        spdlog::register_logger(access);
    }
    access->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z access %v");
    access->set_level(spdlog::level::info);
    // Errors and failed logins must reach the log even if the process dies.
    spdlog::flush_on(spdlog::level::warn);
}

std::shared_ptr<spdlog::logger> access_logger() {
    auto logger = spdlog::get("access");
    if (!logger) {
        logger = spdlog::default_logger();
    }
    return logger;
}

}  // namespace cosmo::core
