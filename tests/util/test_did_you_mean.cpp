// The one "did you mean" rule every hint uses (config keys, prepare specs, CSV columns, filters).
#include <QtTest>

#include "util/did_you_mean.h"

class TestDidYouMean : public QObject {
    Q_OBJECT
private slots:
    void distanceCountsEditsIgnoringCase() {
        QCOMPARE(glr::editDistance("", ""), std::size_t(0));
        QCOMPARE(glr::editDistance("kitten", "sitting"), std::size_t(3));  // the textbook pair
        QCOMPARE(glr::editDistance("trian", "train"), std::size_t(2));     // a swap is two edits
        QCOMPARE(glr::editDistance("Rating", "rating"), std::size_t(0));
        QCOMPARE(glr::editDistance("abc", ""), std::size_t(3));
    }

    void hintsOnlyPlausibleTypos() {
        const std::vector<std::string> keys{"auc", "uauc", "train.lr", "train.gnn_lr", "seed"};
        QCOMPARE(glr::didYouMean("acu", keys), std::string("auc"));  // 2 edits: the floor
        QCOMPARE(glr::didYouMean("trian.lr", keys), std::string("train.lr"));
        QCOMPARE(glr::didYouMean("train.gnn_lrr", keys), std::string("train.gnn_lr"));
        QCOMPARE(glr::didYouMean("sd", keys), std::string("seed"));   // 2 edits
        QCOMPARE(glr::didYouMean("epochs", keys), std::string());     // nothing close
        QCOMPARE(glr::didYouMean("x", {}), std::string());
        QCOMPARE(glr::didYouMean("ab", {"aa", "bb"}), std::string("aa"));  // a tie: the first
    }
};

QTEST_APPLESS_MAIN(TestDidYouMean)
#include "test_did_you_mean.moc"
