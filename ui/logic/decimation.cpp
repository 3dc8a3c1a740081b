#include "logic/decimation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace glr::ui {

std::vector<std::size_t> minMaxDecimation(const std::vector<double>& y, std::size_t maxPoints) {
    const std::size_t n = y.size();
    std::vector<std::size_t> keep;
    maxPoints = std::max<std::size_t>(maxPoints, 4);
    if (n <= maxPoints) {
        keep.resize(n);
        std::iota(keep.begin(), keep.end(), std::size_t{0});
        return keep;
    }
    // Up to three points per bucket (min, max, a gap) and the two ends stay within maxPoints.
    const std::size_t buckets = std::max<std::size_t>(1, (maxPoints - 2) / 3);
    keep.reserve(3 * buckets + 2);
    keep.push_back(0);
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t begin = b * n / buckets, end = (b + 1) * n / buckets;
        std::size_t lowest = end, highest = end, gap = end;
        for (std::size_t i = begin; i < end; ++i) {
            if (!std::isfinite(y[i])) {
                if (gap == end) gap = i;
                continue;
            }
            if (lowest == end || y[i] < y[lowest]) lowest = i;
            if (highest == end || y[i] > y[highest]) highest = i;
        }
        std::size_t picked[3] = {lowest, highest, gap};
        std::sort(picked, picked + 3);
        for (std::size_t i : picked)
            if (i != end && i != keep.back()) keep.push_back(i);
    }
    if (keep.back() != n - 1) keep.push_back(n - 1);
    return keep;
}

}  // namespace glr::ui
