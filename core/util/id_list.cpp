#include "util/id_list.h"

#include <sstream>

#include "util/error.h"

namespace glr {

namespace {

// A positive integer filling all of `text`, or 0.
std::int64_t positiveId(const std::string& text) {
    std::size_t used = 0;
    long long id = 0;
    try {
        id = std::stoll(text, &used);
    } catch (const std::exception&) {
        return 0;
    }
    return used == text.size() && id > 0 ? id : 0;
}

}  // namespace

std::vector<std::int64_t> parseIdList(const std::string& text, const std::string& option) {
    std::vector<std::int64_t> ids;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (item.empty()) continue;
        const std::size_t dash = item.find('-', 1);  // not a leading sign
        const std::int64_t first = positiveId(item.substr(0, dash));
        const std::int64_t last = dash == std::string::npos ? first : positiveId(item.substr(dash + 1));
        if (first == 0 || last < first)
            failInput("{}: expected run ids like 1,4,7-9, got \"{}\"", option, item);
        for (std::int64_t id = first; id <= last; ++id) ids.push_back(id);
    }
    return ids;
}

}  // namespace glr
