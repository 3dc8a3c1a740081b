#include "util/process.h"

#include <unistd.h>

#include <cstdlib>

namespace glr {

void ensurePassiveOpenMpWait(int argc, char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") != nullptr || argc < 1) return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv);
}

}  // namespace glr
