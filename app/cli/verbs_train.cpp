#include "cli/verbs.h"

namespace glr::cli {
void registerTrainVerbs(CLI::App&) {}
}  // namespace glr::cli
