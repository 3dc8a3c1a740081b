#pragma once
// Byte-level BPE (GPT-2, LLaMA-3, Qwen2) as a plain description that the loaders fill from
// tokenizer.json or from vocab.json + merges.txt. Internal to the tokenizer module.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"

namespace glr::tok {

// One pre-tokenizer stage, applied to every piece the previous stages produced (as HF does).
struct PretokenizeStep {
    enum class Kind {
        PrefixSpace,  // ByteLevel(add_prefix_space): prepend ' ' to a piece not starting with one
        Split,        // Split(Regex) with behavior Isolated, or ByteLevel(use_regex) = GPT-2 pattern
        Digits,       // Digits(individual_digits): ASCII digits isolated, one by one or as runs
    };
    Kind kind = Kind::Split;
    SplitPattern pattern = SplitPattern::Gpt2;
    bool individualDigits = false;
};

// An added token is matched in the raw text before pre-tokenisation (leftmost, then longest).
// `single_word` and `normalized` are not interpreted; lstrip/rstrip absorb ASCII whitespace.
struct AddedToken {
    std::string content;
    int id = -1;
    bool special = false;
    bool lstrip = false;
    bool rstrip = false;
};

struct ByteLevelBpeSpec {
    std::string kind;    // "hf-bpe" or "gpt2-bpe"
    std::string source;  // file named in error messages
    std::vector<std::pair<std::string, int>> vocab;
    std::vector<std::pair<std::string, std::string>> merges;  // rank order
    std::vector<AddedToken> added;
    std::vector<PretokenizeStep> steps;
    bool ignoreMerges = false;  // a pre-token that is itself in the vocabulary is not merged
    std::string unkToken;       // empty: bytes without a token are dropped
    bool fuseUnk = false;
    std::string bosToken, eosToken;  // empty: none
};

// Validates the description (ids, merge tokens present, ...) and builds the tokenizer.
std::unique_ptr<Tokenizer> makeByteLevelBpe(ByteLevelBpeSpec spec);

}  // namespace glr::tok
