// Dataset and model paths: globs over the project folder, in natural order.

#include "project/glob.h"
#include "testsupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

class TestGlob : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QStringList rel(const QStringList &abs) const
    {
        QStringList out;
        for (const QString &a : abs)
            out << QDir(m_dir.path()).relativeFilePath(a);
        return out;
    }

private slots:
    void initTestCase()
    {
        for (const char *f :
             {"data/batch-1.csv", "data/batch-2.csv", "data/batch-10.csv", "data/notes.txt",
              "data/.hidden.csv", "data/sub/deep/x.csv", "data/sub/y.csv", ".git/objects/z.csv",
              ".cairn/runs/1/m.csv", "top.csv"})
            test::writeFile(m_dir.filePath(QString::fromLatin1(f)), "a\n");
    }

    void patterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("plain file") << "top.csv" << QStringList{"top.csv"};
        QTest::newRow("missing file") << "nope.csv" << QStringList{};
        QTest::newRow("star, natural order")
            << "data/batch-*.csv"
            << QStringList{"data/batch-1.csv", "data/batch-2.csv", "data/batch-10.csv"};
        QTest::newRow("hidden excluded")
            << "data/*.csv"
            << QStringList{"data/batch-1.csv", "data/batch-2.csv", "data/batch-10.csv"};
        QTest::newRow("hidden when asked") << "data/.*.csv" << QStringList{"data/.hidden.csv"};
        QTest::newRow("question mark")
            << "data/batch-?.csv" << QStringList{"data/batch-1.csv", "data/batch-2.csv"};
        QTest::newRow("class") << "data/batch-[2-9].csv" << QStringList{"data/batch-2.csv"};
        QTest::newRow("double star")
            << "**/*.csv"
            << QStringList{"data/batch-1.csv",    "data/batch-2.csv", "data/batch-10.csv",
                           "data/sub/deep/x.csv", "data/sub/y.csv",   "top.csv"};
        QTest::newRow("double star in middle")
            << "data/**/x.csv" << QStringList{"data/sub/deep/x.csv"};
        QTest::newRow("folder: every file below it")
            << "data/sub" << QStringList{"data/sub/deep/x.csv", "data/sub/y.csv"};
        QTest::newRow("folder with trailing slash")
            << "data/sub/deep/" << QStringList{"data/sub/deep/x.csv"};
        QTest::newRow("dot segments") << "./data/./batch-1.csv" << QStringList{"data/batch-1.csv"};
    }
    void patterns()
    {
        QFETCH(QString, pattern);
        QFETCH(QStringList, expected);
        QCOMPARE(rel(expandGlob(m_dir.path(), pattern)), expected);
    }

    void naturalOrder()
    {
        QVERIFY(naturalLess(u"batch-2", u"batch-10"));
        QVERIFY(!naturalLess(u"batch-10", u"batch-2"));
        QVERIFY(naturalLess(u"a", u"b"));
        QVERIFY(naturalLess(u"x-01", u"x-2"));
        QVERIFY(!naturalLess(u"same", u"same"));
    }
};

QTEST_GUILESS_MAIN(TestGlob)
#include "tst_glob.moc"
