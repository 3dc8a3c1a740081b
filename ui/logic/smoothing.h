#pragma once
// Curve smoothing as TensorBoard draws it: an exponential moving average whose start-up bias
// towards zero is divided out, so the smoothed curve starts on the first raw value instead of
// climbing from 0.
//
//   m_t = w·m_{t-1} + (1-w)·y_t,  m_0 = 0          s_t = m_t / (1 - w^n_t)
//
// n_t counts the finite values seen so far; non-finite values pass through unchanged and do not
// update the average. A constant series is returned as is (no rounding noise).
#include <vector>

namespace glr::ui {

// weight in [0, 1): 0 = no smoothing; values >= 1 are clamped to 0.999.
std::vector<double> debiasedEma(const std::vector<double>& values, double weight);

}  // namespace glr::ui
