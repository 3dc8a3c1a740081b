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
        // Once w^n is far below the double epsilon, 1 − w^n is exactly 1; stop multiplying
        // before it turns subnormal, where it would stick at the smallest subnormal (rounding
        // keeps it there) and make every further multiply a slow microcode assist.
        decay = decay < 1e-20 ? 0 : decay * weight;
        smoothed[i] = average / (1 - decay);
    }
    return smoothed;
}

}  // namespace glr::ui
