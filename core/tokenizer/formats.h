#pragma once
// Constructors of each tokenizer format, behind loadTokenizer(). Internal to the tokenizer module
// (the public entry points are in tokenizer.h).
#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace glr::tok {

std::unique_ptr<Tokenizer> openSentencePiece(const std::string& modelPath);
std::unique_ptr<Tokenizer> openHfTokenizerJson(const std::string& jsonPath);
std::unique_ptr<Tokenizer> openGpt2VocabMerges(const std::string& vocabPath, const std::string& mergesPath);

// Formats a token id range error the same way everywhere.
[[noreturn]] void failTokenId(const std::string& kind, long long id, int vocabSize);

}  // namespace glr::tok
