#include "cli/verbs.h"

namespace glr::cli {
void registerModelVerbs(CLI::App&) {}
}  // namespace glr::cli
