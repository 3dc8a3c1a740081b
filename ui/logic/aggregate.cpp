#include "logic/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace glr::ui {

MeanStd meanStd(const std::vector<double>& values) {
    MeanStd result;
    result.count = static_cast<int>(values.size());
    if (values.empty()) {
        result.mean = std::numeric_limits<double>::quiet_NaN();
        return result;
    }
    double sum = 0;
    for (double v : values) sum += v;
    result.mean = sum / values.size();
    if (values.size() > 1) {
        double squares = 0;  // two-pass: stable for values close together, as metrics are
        for (double v : values) squares += (v - result.mean) * (v - result.mean);
        result.std = std::sqrt(squares / (values.size() - 1));
    }
    return result;
}

QString formatMeanStd(const MeanStd& value, int decimals) {
    if (value.count == 0 || !std::isfinite(value.mean)) return QStringLiteral("–");
    const QString mean = QString::number(value.mean, 'f', decimals);
    if (value.count == 1) return mean;
    return mean + QStringLiteral(" ± ") + QString::number(value.std, 'f', decimals);
}

std::vector<std::pair<QString, MeanStd>> aggregateByLabel(const std::vector<std::pair<QString, double>>& samples) {
    std::vector<std::pair<QString, std::vector<double>>> groups;
    for (const auto& [label, value] : samples) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == label; });
        if (it == groups.end()) groups.push_back({label, {value}});
        else it->second.push_back(value);
    }
    std::vector<std::pair<QString, MeanStd>> result;
    result.reserve(groups.size());
    for (const auto& [label, values] : groups) result.emplace_back(label, meanStd(values));
    return result;
}

std::map<double, MeanStd> aggregateByX(const std::vector<std::pair<double, double>>& samples) {
    std::map<double, std::vector<double>> groups;
    for (const auto& [x, y] : samples) groups[x].push_back(y);
    std::map<double, MeanStd> result;
    for (const auto& [x, values] : groups) result[x] = meanStd(values);
    return result;
}

}  // namespace glr::ui
