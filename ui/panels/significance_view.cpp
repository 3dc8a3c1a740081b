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
    testButton_ = new QPushButton(tr("Test the two selected runs"), this);
    testButton_->setToolTip(tr("Paired tests on the rows both runs scored: DeLong for AUC, a bootstrap over users "
                               "(1,000 resamples) for UAUC"));
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
    table_ = new QTableWidget(0, 8, this);
    table_->setHorizontalHeaderLabels(
        {tr("Metric"), tr("Run A"), tr("Run B"), tr("A − B"), tr("95% CI"), tr("z"), tr("p"), tr("Test")});
    table_->verticalHeader()->setVisible(false);
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
    runs_ = runs;
    testButton_->setEnabled(runs.size() == 2);
    if (runs.size() != 2 && table_->rowCount() == 0)
        summary_->setText(tr("Select two runs that were evaluated on the same rows (same seed and eval settings) "
                             "to test whether their difference is more than noise."));
}

void SignificanceView::setSubset(const QString& subset) {
    const int i = subset_->findData(subset);
    if (i >= 0) subset_->setCurrentIndex(i);
}

void SignificanceView::testSelectedPair() {
    if (runs_.size() != 2) return;
    summary_->setText(tr("Testing run %1 against run %2…").arg(runs_[0].id).arg(runs_[1].id));
    table_->setRowCount(0);
    session_.compareRuns(runs_[0].id, runs_[1].id, split_->currentText(), subset_->currentData().toString());
}

void SignificanceView::showComparison(const RunComparisonView& c) {
    QString text = tr("Run A = #%1, run B = #%2: %3 %4 rows of the %5 split that both scored, %6 users.")
                       .arg(c.runA)
                       .arg(c.runB)
                       .arg(c.rows)
                       .arg(c.subset)
                       .arg(c.split)
                       .arg(c.users);
    if (c.onlyA + c.onlyB > 0)
        text += QLatin1Char(' ') + tr("Left out: %1 rows only run A scored, %2 only run B.").arg(c.onlyA).arg(c.onlyB);
    text += QLatin1Char(' ') + tr("Bold: p < %1.").arg(kSignificanceLevel);
    summary_->setText(text);
    table_->setRowCount(int(c.lines.size()));
    for (int r = 0; r < c.lines.size(); ++r) {
        const auto& l = c.lines[r];
        const QStringList cells = {l.metric,
                                   QString::number(l.valueA, 'f', 4),
                                   QString::number(l.valueB, 'f', 4),
                                   signedNumber(l.difference),
                                   QStringLiteral("[%1, %2]").arg(signedNumber(l.ci95Low), signedNumber(l.ci95High)),
                                   QString::number(l.z, 'f', 2),
                                   pText(l.pValue),
                                   l.test};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (l.pValue < kSignificanceLevel) {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            table_->setItem(r, col, item);
        }
    }
    table_->resizeColumnsToContents();
}

void SignificanceView::showFailure(const QString& message) {
    table_->setRowCount(0);
    summary_->setText(tr("Not tested: %1").arg(message));
}

QString SignificanceView::summary() const { return summary_->text(); }

}  // namespace glr::ui
