#pragma once
// A full disk, simulated: `body` runs in a forked child whose writes fail once a file would grow
// past `bytes` (RLIMIT_FSIZE, SIGXFSZ ignored, so write() returns EFBIG as it returns ENOSPC on a
// full disk). The limit and the fork keep the test process itself unaffected. Returns what the
// child reports: "" when `body` finished, the glr::Error's message, or "unexpected: …".
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include "util/error.h"

namespace glr::test {

inline std::string errorUnderFileSizeLimit(std::uintmax_t bytes, const std::function<void()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) return "unexpected: pipe failed";
    const pid_t child = ::fork();
    if (child < 0) return "unexpected: fork failed";
    if (child == 0) {
        ::close(fds[0]);
        std::string report;
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        limit.rlim_cur = static_cast<rlim_t>(bytes);
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) report = "unexpected: setrlimit failed";
        try {
            if (report.empty()) body();
        } catch (const glr::Error& e) {
            report = e.what();
        } catch (const std::exception& e) {
            report = std::string("unexpected: ") + e.what();
        }
        for (std::size_t done = 0; done < report.size();) {
            const ssize_t n = ::write(fds[1], report.data() + done, report.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::_exit(0);  // no destructors or atexit handlers of the parent's objects in the child
    }
    ::close(fds[1]);
    std::string report;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, std::size_t(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "unexpected: the child did not exit normally";
    return report;
}

}  // namespace glr::test
