#pragma once
// "Did you mean …?" hints for misspelt names: config keys, prepare-spec keys, CSV columns, the
// filter's metric and field names. One distance and one closeness rule, so that every hint in the
// program behaves alike.
#include <cstddef>
#include <string>
#include <vector>

namespace glr {

// Levenshtein distance, ASCII letters compared without case ("Rating" and "rating" are 0 apart).
std::size_t editDistance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is within a third of the shorter length (at least 2
// edits), else "". Ties go to the earlier candidate.
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace glr
