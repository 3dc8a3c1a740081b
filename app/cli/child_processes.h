#pragma once
// This program started again as a child process (`graphlora run …` for a sweep point or a rank),
// and waiting for such children. The children inherit the environment (OMP_WAIT_POLICY and
// OPENBLAS_CORETYPE are already set by then) and the terminal, so Ctrl-C reaches them too.
#include <string>
#include <sys/types.h>
#include <vector>

namespace glr::cli {

// Starts /proc/self/exe with `args` (without the program name). Throws when fork fails.
pid_t spawnSelf(const std::vector<std::string>& args);

struct ChildExit {
    bool ok = false;
    int code = -1;    // the exit code; -1 when killed by a signal
    std::string how;  // "exited with 1", "was killed by signal 9"
};
ChildExit exitOf(int waitStatus);  // from waitpid's status
ChildExit waitForChild(pid_t pid);

// Intra-op threads for each of `processes` processes sharing this machine's cores (at least 1).
int threadsPerProcess(int processes);

}  // namespace glr::cli
