#include "util/process.h"

#include <unistd.h>

#include <cstdlib>

namespace glr {

namespace {

// Sets name=value unless the variable is set already; says whether it set it.
bool setDefault(const char* name, const std::string& value) {
    if (value.empty() || std::getenv(name) != nullptr) return false;
    return ::setenv(name, value.c_str(), 1) == 0;
}

}  // namespace

CpuFeatures cpuFeatures() {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512cd = __builtin_cpu_supports("avx512cd");
#endif
    return f;
}

std::string openBlasCoreType(const CpuFeatures& f) {
    if (f.avx512f && f.avx512cd && f.avx512bw && f.avx512dq && f.avx512vl && f.avx2 && f.fma) return "SkylakeX";
    if (f.avx2 && f.fma) return "Haswell";
    return "";
}

void applyProcessDefaults(int argc, char** argv) {
    if (argc < 1) return;
    bool changed = setDefault("OMP_WAIT_POLICY", "PASSIVE");
    changed = setDefault("OPENBLAS_CORETYPE", openBlasCoreType(cpuFeatures())) || changed;
    if (changed) ::execv("/proc/self/exe", argv);
}

}  // namespace glr
