#pragma once
// Errors are thrown inside core and turned into one message at the edge (CLI main, UI session).
// Every message names the thing at fault — file, line, field, tensor or config key — and what
// was expected, so the user can fix the input without reading code.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace glr {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A user-supplied input (config, data file, checkpoint) is malformed.
class InputError : public Error {
public:
    using Error::Error;
};

// The user asked to stop (progress callback returned false, Ctrl-C, window closed).
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void failInput(fmt::format_string<Args...> format, Args&&... args) {
    throw InputError(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace glr

// Checks an internal or input invariant; the message is only formatted on failure.
#define GLR_CHECK(cond, ...)                  \
    do {                                      \
        if (!(cond)) ::glr::fail(__VA_ARGS__); \
    } while (0)
