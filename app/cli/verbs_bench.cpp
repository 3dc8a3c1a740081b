#include "cli/verbs.h"

namespace glr::cli {
void registerBenchVerbs(CLI::App&) {}
}  // namespace glr::cli
