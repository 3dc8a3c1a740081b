#pragma once
// The prepare-spec form of the Dataset panel (core/data/prepare_spec.h): raw interaction and item
// files with their delimiter, header, encoding, quoting and columns; the label threshold; split
// dates or time quantiles; minimum-interaction filters; valid_small. It reads and writes the
// spec JSON that `graphlora data prepare` takes.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QDoubleSpinBox;
class QLineEdit;
class QRadioButton;
class QSpinBox;
class QStackedWidget;

namespace glr::ui {

class PrepareSpecForm : public QWidget {
    Q_OBJECT
public:
    explicit PrepareSpecForm(QWidget* parent = nullptr);

    QString specJson() const;              // indented JSON with the form's values
    bool setSpecJson(const QString& json, QString* error = nullptr);
    QString baseDir() const { return baseDir_; }
    void setBaseDir(const QString& dir) { baseDir_ = dir; }

    // Quick setters (tests, and "Generate demo data").
    void setFiles(const QString& interactions, const QString& items);
    void setDelimiter(const QString& delimiter);  // both files
    void setColumns(const QString& user, const QString& item, const QString& rating, const QString& timestamp,
                    const QString& itemId, const QString& title);
    void setQuantileSplit(double trainEnd, double validEnd);
    void setDateSplit(const QStringList& sixDates);  // train start, end, valid start, end, test start, end

signals:
    void changed();

private:
    struct FileGroup {
        QLineEdit* path;
        QComboBox* delimiter;
        QCheckBox* header;
        QComboBox* encoding;
        QCheckBox* quote;
    };
    QWidget* makeFileGroup(const QString& title, FileGroup& group, const QStringList& columnNames,
                           QList<QLineEdit*>& columns);
    void connectChanged(QWidget* widget);

    QString baseDir_;
    FileGroup interactions_{}, items_{};
    QList<QLineEdit*> interactionColumns_;  // user, item, rating, timestamp
    QList<QLineEdit*> itemColumns_;         // item, title, genres, year
    QDoubleSpinBox* ratingAtLeast_;
    QRadioButton* byDates_;
    QRadioButton* byQuantiles_;
    QStackedWidget* splitStack_;
    QList<QDateEdit*> dates_;
    QDoubleSpinBox* trainEnd_;
    QDoubleSpinBox* validEnd_;
    QSpinBox* minUser_;
    QSpinBox* minItem_;
    QCheckBox* validSmall_;
    QDoubleSpinBox* validSmallFraction_;
    QSpinBox* validSmallSeed_;
};

}  // namespace glr::ui
