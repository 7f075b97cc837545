#include "cosmo/app/cli.hpp"

int main(int argc, char** argv) { return cosmo::app::run_cli(argc, argv); }
