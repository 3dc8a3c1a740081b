#pragma once
// Mean ± standard deviation over repeated runs (seeds), as the sweep plot's error bars, the
// warm/cold bars and the tables show them. The deviation is the sample one (n - 1), matching
// numpy's std(ddof=1) and the results tables; a single run has deviation 0.
#include <QString>
#include <map>
#include <utility>
#include <vector>

namespace glr::ui {

struct MeanStd {
    double mean = 0;
    double std = 0;
    int count = 0;
};

MeanStd meanStd(const std::vector<double>& values);  // count 0 -> mean NaN

// "0.7123 ± 0.0040"; with count 1 just "0.7123"; with count 0 "–".
QString formatMeanStd(const MeanStd& value, int decimals = 4);

// Groups samples by label, keeping the labels in first-seen order.
std::vector<std::pair<QString, MeanStd>> aggregateByLabel(const std::vector<std::pair<QString, double>>& samples);

// Groups (x, y) samples by x (e.g. injection layer), sorted by x.
std::map<double, MeanStd> aggregateByX(const std::vector<std::pair<double, double>>& samples);

}  // namespace glr::ui
