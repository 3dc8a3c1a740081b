#include "panels/significance_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "session/workbench_session.h"

namespace glr::ui {

namespace {

// Differences whose two-sided p is below this are shown in bold.
constexpr double kSignificanceLevel = 0.05;

QString signedNumber(double value) { return QStringLiteral("%1%2").arg(value >= 0 ? "+" : "").arg(value, 0, 'f', 4); }

QString pText(double p) { return p < 1e-4 ? QString::number(p, 'e', 1) : QString::number(p, 'f', 4); }

}  // namespace

SignificanceView::SignificanceView(WorkbenchSession& session, QWidget* parent) : QWidget(parent), session_(session) {
    split_ = new QComboBox(this);
    split_->addItems({QStringLiteral("test"), QStringLiteral("valid")});
    subset_ = new QComboBox(this);
    subset_->addItem(tr("all rows"), QStringLiteral("all"));
    subset_->addItem(tr("warm rows"), QStringLiteral("warm"));
    subset_->addItem(tr("cold rows"), QStringLiteral("cold"));
    testButton_ = new QPushButton(tr("Test A against B"), this);
    testButton_->setToolTip(tr("Paired tests on the rows both runs scored: DeLong for AUC, a bootstrap over users "
                               "(1,000 resamples) for UAUC; with several seeds, each seed's pair and then the seeds "
                               "pooled"));
    connect(testButton_, &QPushButton::clicked, this, &SignificanceView::testSelectedPair);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Split"), this));
    controls->addWidget(split_);
    controls->addWidget(subset_);
    controls->addWidget(testButton_);
    controls->addStretch(1);

    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    table_ = new QTableWidget(0, 9, this);
    table_->setHorizontalHeaderLabels({tr("Runs (A vs B)"), tr("Metric"), tr("A"), tr("B"), tr("A − B"), tr("95% CI"),
                                       tr("z"), tr("p"), tr("Test")});
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setWordWrap(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(summary_);
    layout->addWidget(table_, 1);

    connect(&session_, &WorkbenchSession::comparisonReady, this, &SignificanceView::showComparison);
    connect(&session_, &WorkbenchSession::comparisonFailed, this, &SignificanceView::showFailure);
    setRuns({});
}

void SignificanceView::setRuns(const QVector<RunSummary>& runs) {
    pairing_ = pairRunsForTest(runs);
    const bool ready = pairing_.problem.isEmpty();
    testButton_->setEnabled(ready);
    if (table_->rowCount() > 0 && pairing_.pairs == shownPairs_) return;  // the result shown is this selection's
    table_->setRowCount(0);
    shownPairs_.clear();
    summary_->setText(ready ? tr("A = %1, B = %2.").arg(pairing_.labelA, pairing_.labelB) : pairing_.problem);
}

void SignificanceView::testSelectedPair() {
    if (!pairing_.problem.isEmpty()) return;
    summary_->setText(tr("Testing %1 against %2…").arg(pairing_.labelA, pairing_.labelB));
    table_->setRowCount(0);
    requestedPairs_ = pairing_.pairs;
    session_.compareRuns(pairing_.pairs, split_->currentText(), subset_->currentData().toString());
}

void SignificanceView::showComparison(const RunComparisonSetView& set) {
    QVector<QPair<qint64, qint64>> pairs;
    for (const auto& c : set.pairs) pairs.push_back({c.runA, c.runB});
    if (pairs.isEmpty() || pairs != pairing_.pairs) return;  // an answer for a selection changed since
    shownPairs_ = pairs;
    const RunComparisonView& first = set.pairs.front();
    qint64 rows = 0, leftOut = 0;
    for (const auto& c : set.pairs) {
        rows += c.rows;
        leftOut += c.onlyA + c.onlyB;
    }
    QString text = set.pairs.size() == 1
                       ? tr("Run A = #%1, run B = #%2: %3 %4 rows of the %5 split that both scored, %6 users.")
                             .arg(first.runA)
                             .arg(first.runB)
                             .arg(first.rows)
                             .arg(first.subset)
                             .arg(first.split)
                             .arg(first.users)
                       : tr("%1 pairs (A = %2, B = %3), %4 rows (%5) of the %6 split in all. The first rows pool the "
                            "pairs (fixed effect; I²: how much the pairs disagree beyond chance).")
                             .arg(set.pairs.size())
                             .arg(pairing_.labelA, pairing_.labelB)
                             .arg(rows)
                             .arg(first.subset)
                             .arg(first.split);
    if (leftOut > 0) text += QLatin1Char(' ') + tr("Left out: %1 rows that only one run of a pair scored.").arg(leftOut);
    text += QLatin1Char(' ') + tr("Bold: p < %1.").arg(kSignificanceLevel);
    summary_->setText(text);

    table_->setRowCount(0);
    auto addRow = [this](const QStringList& cells, bool significant) {
        const int r = table_->rowCount();
        table_->insertRow(r);
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (significant) {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            table_->setItem(r, col, item);
        }
    };
    auto interval = [](double low, double high) {
        return QStringLiteral("[%1, %2]").arg(signedNumber(low), signedNumber(high));
    };
    // The pooled answer first; the pairs it rests on below.
    for (const auto& p : set.pooled)
        addRow({tr("pooled, %1 pairs").arg(p.pairs), p.metric, QString(), QString(), signedNumber(p.difference),
                interval(p.ci95Low, p.ci95High), QString::number(p.z, 'f', 2), pText(p.pValue),
                tr("fixed effect, I² = %1 %").arg(qRound(100 * p.iSquared))},
               p.pValue < kSignificanceLevel);
    for (const auto& c : set.pairs)
        for (const auto& l : c.lines)
            addRow({QStringLiteral("#%1 vs #%2").arg(c.runA).arg(c.runB), l.metric, QString::number(l.valueA, 'f', 4),
                    QString::number(l.valueB, 'f', 4), signedNumber(l.difference), interval(l.ci95Low, l.ci95High),
                    QString::number(l.z, 'f', 2), pText(l.pValue), l.test},
                   l.pValue < kSignificanceLevel);
    table_->resizeColumnsToContents();
}

void SignificanceView::showFailure(const QString& message) {
    if (requestedPairs_ != pairing_.pairs) return;  // the selection changed since that request
    table_->setRowCount(0);
    summary_->setText(tr("Not tested: %1").arg(message));
}

QString SignificanceView::summary() const { return summary_->text(); }

}  // namespace glr::ui
