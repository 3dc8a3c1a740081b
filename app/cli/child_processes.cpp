#include "cli/child_processes.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "util/error.h"

namespace glr::cli {

pid_t spawnSelf(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"graphlora"};  // what ps shows; the binary is /proc/self/exe
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execv("/proc/self/exe", cargs.data());
        std::_Exit(127);
    }
    if (pid < 0) fail("cannot start a child process for `graphlora {}`", args.empty() ? "" : args.front());
    return pid;
}

ChildExit exitOf(int waitStatus) {
    if (WIFEXITED(waitStatus))
        return {WEXITSTATUS(waitStatus) == 0, WEXITSTATUS(waitStatus), fmt::format("exited with {}", WEXITSTATUS(waitStatus))};
    return {false, -1, fmt::format("was killed by signal {}", WTERMSIG(waitStatus))};
}

ChildExit waitForChild(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return {false, -1, "could not be waited for"};
    }
    return exitOf(status);
}

int threadsPerProcess(int processes) {
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return std::max(1, cores / std::max(1, processes));
}

}  // namespace glr::cli
