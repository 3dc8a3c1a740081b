#include "cli/child_processes.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

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

ChildExit waitForChild(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return {false, "could not be waited for"};
    }
    if (WIFEXITED(status)) return {WEXITSTATUS(status) == 0, fmt::format("exited with {}", WEXITSTATUS(status))};
    return {false, fmt::format("was killed by signal {}", WTERMSIG(status))};
}

}  // namespace glr::cli
