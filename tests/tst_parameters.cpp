// Parameter types, value checks, shell quoting and {placeholder} substitution.

#include "project/parameter.h"
#include "project/placeholders.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace cairn;

class TestParameters : public QObject
{
    Q_OBJECT
private slots:
    void checkValue_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("valid");
        QTest::newRow("int") << "int"
                             << "42" << true;
        QTest::newRow("int negative") << "int"
                                      << "-3" << true;
        QTest::newRow("int with plus") << "int"
                                       << "+7" << true;
        QTest::newRow("int float text") << "int"
                                        << "4.5" << false;
        QTest::newRow("int word") << "int"
                                  << "ten" << false;
        QTest::newRow("int empty") << "int"
                                   << "" << false;
        QTest::newRow("float") << "float"
                               << "0.01" << true;
        QTest::newRow("float leading dot") << "float"
                                           << ".5" << true;
        QTest::newRow("float exponent") << "float"
                                        << "1e-3" << true;
        QTest::newRow("float int text") << "float"
                                        << "5" << true;
        QTest::newRow("float inf") << "float"
                                   << "-inf" << true;
        QTest::newRow("float nan") << "float"
                                   << "NaN" << true;
        QTest::newRow("float abc") << "float"
                                   << "abc" << false;
        QTest::newRow("float two dots") << "float"
                                        << "1.2.3" << false;
        QTest::newRow("float comma") << "float"
                                     << "0,5" << false;
        QTest::newRow("bool true") << "bool"
                                   << "true" << true;
        QTest::newRow("bool False") << "bool"
                                    << "False" << true;
        QTest::newRow("bool 1") << "bool"
                                << "1" << true;
        QTest::newRow("bool maybe") << "bool"
                                    << "maybe" << false;
        QTest::newRow("path") << "path"
                              << "data/x.csv" << true;
        QTest::newRow("path empty") << "path"
                                    << "" << false;
        QTest::newRow("uri") << "uri"
                             << "s3://bucket/key" << true;
        QTest::newRow("uri no scheme") << "uri"
                                       << "bucket/key" << false;
        QTest::newRow("string anything") << "string"
                                         << "a b 'c'" << true;
    }
    void checkValue()
    {
        QFETCH(QString, type);
        QFETCH(QString, value);
        QFETCH(bool, valid);
        Parameter p;
        p.name = QStringLiteral("x");
        p.type = *paramTypeFromName(type);
        const auto r = checkParameterValue(p, value);
        QCOMPARE(r.has_value(), valid);
        if (!valid) {
            // The message names the parameter, its type and the bad value.
            QVERIFY(r.error().message.contains(QStringLiteral("\"x\"")));
            QVERIFY(r.error().message.contains(type));
            QVERIFY(!r.error().hint.isEmpty());
        } else {
            QCOMPARE(*r, value); // values keep the spelling the user gave
        }
    }

    void typeNames()
    {
        QCOMPARE(paramTypeFromName(u"INT"), ParamType::Int);
        QCOMPARE(paramTypeFromName(u"str"), ParamType::String);
        QVERIFY(!paramTypeFromName(u"decimal").has_value());
        QCOMPARE(paramTypeName(ParamType::Path), QStringLiteral("path"));
    }

    // shellQuote must produce byte-for-byte what Python's shlex.quote produces, since MLflow
    // builds MLproject commands with it.
    void shellQuoteMatchesPython()
    {
        const QStringList samples = {QString(),
                                     QStringLiteral("simple"),
                                     QStringLiteral("with space"),
                                     QStringLiteral("it's"),
                                     QStringLiteral("a\"b"),
                                     QStringLiteral("$HOME"),
                                     QStringLiteral("data/file-1.csv"),
                                     QStringLiteral("k=v,x:y@z%+"),
                                     QStringLiteral("*.csv"),
                                     QStringLiteral("tab\there"),
                                     QStringLiteral("new\nline"),
                                     QStringLiteral("ümlaut"),
                                     QStringLiteral("back\\slash"),
                                     QStringLiteral("semi;colon"),
                                     QStringLiteral("''")};
        QJsonArray arr;
        for (const QString &s : samples)
            arr.append(s);
        const QString script =
            QStringLiteral("import json,shlex,sys\n"
                           "print(json.dumps([shlex.quote(s) for s in json.loads(sys.argv[1])]))");
        const auto r = test::runProcess(
            test::python(), {QStringLiteral("-c"), script,
                             QString::fromUtf8(QJsonDocument(arr).toJson(QJsonDocument::Compact))});
        QVERIFY2(r.started && r.exitCode == 0, r.err.constData());
        const QJsonArray expected = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(expected.size(), samples.size());
        for (int i = 0; i < samples.size(); ++i)
            QCOMPARE(shellQuote(samples[i]), expected[i].toString());
    }

    void placeholders_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QString>("substituted");
        QTest::addColumn<bool>("valid");
        QTest::newRow("two") << "python t.py {a} --b {b}" << QStringList{"a", "b"}
                             << "python t.py A --b B" << true;
        QTest::newRow("escaped") << "echo {{literal}} {a}" << QStringList{"a"} << "echo {literal} A"
                                 << true;
        QTest::newRow("spaces inside") << "x { a }" << QStringList{"a"} << "x A" << true;
        QTest::newRow("unclosed") << "echo {a" << QStringList{} << "" << false;
        QTest::newRow("stray close") << "echo a}" << QStringList{} << "" << false;
        QTest::newRow("format spec") << "echo {a:>3}" << QStringList{} << "" << false;
        QTest::newRow("positional") << "echo {0}" << QStringList{} << "" << false;
    }
    void placeholders()
    {
        QFETCH(QString, command);
        QFETCH(QStringList, names);
        QFETCH(QString, substituted);
        QFETCH(bool, valid);
        const auto found = findPlaceholders(command);
        QCOMPARE(found.has_value(), valid);
        if (!valid) {
            QVERIFY(!found.error().message.isEmpty());
            return;
        }
        QStringList got;
        for (const Placeholder &p : *found)
            got << p.name;
        QCOMPARE(got, names);
        QCOMPARE(
            substitutePlaceholders(command, *found, [](const QString &n) { return n.toUpper(); }),
            substituted);
    }
};

QTEST_GUILESS_MAIN(TestParameters)
#include "tst_parameters.moc"
