#include "panels/prepare_spec_form.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "settings/settings.h"

namespace glr::ui {

namespace {

// Delimiters as shown ("\t" is typed as \t) and as written into the spec.
QString shownDelimiter(const QString& delimiter) { return delimiter == QLatin1String("\t") ? QStringLiteral("\\t") : delimiter; }
QString realDelimiter(const QString& shown) { return shown == QLatin1String("\\t") ? QStringLiteral("\t") : shown; }

// A column given as a header name or, when all digits, a 0-based index.
QJsonValue columnValue(const QString& text) {
    bool isIndex = false;
    const int index = text.trimmed().toInt(&isIndex);
    return isIndex ? QJsonValue(index) : QJsonValue(text.trimmed());
}

QString columnText(const QJsonValue& value) {
    return value.isDouble() ? QString::number(value.toInt()) : value.toString();
}

}  // namespace

PrepareSpecForm::PrepareSpecForm(QWidget* parent) : QWidget(parent), baseDir_(QDir::currentPath()) {
    auto* interactionsBox = makeFileGroup(tr("Interactions"), interactions_, {tr("user"), tr("item"), tr("rating"), tr("timestamp")},
                                          interactionColumns_);
    auto* itemsBox = makeFileGroup(tr("Items"), items_, {tr("item"), tr("title"), tr("genres (optional)"), tr("year (optional)")},
                                   itemColumns_);
    setColumns(QStringLiteral("userId"), QStringLiteral("movieId"), QStringLiteral("rating"), QStringLiteral("timestamp"),
               QStringLiteral("movieId"), QStringLiteral("title"));

    ratingAtLeast_ = new QDoubleSpinBox(this);
    ratingAtLeast_->setRange(-1e6, 1e6);
    ratingAtLeast_->setDecimals(2);
    ratingAtLeast_->setValue(4);
    byDates_ = new QRadioButton(tr("Dates (UTC, start inclusive)"), this);
    byQuantiles_ = new QRadioButton(tr("Time quantiles"), this);
    byQuantiles_->setChecked(true);
    auto* modeGroup = new QButtonGroup(this);
    modeGroup->addButton(byDates_);
    modeGroup->addButton(byQuantiles_);
    splitStack_ = new QStackedWidget(this);
    auto* datesPage = new QWidget(this);
    auto* datesGrid = new QGridLayout(datesPage);
    const QStringList splitNames{tr("train"), tr("valid"), tr("test")};
    const QStringList defaults{"2001-06-01", "2002-04-01", "2002-04-01", "2002-09-01", "2002-09-01", "2003-03-01"};
    for (int s = 0; s < 3; ++s) {
        datesGrid->addWidget(new QLabel(splitNames[s], datesPage), s, 0);
        for (int e = 0; e < 2; ++e) {
            auto* edit = new QDateEdit(QDate::fromString(defaults[2 * s + e], Qt::ISODate), datesPage);
            edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
            edit->setCalendarPopup(true);
            datesGrid->addWidget(edit, s, 1 + e);
            dates_ << edit;
            connectChanged(edit);
        }
    }
    auto* quantilePage = new QWidget(this);
    auto* quantileForm = new QFormLayout(quantilePage);
    trainEnd_ = new QDoubleSpinBox(quantilePage);
    validEnd_ = new QDoubleSpinBox(quantilePage);
    for (QDoubleSpinBox* box : {trainEnd_, validEnd_}) {
        box->setRange(0.01, 0.99);
        box->setSingleStep(0.05);
        box->setDecimals(3);
        connectChanged(box);
    }
    trainEnd_->setValue(0.8);
    validEnd_->setValue(0.9);
    quantileForm->addRow(tr("train ends at"), trainEnd_);
    quantileForm->addRow(tr("valid ends at"), validEnd_);
    splitStack_->addWidget(datesPage);
    splitStack_->addWidget(quantilePage);
    splitStack_->setCurrentIndex(1);
    connect(byDates_, &QRadioButton::toggled, this, [this](bool dates) {
        splitStack_->setCurrentIndex(dates ? 0 : 1);
        emit changed();
    });

    minUser_ = new QSpinBox(this);
    minItem_ = new QSpinBox(this);
    for (QSpinBox* box : {minUser_, minItem_}) {
        box->setRange(0, 1000000);
        connectChanged(box);
    }
    validSmall_ = new QCheckBox(tr("write valid_small"), this);
    validSmall_->setChecked(true);
    validSmallFraction_ = new QDoubleSpinBox(this);
    validSmallFraction_->setRange(0.01, 1.0);
    validSmallFraction_->setValue(0.5);
    validSmallSeed_ = new QSpinBox(this);
    validSmallSeed_->setRange(0, 1 << 30);
    validSmallSeed_->setValue(2023);
    for (QWidget* w : std::initializer_list<QWidget*>{ratingAtLeast_, validSmall_, validSmallFraction_, validSmallSeed_}) connectChanged(w);

    auto* rules = new QGroupBox(tr("Labels, split and filters"), this);
    auto* rulesForm = new QFormLayout(rules);
    rulesForm->addRow(tr("Positive when rating ≥"), ratingAtLeast_);
    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(byQuantiles_);
    modeRow->addWidget(byDates_);
    rulesForm->addRow(tr("Split by"), modeRow);
    rulesForm->addRow(splitStack_);
    rulesForm->addRow(tr("Min interactions per user"), minUser_);
    rulesForm->addRow(tr("Min interactions per item"), minItem_);
    auto* smallRow = new QHBoxLayout;
    smallRow->addWidget(validSmall_);
    smallRow->addWidget(new QLabel(tr("fraction"), this));
    smallRow->addWidget(validSmallFraction_);
    smallRow->addWidget(new QLabel(tr("seed"), this));
    smallRow->addWidget(validSmallSeed_);
    rulesForm->addRow(smallRow);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(interactionsBox);
    layout->addWidget(itemsBox);
    layout->addWidget(rules);
    layout->addStretch(1);
}

QWidget* PrepareSpecForm::makeFileGroup(const QString& title, FileGroup& group, const QStringList& columnNames,
                                        QList<QLineEdit*>& columns) {
    auto* box = new QGroupBox(title, this);
    auto* form = new QFormLayout(box);
    group.path = new QLineEdit(box);
    auto* browse = new QToolButton(box);
    browse->setText(QStringLiteral("…"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(group.path, 1);
    pathRow->addWidget(browse);
    form->addRow(tr("File"), pathRow);
    connect(browse, &QToolButton::clicked, this, [this, path = group.path] {
        const QString chosen = QFileDialog::getOpenFileName(this, tr("Raw file"), settings::lastDataDir.get());
        if (chosen.isEmpty()) return;
        settings::lastDataDir.set(QFileInfo(chosen).absolutePath());
        path->setText(chosen);
    });
    group.delimiter = new QComboBox(box);
    group.delimiter->setEditable(true);
    group.delimiter->addItems({QStringLiteral(","), QStringLiteral("\\t"), QStringLiteral("|"), QStringLiteral("::"), QStringLiteral(";")});
    group.header = new QCheckBox(tr("first row is a header"), box);
    group.header->setChecked(true);
    group.encoding = new QComboBox(box);
    group.encoding->addItems({QStringLiteral("utf-8"), QStringLiteral("latin-1")});
    group.quote = new QCheckBox(tr("\"quoted\" fields (RFC 4180)"), box);
    group.quote->setChecked(true);
    auto* formatRow = new QHBoxLayout;
    formatRow->addWidget(new QLabel(tr("delimiter"), box));
    formatRow->addWidget(group.delimiter);
    formatRow->addWidget(group.encoding);
    formatRow->addWidget(group.header);
    formatRow->addWidget(group.quote);
    formatRow->addStretch(1);
    form->addRow(tr("Format"), formatRow);
    auto* columnRow = new QHBoxLayout;
    for (const QString& name : columnNames) {
        auto* edit = new QLineEdit(box);
        edit->setPlaceholderText(name);
        edit->setToolTip(tr("%1 column: header name, or 0-based index without a header").arg(name));
        columnRow->addWidget(edit);
        columns << edit;
        connectChanged(edit);
    }
    form->addRow(tr("Columns"), columnRow);
    for (QWidget* w : std::initializer_list<QWidget*>{group.path, group.delimiter, group.header, group.encoding, group.quote}) connectChanged(w);
    return box;
}

void PrepareSpecForm::connectChanged(QWidget* widget) {
    if (auto* e = qobject_cast<QLineEdit*>(widget)) connect(e, &QLineEdit::textChanged, this, &PrepareSpecForm::changed);
    else if (auto* c = qobject_cast<QComboBox*>(widget)) connect(c, &QComboBox::currentTextChanged, this, &PrepareSpecForm::changed);
    else if (auto* b = qobject_cast<QCheckBox*>(widget)) connect(b, &QCheckBox::toggled, this, &PrepareSpecForm::changed);
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(widget)) connect(d, &QDoubleSpinBox::valueChanged, this, &PrepareSpecForm::changed);
    else if (auto* s = qobject_cast<QSpinBox*>(widget)) connect(s, &QSpinBox::valueChanged, this, &PrepareSpecForm::changed);
    else if (auto* t = qobject_cast<QDateEdit*>(widget)) connect(t, &QDateEdit::dateChanged, this, &PrepareSpecForm::changed);
}

QString PrepareSpecForm::specJson() const {
    auto table = [](const FileGroup& group, const QStringList& keys, const QList<QLineEdit*>& columns) {
        QJsonObject t;
        t[QStringLiteral("path")] = group.path->text().trimmed();
        t[QStringLiteral("format")] = QStringLiteral("delimited");
        t[QStringLiteral("delimiter")] = realDelimiter(group.delimiter->currentText());
        if (group.quote->isChecked()) t[QStringLiteral("quote")] = QStringLiteral("\"");
        t[QStringLiteral("header")] = group.header->isChecked();
        t[QStringLiteral("encoding")] = group.encoding->currentText();
        QJsonObject cols;
        for (int i = 0; i < keys.size(); ++i)
            if (!columns[i]->text().trimmed().isEmpty()) cols[keys[i]] = columnValue(columns[i]->text());
        t[QStringLiteral("columns")] = cols;
        return t;
    };
    QJsonObject spec;
    spec[QStringLiteral("interactions")] =
        table(interactions_, {QStringLiteral("user"), QStringLiteral("item"), QStringLiteral("rating"), QStringLiteral("timestamp")},
              interactionColumns_);
    spec[QStringLiteral("items")] =
        table(items_, {QStringLiteral("item"), QStringLiteral("title"), QStringLiteral("genres"), QStringLiteral("year")}, itemColumns_);
    spec[QStringLiteral("label")] = QJsonObject{{QStringLiteral("rating_at_least"), ratingAtLeast_->value()}};
    if (byDates_->isChecked()) {
        QJsonObject split;
        const QStringList names{QStringLiteral("train"), QStringLiteral("valid"), QStringLiteral("test")};
        for (int s = 0; s < 3; ++s)
            split[names[s]] = QJsonArray{dates_[2 * s]->date().toString(Qt::ISODate), dates_[2 * s + 1]->date().toString(Qt::ISODate)};
        spec[QStringLiteral("split")] = split;
    } else {
        spec[QStringLiteral("split")] = QJsonObject{{QStringLiteral("quantiles"), QJsonArray{trainEnd_->value(), validEnd_->value()}}};
    }
    spec[QStringLiteral("min_user_interactions")] = minUser_->value();
    spec[QStringLiteral("min_item_interactions")] = minItem_->value();
    if (validSmall_->isChecked())
        spec[QStringLiteral("valid_small")] =
            QJsonObject{{QStringLiteral("fraction"), validSmallFraction_->value()}, {QStringLiteral("seed"), validSmallSeed_->value()}};
    return QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Indented));
}

bool PrepareSpecForm::setSpecJson(const QString& json, QString* error) {
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &parseError);
    if (!doc.isObject()) {
        if (error) *error = tr("prepare spec: %1").arg(parseError.error != QJsonParseError::NoError ? parseError.errorString() : tr("expected an object"));
        return false;
    }
    const QJsonObject spec = doc.object();
    auto readTable = [](const QJsonObject& t, FileGroup& group, const QStringList& keys, QList<QLineEdit*>& columns) {
        group.path->setText(t.value(QStringLiteral("path")).toString());
        group.delimiter->setCurrentText(shownDelimiter(t.value(QStringLiteral("delimiter")).toString(QStringLiteral(","))));
        group.header->setChecked(t.value(QStringLiteral("header")).toBool(true));
        group.encoding->setCurrentText(t.value(QStringLiteral("encoding")).toString(QStringLiteral("utf-8")));
        group.quote->setChecked(t.contains(QStringLiteral("quote")));
        const QJsonObject cols = t.value(QStringLiteral("columns")).toObject();
        for (int i = 0; i < keys.size(); ++i) columns[i]->setText(columnText(cols.value(keys[i])));
    };
    readTable(spec.value(QStringLiteral("interactions")).toObject(), interactions_,
              {QStringLiteral("user"), QStringLiteral("item"), QStringLiteral("rating"), QStringLiteral("timestamp")}, interactionColumns_);
    readTable(spec.value(QStringLiteral("items")).toObject(), items_,
              {QStringLiteral("item"), QStringLiteral("title"), QStringLiteral("genres"), QStringLiteral("year")}, itemColumns_);
    ratingAtLeast_->setValue(spec.value(QStringLiteral("label")).toObject().value(QStringLiteral("rating_at_least")).toDouble(4));
    const QJsonObject split = spec.value(QStringLiteral("split")).toObject();
    if (split.contains(QStringLiteral("quantiles"))) {
        const QJsonArray q = split.value(QStringLiteral("quantiles")).toArray();
        setQuantileSplit(q.at(0).toDouble(0.8), q.at(1).toDouble(0.9));
    } else {
        QStringList six;
        for (const QString& name : {QStringLiteral("train"), QStringLiteral("valid"), QStringLiteral("test")})
            for (const QJsonValue& d : split.value(name).toArray()) six << d.toString().left(10);
        setDateSplit(six);
    }
    minUser_->setValue(spec.value(QStringLiteral("min_user_interactions")).toInt());
    minItem_->setValue(spec.value(QStringLiteral("min_item_interactions")).toInt());
    const QJsonObject small = spec.value(QStringLiteral("valid_small")).toObject();
    validSmall_->setChecked(!small.isEmpty());
    if (!small.isEmpty()) {
        validSmallFraction_->setValue(small.value(QStringLiteral("fraction")).toDouble(0.5));
        validSmallSeed_->setValue(small.value(QStringLiteral("seed")).toInt(2023));
    }
    return true;
}

void PrepareSpecForm::setFiles(const QString& interactions, const QString& items) {
    interactions_.path->setText(interactions);
    items_.path->setText(items);
}

void PrepareSpecForm::setDelimiter(const QString& delimiter) {
    interactions_.delimiter->setCurrentText(shownDelimiter(delimiter));
    items_.delimiter->setCurrentText(shownDelimiter(delimiter));
}

void PrepareSpecForm::setColumns(const QString& user, const QString& item, const QString& rating, const QString& timestamp,
                                 const QString& itemId, const QString& title) {
    const QStringList i{user, item, rating, timestamp};
    for (int k = 0; k < 4; ++k) interactionColumns_[k]->setText(i[k]);
    itemColumns_[0]->setText(itemId);
    itemColumns_[1]->setText(title);
}

void PrepareSpecForm::setQuantileSplit(double trainEnd, double validEnd) {
    byQuantiles_->setChecked(true);
    trainEnd_->setValue(trainEnd);
    validEnd_->setValue(validEnd);
}

void PrepareSpecForm::setDateSplit(const QStringList& sixDates) {
    byDates_->setChecked(true);
    for (int k = 0; k < 6 && k < sixDates.size(); ++k) dates_[k]->setDate(QDate::fromString(sixDates[k], Qt::ISODate));
}

}  // namespace glr::ui
