#pragma once
// Which points of a long curve to draw: the series is cut into equal runs of indices and each run
// keeps its lowest and highest finite point (in x order) and its first non-finite one (a gap),
// plus the very first and last points. A plot a few thousand pixels wide then looks the same as
// with every point — spikes and gaps survive — while a redraw costs O(maxPoints) instead of O(n)
// in the plot library. The read-out and the smoothing still use every point.
#include <cstddef>
#include <vector>

namespace glr::ui {

// Indices into y (ascending, unique) to draw; every index when y.size() <= maxPoints.
// maxPoints < 4 is treated as 4.
std::vector<std::size_t> minMaxDecimation(const std::vector<double>& y, std::size_t maxPoints);

}  // namespace glr::ui
