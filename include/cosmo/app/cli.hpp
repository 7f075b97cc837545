#pragma once
/// The `cosmo` command line: serve, migrate, user ..., shard ... (DESIGN.md, "CLI").

namespace cosmo::app {

/// Runs the subcommand named in argv; returns the process exit code
/// (0 ok, 1 failure, 2 usage error).
int run_cli(int argc, char** argv);

}  // namespace cosmo::app
