#pragma once
// Small text helpers the data pipeline needs on its hot paths: UTF-8 validation, latin-1 →
// UTF-8, UTC civil dates <-> Unix seconds; number parsing comes from util/text.h.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/text.h"

namespace glr::data {

using glr::parseDouble;
using glr::parseInt64;
using glr::trimAscii;

// Offset of the first byte that is not part of a well-formed UTF-8 sequence (overlongs,
// surrogates and code points above U+10FFFF are rejected), or npos when `text` is valid.
std::size_t findInvalidUtf8(std::string_view text);

// Every latin-1 (ISO-8859-1) byte is the code point of the same value, so this never fails.
std::string latin1ToUtf8(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day);

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD HH:MM:SS", optionally ending in
// "Z", as UTC; nullopt when the text is not such a date or names an impossible day.
std::optional<std::int64_t> parseUtcDateTime(std::string_view text);

// "YYYY-MM-DD" (or "YYYY-MM-DD HH:MM:SS" when the time is not midnight), UTC.
std::string formatUtcDateTime(std::int64_t unixSeconds);

// A timestamp field: integer Unix seconds, or a date / date-time as parseUtcDateTime accepts.
std::optional<std::int64_t> parseTimestamp(std::string_view text);

// Appends the decimal form of `value` (std::to_chars, no locale).
void appendInt(std::string& out, std::int64_t value);

// Shortens a field for an error message and makes control characters visible.
std::string quoteForMessage(std::string_view text, std::size_t maxChars = 40);

}  // namespace glr::data
