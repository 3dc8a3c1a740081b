#include "logic/smoothing.h"

#include <algorithm>
#include <cmath>

namespace glr::ui {

std::vector<double> debiasedEma(const std::vector<double>& values, double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    std::vector<double> smoothed(values.size());
    const bool constant = std::all_of(values.begin(), values.end(),
                                      [&](double v) { return v == values.front(); });
    double average = 0;
    double decay = 1;  // w^n, kept as a running product to avoid pow per point
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double y = values[i];
        if (constant || !std::isfinite(y)) {
            smoothed[i] = y;
            continue;
        }
        average = average * weight + (1 - weight) * y;
        decay *= weight;
        smoothed[i] = average / (1 - decay);
    }
    return smoothed;
}

}  // namespace glr::ui
