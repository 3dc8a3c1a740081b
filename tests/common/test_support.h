#pragma once
// Helpers shared by the Qt Test executables.
#include <QtTest>

#include <QTemporaryDir>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/error.h"

namespace glr::test {

// ../shared beside the checkout, or $GRAPHLORA_SHARED_DIR.
inline std::string sharedDir() {
    if (const char* env = std::getenv("GRAPHLORA_SHARED_DIR")) return env;
    return GRAPHLORA_SHARED_DIR;
}

inline std::string sharedPath(const std::string& relative) { return sharedDir() + "/" + relative; }

inline std::string sourcePath(const std::string& relative) {
    return std::string(GRAPHLORA_SOURCE_DIR) + "/" + relative;
}

// Relative error ‖a−b‖/‖b‖ over flat float arrays.
template <typename Container>
double relativeError(const Container& a, const Container& b) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        double d = double(a[i]) - double(b[i]);
        num += d * d;
        den += double(b[i]) * double(b[i]);
    }
    return den == 0 ? std::sqrt(num) : std::sqrt(num / den);
}

// `bytes` written to the file `name` inside `dir`, byte for byte; returns its path.
inline std::string writeFileIn(const QTemporaryDir& dir, const std::string& name, const std::string& bytes) {
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

// Runs `body` and checks that it throws glr::InputError with a one-line message containing each
// of `needles` (the project's rule for errors about bad input: which file, line and field).
template <typename F>
void expectInputError(F&& body, const std::vector<std::string>& needles) {
    try {
        body();
        QFAIL("no error");
    } catch (const glr::InputError& e) {
        const std::string message = e.what();
        for (const auto& needle : needles)
            QVERIFY2(message.find(needle) != std::string::npos, (message + "  [missing: " + needle + "]").c_str());
        QVERIFY2(message.find('\n') == std::string::npos, ("error must be one line: " + message).c_str());
    }
}

}  // namespace glr::test

// Skips the current test with a clear message when shared/ (fixtures, data, models) is absent.
#define GLR_REQUIRE_SHARED(relative)                                                         \
    do {                                                                                     \
        if (!std::filesystem::exists(::glr::test::sharedPath(relative)))                    \
            QSKIP(qPrintable(QString("shared/ material missing: %1 (set GRAPHLORA_SHARED_DIR)") \
                                 .arg(QString::fromStdString(::glr::test::sharedPath(relative))))); \
    } while (0)
