#pragma once
// The prompt templates of resources/prompts/, compiled in by core/data/EmbedPrompts.cmake.
#include <vector>

namespace glr::data {

struct EmbeddedPrompt {
    const char* fileName;  // "movie.txt"
    const char* text;      // the file's bytes, escapes unresolved
};

const std::vector<EmbeddedPrompt>& embeddedPrompts();

}  // namespace glr::data
