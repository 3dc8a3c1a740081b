// Run-id lists as typed on the command line (`results --runs`, workbench `--select`).
#include <QtTest>

#include "util/error.h"
#include "util/id_list.h"

class TestIdList : public QObject {
    Q_OBJECT
private slots:
    void idsAndRanges() {
        using Ids = std::vector<std::int64_t>;
        QCOMPARE(glr::parseIdList("3", "--runs"), Ids({3}));
        QCOMPARE(glr::parseIdList("1-3,10,7-7", "--runs"), Ids({1, 2, 3, 10, 7}));
        QCOMPARE(glr::parseIdList("4,,5", "--runs"), Ids({4, 5}));
        QVERIFY(glr::parseIdList("", "--runs").empty());
    }

    void badItemsNameTheOptionAndItem() {
        for (const char* bad : {"1,x", "0", "-2", "5-3", "1-", "2-x", "1.5", "3-4-5"}) {
            try {
                glr::parseIdList(bad, "--select");
                QFAIL(qPrintable(QString("accepted \"%1\"").arg(bad)));
            } catch (const glr::InputError& e) {
                QVERIFY2(QString(e.what()).startsWith("--select: expected run ids"), e.what());
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestIdList)
#include "test_id_list.moc"
