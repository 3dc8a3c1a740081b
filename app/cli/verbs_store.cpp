#include "cli/verbs.h"

namespace glr::cli {
void registerStoreVerbs(CLI::App&) {}
}  // namespace glr::cli
