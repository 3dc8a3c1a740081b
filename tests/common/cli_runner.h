#pragma once
// Runs the built `graphlora` CLI (GRAPHLORA_CLI_PATH, set by tests/CMakeLists.txt) as a user would.
#include <QProcess>
#include <QString>
#include <QStringList>

#include <string>

namespace glr::test {

struct CliResult {
    int code = -1;  // exit code; -1 timed out, -2 crashed
    std::string out, err;
    QString outText() const { return QString::fromStdString(out); }
    QString errText() const { return QString::fromStdString(err); }
};

// Runs `program` with `args` (in `workDir` when given) and collects its exit code and output.
inline CliResult runProgram(const QString& program, const QStringList& args, int timeoutMs = 120000,
                            const QString& workDir = {}) {
    QProcess p;
    if (!workDir.isEmpty()) p.setWorkingDirectory(workDir);
    p.start(program, args);
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput().toStdString();
    r.err = p.readAllStandardError().toStdString();
    return r;
}

inline CliResult runCli(const QStringList& args, int timeoutMs = 120000, const QString& workDir = {}) {
    return runProgram(GRAPHLORA_CLI_PATH, args, timeoutMs, workDir);
}

}  // namespace glr::test
