#pragma once
// Putting parallel series in ascending x order, as QCustomPlot wants its keys: a resumed run's
// epoch or wall time can step back.
#include <QVector>

#include <algorithm>
#include <numeric>

namespace glr::ui {

// The stable permutation that orders x ascending; empty when x already is.
inline QVector<int> ascendingOrder(const QVector<double>& x) {
    if (std::is_sorted(x.begin(), x.end())) return {};
    QVector<int> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return x[a] < x[b]; });
    return order;
}

// values taken in `order` (from ascendingOrder); values themselves when order is empty.
template <class Values>
Values permuted(const Values& values, const QVector<int>& order) {
    if (order.isEmpty()) return values;
    Values sorted;
    sorted.reserve(values.size());
    for (int i : order) sorted << values[i];
    return sorted;
}

}  // namespace glr::ui
