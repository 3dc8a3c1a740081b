#pragma once
// Run-id lists as users type them: "3,4,7-9" -> {3, 4, 7, 8, 9} (positive ids, ranges low-high).
// Shared by `graphlora results --runs` and `graphlora-workbench --select`.
#include <cstdint>
#include <string>
#include <vector>

namespace glr {

// Throws InputError naming `option` and the offending item.
std::vector<std::int64_t> parseIdList(const std::string& text, const std::string& option);

}  // namespace glr
