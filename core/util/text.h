#pragma once
// Text helpers every module needs for keys, names and fields, which are ASCII: case folding,
// trimming, and whole-field number parsing through std::from_chars (no locale, no allocation).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glr {

std::string asciiLower(std::string text);

std::string_view trimAscii(std::string_view text);  // blanks, tabs and carriage returns

// Whole-field parses (surrounding ASCII blanks and a leading '+' allowed); nullopt on anything
// else, and for a double also on NaN.
std::optional<std::int64_t> parseInt64(std::string_view text);
std::optional<double> parseDouble(std::string_view text);

}  // namespace glr
