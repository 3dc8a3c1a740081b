#pragma once
// Helpers shared by the Qt Test executables.
#include <QtTest>

#include <cstdlib>
#include <filesystem>
#include <string>

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

}  // namespace glr::test

// Skips the current test with a clear message when shared/ (fixtures, data, models) is absent.
#define GLR_REQUIRE_SHARED(relative)                                                         \
    do {                                                                                     \
        if (!std::filesystem::exists(::glr::test::sharedPath(relative)))                    \
            QSKIP(qPrintable(QString("shared/ material missing: %1 (set GRAPHLORA_SHARED_DIR)") \
                                 .arg(QString::fromStdString(::glr::test::sharedPath(relative))))); \
    } while (0)
