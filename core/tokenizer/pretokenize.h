#pragma once
// Byte-level BPE pre-tokenisation without a regex engine: the GPT-2, LLaMA-3 and Qwen2 split
// patterns are matched by hand over a small Unicode classifier, and GPT-2's byte <-> unicode map.
// Internal to the tokenizer module.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace glr::tok {

// What the split patterns test: \p{L}, \p{N}, \s (Unicode White_Space) or anything else.
// Letters and numbers follow the Unicode General Category tables in unicode_tables.inc (exact for
// the Unicode version recorded there; code points assigned later count as Other).
enum class CharClass : std::uint8_t { Letter, Number, Space, Other };
CharClass classify(std::uint32_t codepoint);
const char* unicodeTablesVersion();

// One decoded character of the input; bytes that are not valid UTF-8 become one Other character
// each so that byte-level encoding still sees (and round-trips) them.
struct Utf8Char {
    std::uint32_t codepoint;
    std::uint32_t offset;  // byte offset in the text
    std::uint8_t length;   // 1..4 bytes
    CharClass cls;
};
void decodeUtf8(std::string_view text, std::vector<Utf8Char>& out);

// The split regexes we know, as written in tokenizer.json files:
//   Gpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   Llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen2:  the Llama3 pattern with \p{N} (one digit at a time) instead of \p{N}{1,3}
// (?i:) is honoured for ASCII letters only.
enum class SplitPattern { Gpt2, Llama3, Qwen2 };
std::optional<SplitPattern> recognizeSplitPattern(std::string_view regex);
const char* splitPatternName(SplitPattern pattern);

// Splits text[begin,end) into the pieces the pattern matches (every character belongs to exactly
// one piece), appending byte ranges [first, second) to `out`.
void splitPretokens(std::string_view text, std::size_t begin, std::size_t end, SplitPattern pattern,
                    std::vector<std::pair<std::size_t, std::size_t>>& out);

// GPT-2's reversible byte -> printable code point map (e.g. ' ' -> 'Ġ' U+0120, '\n' -> 'Ċ').
const std::array<std::string, 256>& byteToUnicode();  // UTF-8 of each byte's code point
int unicodeToByte(std::uint32_t codepoint);           // -1 when the code point is not in the map

}  // namespace glr::tok
