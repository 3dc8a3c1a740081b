#include "cli/verbs.h"

namespace glr::cli {
void registerDataVerbs(CLI::App&) {}
}  // namespace glr::cli
