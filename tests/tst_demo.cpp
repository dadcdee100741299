// The demo project: what `cairn-cli demo` writes must be a real, working project whose data
// drifts the way its README says, with a git history in which the training data changes.

#include "demo/demodata.h"
#include "demo/demoproject.h"
#include "project/projectfile.h"
#include "testsupport.h"
#include "vcs/git.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace cairn;

namespace {

struct Table
{
    QStringList header;
    QList<QStringList> rows;
    int col(const char *name) const { return int(header.indexOf(QString::fromLatin1(name))); }
    double mean(const char *name) const
    {
        const int c = col(name);
        double s = 0;
        int n = 0;
        for (const auto &r : rows) {
            if (!r[c].isEmpty()) {
                s += r[c].toDouble();
                ++n;
            }
        }
        return n ? s / n : 0;
    }
    double share(const char *name, const QString &value) const
    {
        const int c = col(name);
        return double(std::count_if(rows.begin(), rows.end(),
                                    [&](const QStringList &r) { return r[c] == value; })) /
               double(rows.size());
    }
};

Table parse(const QByteArray &csv)
{
    Table t;
    const QList<QByteArray> lines = csv.split('\n');
    t.header = QString::fromUtf8(lines.first()).split(QLatin1Char(','));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].isEmpty())
            continue;
        t.rows.append(QString::fromUtf8(lines[i]).split(QLatin1Char(',')));
    }
    return t;
}

} // namespace

class TestDemo : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_dir;

private slots:
    void initTestCase()
    {
        m_dir = m_tmp.filePath(QStringLiteral("churn-demo"));
        const auto summary = writeDemoProject(m_dir);
        QVERIFY2(summary.has_value(), summary ? "" : qPrintable(summary.error().toString()));
        QVERIFY(summary->contains(QStringLiteral("3,975 customers")));
    }

    void filesAndProject()
    {
        for (const char *f :
             {"cairn.yaml", "train.py", "validate.py", "churn_model.py", "README.md", ".gitignore",
              "data/reference.csv", "data/incoming/batch-01.csv", "data/incoming/batch-06.csv"})
            QVERIFY2(QFile::exists(QDir(m_dir).filePath(QString::fromLatin1(f))), f);
        const auto p = loadProject(m_dir);
        QVERIFY(p);
        QCOMPARE(p->name, QStringLiteral("churn-demo"));
        QCOMPARE(p->resolveFiles(p->dataset(u"reference")->paths).size(), 1);
        QCOMPARE(p->resolveFiles(p->dataset(u"incoming")->paths).size(), demo::BatchCount);
    }

    void refusesToOverwrite()
    {
        const auto again = writeDemoProject(m_dir);
        QVERIFY(!again);
        QVERIFY(again.error().message.contains(QStringLiteral("not empty")));
        QCOMPARE(again.error().file, m_dir);
    }

    void deterministic()
    {
        QCOMPARE(demo::referenceV2(), demo::referenceV2());
        QCOMPARE(demo::incomingBatch(4), demo::incomingBatch(4));
        QVERIFY(demo::incomingBatch(4) != demo::incomingBatch(5));
        QCOMPARE(test::readFile(QDir(m_dir).filePath(QStringLiteral("data/reference.csv"))),
                 demo::referenceV2());
    }

    void referenceVersions()
    {
        const Table v1 = parse(demo::referenceV1());
        const Table v2 = parse(demo::referenceV2());
        QCOMPARE(v1.header.size(), 11);
        QCOMPARE(v1.header, v2.header);
        QCOMPARE(v1.rows.size(), 3000);
        QCOMPARE(v2.rows.size(), 3975);
        const int id = v1.col("customer_id");
        const auto tests = std::count_if(v1.rows.begin(), v1.rows.end(), [&](const QStringList &r) {
            return r[id].startsWith(QStringLiteral("TEST-"));
        });
        QCOMPARE(tests, 25);
        QVERIFY(std::none_of(v2.rows.begin(), v2.rows.end(), [&](const QStringList &r) {
            return r[id].startsWith(QStringLiteral("TEST-"));
        }));
        // The faulty export: total_charges equal to monthly_charges for long-time customers.
        const int tenure = v1.col("tenure_months");
        const int monthly = v1.col("monthly_charges");
        const int total = v1.col("total_charges");
        auto faulty = [&](const Table &t) {
            return std::count_if(t.rows.begin(), t.rows.end(), [&](const QStringList &r) {
                return r[tenure].toInt() >= 6 && r[total] == r[monthly];
            });
        };
        QCOMPARE(faulty(v1), 120);
        QCOMPARE(faulty(v2), 0);
        const double churn = v2.mean("churned");
        QVERIFY2(churn > 0.2 && churn < 0.4, qPrintable(QString::number(churn)));
    }

    void batchesDrift()
    {
        const Table first = parse(demo::incomingBatch(1));
        const Table last = parse(demo::incomingBatch(demo::BatchCount));
        const Table ref = parse(demo::referenceV2());
        QCOMPARE(first.rows.size(), 1000);
        // Batch 1 looks like the reference; batch 6 does not.
        QVERIFY(std::abs(first.mean("monthly_charges") - ref.mean("monthly_charges")) < 3);
        QVERIFY(last.mean("monthly_charges") > ref.mean("monthly_charges") + 8);
        QVERIFY(last.mean("support_calls") > ref.mean("support_calls") + 1.5);
        QVERIFY(last.share("contract", QStringLiteral("month-to-month")) >
                ref.share("contract", QStringLiteral("month-to-month")) + 0.15);
        // A payment method the reference never saw appears from batch 4.
        QCOMPARE(ref.share("payment_method", QStringLiteral("wallet")), 0.0);
        QCOMPARE(parse(demo::incomingBatch(3)).share("payment_method", QStringLiteral("wallet")),
                 0.0);
        QVERIFY(parse(demo::incomingBatch(4)).share("payment_method", QStringLiteral("wallet")) >
                0.05);
        // total_charges goes missing more and more: about 2% to about 30%.
        const double missingFirst = first.share("total_charges", QString());
        const double missingLast = last.share("total_charges", QString());
        QVERIFY2(missingFirst < 0.05, qPrintable(QString::number(missingFirst)));
        QVERIFY2(missingLast > 0.25 && missingLast < 0.35,
                 qPrintable(QString::number(missingLast)));
        // Columns that should not drift stay put.
        QVERIFY(std::abs(last.mean("age") - ref.mean("age")) < 2);
    }

    void gitHistory()
    {
        const auto state = readGitState(m_dir);
        QVERIFY(state && state->isRepository);
        QVERIFY(!state->dirty);
        QCOMPARE(state->branch, QStringLiteral("main"));
        const auto log = gitLog(m_dir);
        QCOMPARE(log->size(), 3);
        QVERIFY(log->at(0).when > log->at(1).when && log->at(1).when > log->at(2).when);
        const auto refLog = gitLog(m_dir, QStringLiteral("data/reference.csv"));
        QCOMPARE(refLog->size(), 2); // added, then changed
        QCOMPARE(*gitFileAtRevision(m_dir, refLog->at(1).id, QStringLiteral("data/reference.csv")),
                 demo::referenceV1());
        QCOMPARE(
            *gitFileAtRevision(m_dir, QStringLiteral("HEAD"), QStringLiteral("data/reference.csv")),
            demo::referenceV2());
        QVERIFY(!gitFileAtRevision(m_dir, QStringLiteral("HEAD~1"),
                                   QStringLiteral("data/incoming/batch-04.csv")));
    }

    // The scripts are real: train.py learns, reports metrics per epoch and writes the model.
    void trainAndValidate()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        DemoOptions options;
        options.git = false;
        QVERIFY(writeDemoProject(dir, options));
        QVERIFY(!QFile::exists(QDir(dir).filePath(QStringLiteral(".git"))));
        const QString metrics = QDir(dir).filePath(QStringLiteral("metrics.jsonl"));
        const auto train = test::runProcess(
            test::python(),
            {QStringLiteral("train.py"), QStringLiteral("--epochs"), QStringLiteral("6")}, dir,
            120000, {QStringLiteral("CAIRN_METRICS_FILE=") + metrics});
        QVERIFY2(train.exitCode == 0, train.err.constData());
        QVERIFY(train.out.contains("epoch   6/6"));
        const QList<QByteArray> lines = test::readFile(metrics).trimmed().split('\n');
        QCOMPARE(lines.size(), 6 * 5);
        const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
        QCOMPARE(last.value(QStringLiteral("step")).toInt(), 6);
        const QJsonObject lastAcc = QJsonDocument::fromJson(lines[lines.size() - 2]).object();
        QCOMPARE(lastAcc.value(QStringLiteral("name")).toString(), QStringLiteral("val_accuracy"));
        QVERIFY2(lastAcc.value(QStringLiteral("value")).toDouble() > 0.7,
                 lines[lines.size() - 2].constData());

        // The safetensors file is well formed: header length, JSON header, data to the end.
        const QByteArray st =
            test::readFile(QDir(dir).filePath(QStringLiteral("models/churn-model.safetensors")));
        QVERIFY(st.size() > 8);
        const quint64 n = qFromLittleEndian<quint64>(st.constData());
        QVERIFY(n % 8 == 0 && 8 + n < quint64(st.size()));
        const QJsonObject header =
            QJsonDocument::fromJson(st.mid(8, qsizetype(n)).trimmed()).object();
        const QJsonObject weight = header.value(QStringLiteral("linear.weight")).toObject();
        QCOMPARE(weight.value(QStringLiteral("dtype")).toString(), QStringLiteral("F32"));
        const int features = weight.value(QStringLiteral("shape")).toArray().at(1).toInt();
        QVERIFY(features > 10);
        QCOMPARE(quint64(st.size()), 8 + n + quint64(features + 1) * 4);

        const auto validate =
            test::runProcess(test::python(),
                             {QStringLiteral("validate.py"), QStringLiteral("--data"),
                              QStringLiteral("data/incoming/batch-01.csv")},
                             dir);
        QVERIFY2(validate.exitCode == 0, validate.err.constData());
        QVERIFY(validate.out.contains("accuracy"));
        // A missing model is a clear error, not a traceback.
        const auto noModel = test::runProcess(
            test::python(),
            {QStringLiteral("validate.py"), QStringLiteral("--model"), QStringLiteral("nope.json")},
            dir);
        QCOMPARE(noModel.exitCode, 1);
        QVERIFY(noModel.err.contains("no such model; run the train entry point first"));
        QVERIFY(!noModel.err.contains("Traceback"));
    }
};

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
