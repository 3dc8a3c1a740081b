// The split patterns are matched by hand because they are fixed, short, and the only regexes the
// byte-level tokenizers need; each matcher below follows its regex alternative by alternative,
// including the backtracking of \s+(?!\S) and \s*[\r\n]+, so piece boundaries match the HF
// `tokenizers` library for every input (within the Unicode version of the tables).
#include "tokenizer/pretokenize.h"

#include <algorithm>

namespace glr::tok {

namespace {

struct CodepointRange {
    std::uint32_t lo, hi;
};

#include "tokenizer/unicode_tables.inc"

template <std::size_t N>
bool inRanges(const CodepointRange (&table)[N], std::uint32_t cp) {
    auto it = std::upper_bound(std::begin(table), std::end(table), cp,
                               [](std::uint32_t value, const CodepointRange& r) { return value < r.lo; });
    return it != std::begin(table) && cp <= std::prev(it)->hi;
}

// Unicode White_Space, which is what \s means in the regex engines HF tokenizers use.
bool isWhiteSpace(std::uint32_t cp) {
    if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
    if (cp < 0x85) return false;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool isContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Matches one pattern over the decoded characters of one segment.
class Matcher {
public:
    Matcher(const std::vector<Utf8Char>& chars, SplitPattern pattern) : c_(chars), n_(chars.size()), p_(pattern) {}

    // Number of characters the pattern matches at i (always >= 1).
    std::size_t matchAt(std::size_t i) const {
        if (std::size_t len = contraction(i)) return len;
        return p_ == SplitPattern::Gpt2 ? gpt2(i) : llama3(i);
    }

private:
    bool is(std::size_t k, CharClass cls) const { return k < n_ && c_[k].cls == cls; }
    std::uint32_t cp(std::size_t k) const { return k < n_ ? c_[k].codepoint : 0xFFFFFFFFu; }
    bool isCrLf(std::size_t k) const { return cp(k) == '\r' || cp(k) == '\n'; }
    std::size_t runOf(std::size_t k, CharClass cls) const {
        while (is(k, cls)) ++k;
        return k;
    }
    std::uint32_t folded(std::size_t k) const {
        std::uint32_t x = cp(k);
        return (p_ != SplitPattern::Gpt2 && x >= 'A' && x <= 'Z') ? x + 32 : x;
    }

    // 's|'t|'re|'ve|'m|'ll|'d  (case-insensitive outside GPT-2)
    std::size_t contraction(std::size_t i) const {
        if (cp(i) != '\'') return 0;
        std::uint32_t a = folded(i + 1);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
        std::uint32_t b = folded(i + 2);
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
        return 0;
    }

    // \s+(?!\S)|\s+ : a whitespace run, leaving its last character to the next piece when a
    // non-space follows and the run has more than one character.
    std::size_t trailingSpace(std::size_t i) const {
        std::size_t j = runOf(i, CharClass::Space);
        if (j == n_ || j - i < 2) return std::max<std::size_t>(j - i, 1);
        return j - 1 - i;
    }

    std::size_t gpt2(std::size_t i) const {
        for (CharClass cls : {CharClass::Letter, CharClass::Number, CharClass::Other}) {
            // ' ?\p{L}+' / ' ?\p{N}+' / ' ?[^\s\p{L}\p{N}]+'
            std::size_t start = (cp(i) == ' ' && is(i + 1, cls)) ? i + 1 : i;
            if (is(start, cls)) return runOf(start, cls) - i;
        }
        return trailingSpace(i);
    }

    std::size_t llama3(std::size_t i) const {
        // [^\r\n\p{L}\p{N}]?\p{L}+
        bool prefixable = i < n_ && !isCrLf(i) && !is(i, CharClass::Letter) && !is(i, CharClass::Number);
        std::size_t start = (prefixable && is(i + 1, CharClass::Letter)) ? i + 1 : i;
        if (is(start, CharClass::Letter)) return runOf(start, CharClass::Letter) - i;
        // \p{N}{1,3} (Qwen2: \p{N})
        if (is(i, CharClass::Number)) {
            std::size_t limit = p_ == SplitPattern::Llama3 ? 3 : 1;
            return std::min(runOf(i, CharClass::Number) - i, limit);
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        start = (cp(i) == ' ' && is(i + 1, CharClass::Other)) ? i + 1 : i;
        if (is(start, CharClass::Other)) {
            std::size_t j = runOf(start, CharClass::Other);
            while (isCrLf(j)) ++j;
            return j - i;
        }
        // \s*[\r\n]+ : backtracking leaves the match ending after the run's last \r or \n.
        std::size_t j = runOf(i, CharClass::Space);
        for (std::size_t k = j; k > i; --k)
            if (isCrLf(k - 1)) return k - i;
        return trailingSpace(i);
    }

    const std::vector<Utf8Char>& c_;
    std::size_t n_;
    SplitPattern p_;
};

// The byte map only uses code points below U+0800.
std::string utf8Of(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += char(cp);
    } else if (cp < 0x800) {
        s += char(0xC0 | (cp >> 6));
        s += char(0x80 | (cp & 0x3F));
    } else {
        s += char(0xE0 | (cp >> 12));
        s += char(0x80 | ((cp >> 6) & 0x3F));
        s += char(0x80 | (cp & 0x3F));
    }
    return s;
}

struct ByteMap {
    std::array<std::string, 256> toUnicode;
    std::array<std::uint32_t, 256> codepoint{};
    ByteMap() {
        int extra = 0;
        for (int b = 0; b < 256; ++b) {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            codepoint[b] = printable ? std::uint32_t(b) : std::uint32_t(256 + extra++);
            toUnicode[b] = utf8Of(codepoint[b]);
        }
    }
};

const ByteMap& byteMap() {
    static const ByteMap map;
    return map;
}

}  // namespace

CharClass classify(std::uint32_t cp) {
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return CharClass::Letter;
        if (cp >= '0' && cp <= '9') return CharClass::Number;
        return isWhiteSpace(cp) ? CharClass::Space : CharClass::Other;
    }
    if (isWhiteSpace(cp)) return CharClass::Space;
    if (inRanges(kLetterRanges, cp)) return CharClass::Letter;
    if (inRanges(kNumberRanges, cp)) return CharClass::Number;
    return CharClass::Other;
}

const char* unicodeTablesVersion() { return kUnicodeVersion; }

void decodeUtf8(std::string_view text, std::vector<Utf8Char>& out) {
    out.clear();
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        unsigned char b = s[i];
        std::uint32_t cp = b;
        std::size_t len = 1;
        if (b >= 0xC2 && b <= 0xDF && i + 1 < n && isContinuation(s[i + 1])) {
            cp = ((b & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
            len = 2;
        } else if (b >= 0xE0 && b <= 0xEF && i + 2 < n && isContinuation(s[i + 1]) && isContinuation(s[i + 2])) {
            cp = ((b & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            len = (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ? 3 : 1;
        } else if (b >= 0xF0 && b <= 0xF4 && i + 3 < n && isContinuation(s[i + 1]) && isContinuation(s[i + 2]) &&
                   isContinuation(s[i + 3])) {
            cp = ((b & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
            len = (cp >= 0x10000 && cp <= 0x10FFFF) ? 4 : 1;
        }
        if (len == 1 && b >= 0x80) {
            out.push_back({0xFFFD, std::uint32_t(i), 1, CharClass::Other});  // not UTF-8: one raw byte
        } else {
            out.push_back({cp, std::uint32_t(i), std::uint8_t(len), classify(cp)});
        }
        i += len;
    }
}

std::optional<SplitPattern> recognizeSplitPattern(std::string_view regex) {
    static constexpr std::string_view kGpt2 =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
    static constexpr std::string_view kLlama3 =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    static constexpr std::string_view kQwen2 =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    if (regex == kGpt2) return SplitPattern::Gpt2;
    if (regex == kLlama3) return SplitPattern::Llama3;
    if (regex == kQwen2) return SplitPattern::Qwen2;
    return std::nullopt;
}

const char* splitPatternName(SplitPattern pattern) {
    switch (pattern) {
        case SplitPattern::Gpt2: return "gpt2";
        case SplitPattern::Llama3: return "llama3";
        case SplitPattern::Qwen2: return "qwen2";
    }
    return "?";
}

void splitPretokens(std::string_view text, std::size_t begin, std::size_t end, SplitPattern pattern,
                    std::vector<std::pair<std::size_t, std::size_t>>& out) {
    thread_local std::vector<Utf8Char> chars;  // reused: encode() runs this for every call
    decodeUtf8(text.substr(begin, end - begin), chars);
    Matcher matcher(chars, pattern);
    for (std::size_t i = 0; i < chars.size();) {
        std::size_t len = matcher.matchAt(i);
        std::size_t last = i + len - 1;
        out.emplace_back(begin + chars[i].offset, begin + chars[last].offset + chars[last].length);
        i += len;
    }
}

const std::array<std::string, 256>& byteToUnicode() { return byteMap().toUnicode; }

int unicodeToByte(std::uint32_t codepoint) {
    static const std::vector<int> inverse = [] {
        std::vector<int> inv(512, -1);
        for (int b = 0; b < 256; ++b) inv[byteMap().codepoint[b]] = b;
        return inv;
    }();
    return codepoint < inverse.size() ? inverse[codepoint] : -1;
}

}  // namespace glr::tok
