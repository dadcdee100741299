// The runs-table filter: expressions, free text and status compiled to SQL over a real project
// database, with every value bound.

#include "runs/runfilter.h"
#include "store/projectdb.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <optional>

using namespace cairn;

using Ids = QList<qint64>;

namespace {

// 2023-11-15 12:00:00 UTC: a whole hour, so minutes after it are whole minutes in any zone.
constexpr qint64 T0 = 1700049600000;
constexpr qint64 Now = T0 + 1000 * 1000; // the "now" running runs are measured to

struct RunRow
{
    const char *name;
    const char *entry;
    const char *status;
    std::optional<qint64> startedS; // seconds after T0
    std::optional<qint64> endedS;
    std::optional<int> exitCode;
    const char *branch; // nullptr: NULL
    const char *note;
    const char *command;
};

// Ids 1..10, in this order.
const RunRow runRows[] = {
    {"baseline", "train", "finished", 0, 30, 0, "main", "first try", "python train.py --lr 0.1"},
    {"baseline-2", "train", "finished", 0, 120, 0, "main", "", "python train.py --lr 0.001"},
    {"wide", "train", "failed", 0, 10, 1, nullptr, "", "python train.py --width 2"},
    {"tuned", "tune", "finished", 0, 600, 0, "main", "", "python tune.py"},
    {"smoke", "evaluate", "failed", 0, 5, 2, nullptr, "", "python eval.py"},
    {"running-one", "train", "running", 900, std::nullopt, std::nullopt, "main", "",
     "python train.py"},
    {"queued", "train", "queued", std::nullopt, std::nullopt, std::nullopt, nullptr, "",
     "python train.py"},
    {"o'brien", "tune", "cancelled", 0, 61, std::nullopt, nullptr, "", "python tune.py"},
    {"100%_done", "train", "lost", 0, std::nullopt, std::nullopt, nullptr, "contains 50% of data",
     "python train.py"},
    {"100xxdone", "train", "finished", 0, 60, 0, "feature/x", "", "python train.py --epochs 5"},
};

struct ParamRow
{
    qint64 run;
    const char *key;
    const char *value;
};

const ParamRow paramRows[] = {
    {1, "lr", "0.1"},
    {1, "batch-size", "32"},
    {1, "optimizer", "sgd"},
    {2, "lr", "0.001"},
    {2, "batch-size", "64"},
    {2, "optimizer", "adam"},
    {3, "lr", "0.005"},
    {3, "batch-size", "64"},
    {3, "optimizer", "adam"},
    {4, "lr", "0.0005"},
    {4, "batch-size", "128"},
    {4, "optimizer", "sgd"},
    {5, "optimizer", "rmsprop"},
    {6, "lr", "0.01"},
    {6, "batch-size", "32"},
    {7, "lr", "1e-3"},
    {7, "batch-size", "64.0"},
    {8, "optimizer", "adam"},
    {8, "batch-size", "auto"},
    {9, "lr", "0.02"},
    {10, "optimizer", "sgd"},
};

struct MetricRow
{
    qint64 run;
    const char *name;
    std::optional<double> value; // nullopt: NaN, stored as NULL
    double min;
    double max;
    int count;
};

const MetricRow metricRows[] = {
    {1, "accuracy", 0.80, 0.5, 0.80, 10},   {1, "loss", 0.5, 0.5, 2.0, 10},
    {1, "val/acc", 0.45, 0.1, 0.45, 5},     {2, "accuracy", 0.95, 0.6, 0.95, 20},
    {2, "loss", 0.15, 0.15, 0.9, 20},       {2, "val/acc", 0.91, 0.3, 0.91, 10},
    {3, "accuracy", 0.92, 0.5, 0.92, 3},    {3, "loss", 0.3, 0.3, 1.5, 3},
    {4, "accuracy", 0.97, 0.7, 0.97, 50},   {4, "loss", 0.1, 0.1, 3.0, 50},
    {4, "val/acc", 0.5, 0.2, 0.5, 25},      {6, "accuracy", 0.99, 0.9, 0.99, 3},
    {6, "loss", std::nullopt, 0.4, 2.5, 3}, {10, "accuracy", 0.5, 0.5, 0.5, 1},
    {10, "loss", 1.2, 1.2, 1.2, 1},
};

QString localDate(qint64 ms, const char *format)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QString::fromLatin1(format));
}

} // namespace

class TestRunFilter : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    FilterContext m_ctx;

    void exec(const QString &sql, const QVariantList &values)
    {
        auto s = m_db->prepare(sql);
        QVERIFY2(s, qPrintable(s ? QString() : s.error().toString()));
        bindFilter(*s, SqlFilter{QString(), values});
        auto r = s->exec();
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
    }

    // The ids `filter` selects, in order; nullopt (and a test failure) when the SQL fails.
    std::optional<Ids> idsOf(const SqlFilter &filter)
    {
        auto s =
            m_db->prepare(QString(u"SELECT id FROM runs WHERE " + filter.where + u" ORDER BY id"));
        if (!s) {
            qWarning() << s.error().toString();
            return std::nullopt;
        }
        bindFilter(*s, filter);
        Ids ids;
        for (;;) {
            auto row = s->step();
            if (!row) {
                qWarning() << row.error().toString();
                return std::nullopt;
            }
            if (!*row)
                return ids;
            ids.append(s->int64(0));
        }
    }

    QStringList queryPlan(const SqlFilter &filter)
    {
        auto s = m_db->prepare(QString(u"EXPLAIN QUERY PLAN SELECT id FROM runs WHERE " +
                                       filter.where + u" ORDER BY id"));
        if (!s)
            return {QString(u"cannot prepare: " + s.error().toString())};
        bindFilter(*s, filter);
        QStringList details;
        while (s->step().value_or(false))
            details.append(s->text(3));
        return details;
    }

    static int placeholders(const QString &where) { return int(where.count(u'?')); }

    // Problems with the plan of `filter`: a full scan of any table but runs (a search through
    // an index is fine), or the raw metrics table.
    QString planProblems(const SqlFilter &filter, bool mayScanParams = false)
    {
        static const QRegularExpression metricsTable(QStringLiteral("\\bmetric_blocks\\b"));
        if (metricsTable.match(filter.where).hasMatch())
            return "the filter reads the metrics table: " + filter.where;
        const QStringList plan = queryPlan(filter);
        for (const QString &step : plan) {
            if (step.startsWith("cannot prepare"))
                return step;
            if (!step.startsWith("SCAN "))
                continue;
            if (step == "SCAN runs" || step.startsWith("SCAN runs "))
                continue;
            if (mayScanParams && step.startsWith("SCAN p "))
                continue;
            return "full scan: " + step + " in\n" + plan.join('\n');
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto db = openProjectDatabase(m_dir.path());
        QVERIFY2(db, qPrintable(db ? QString() : db.error().toString()));
        m_db = std::move(*db);

        qint64 id = 0;
        for (const RunRow &r : runRows) {
            ++id;
            auto ms = [](std::optional<qint64> s) {
                return s ? QVariant(T0 + *s * 1000) : QVariant();
            };
            exec("INSERT INTO runs (id, uuid, name, entry_point, command, status, created_ms, "
                 "started_ms, ended_ms, exit_code, git_branch, note) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {id, QString("uuid-%1").arg(id), QString::fromUtf8(r.name), r.entry, r.command,
                  r.status, T0 - 1000, ms(r.startedS), ms(r.endedS),
                  r.exitCode ? QVariant(*r.exitCode) : QVariant(),
                  r.branch ? QVariant(QString(r.branch)) : QVariant(), r.note});
        }
        for (const ParamRow &p : paramRows) {
            exec("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)",
                 {p.run, p.key, p.value});
            m_ctx.params.insert(p.key);
        }
        for (const MetricRow &m : metricRows) {
            exec("INSERT OR IGNORE INTO metric_keys (name) VALUES (?)", {m.name});
            exec("INSERT INTO latest_metrics (run_id, key_id, step, ts, value, min, max, count) "
                 "VALUES (?, (SELECT id FROM metric_keys WHERE name = ?), ?, ?, ?, ?, ?, ?)",
                 {m.run, m.name, m.count, T0, m.value ? QVariant(*m.value) : QVariant(), m.min,
                  m.max, m.count});
            // A point in the raw series too, so a filter that read it would see data.
            exec(
                "INSERT INTO metric_blocks (run_id, key_id, seq, count, min_step, max_step, data) "
                "VALUES (?, (SELECT id FROM metric_keys WHERE name = ?), 0, 1, 0, 0, zeroblob(24))",
                {m.run, m.name});
            m_ctx.metrics.insert(m.name);
        }
        m_ctx.now = QDateTime::fromMSecsSinceEpoch(Now);
    }

    void contextFromDatabase()
    {
        auto ctx = loadFilterContext(*m_db);
        QVERIFY(ctx);
        QCOMPARE(ctx->metrics, (QSet<QString>{"accuracy", "loss", "val/acc"}));
        QCOMPARE(ctx->params, (QSet<QString>{"lr", "batch-size", "optimizer"}));
    }

    // ---- Parsing: success, or the error's column and what it says ----

    void compile_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<int>("column"); // 0: compiles
        QTest::addColumn<QString>("message");

        auto good = [](const char *e) { QTest::newRow(e) << QString::fromUtf8(e) << 0 << ""; };
        good("");
        good("   ");
        good("accuracy > 0.9");
        good("accuracy > 0.9 AnD lr < 0.01 oR NOT status == failed");
        good("accuracy >= 0.5 and not (lr in (0.1, 0.01) or optimizer ~ ad)");
        good("params.`batch-size` > 1 && metrics.`val/acc` <= 1 || !has(loss)");
        good("entry == train || status != FAILED");
        good("has(name) and has(exit_code) and has(duration)");
        good("min(loss) < max(loss) and count(`val/acc`) > 0");
        good("lr == 1e-3 or lr > -1 or lr < +2 or lr = .5");
        good("duration < 1h30m and duration > 90s and duration != 250ms");
        good("started >= 2024-05-31 and started < '2024-06-01 14:00'");
        good("name contains 'x' and name not contains y and note not ~ z");
        good("optimizer not in (adam, 'sgd', 3)");
        good("0.9 < accuracy");
        good("accuracy > `val/acc`");
        good("run.name == metrics.loss");

        auto bad = [](const char *e, int column, const char *message) {
            QTest::newRow(e) << QString::fromUtf8(e) << column << QString::fromUtf8(message);
        };
        bad("accuracy >", 11, "expected a value after '>'");
        bad("accuracy > ", 12, "expected a value after '>'");
        bad("accuracy > )", 12, "expected a value after '>', not ')'");
        bad("acuracy > 0.9", 1, "unknown name \"acuracy\" (did you mean \"accuracy\"?)");
        bad("has(los)", 5, "unknown name \"los\" (did you mean \"loss\"?)");
        bad("statis == failed", 1, "unknown name \"statis\" (did you mean \"status\"?)");
        bad("accuracy > 0.9 and", 19, "expected a metric, param or field name after 'and'");
        bad("accuracy > 0.9 lr < 1", 16, "expected 'and' or 'or' before \"lr\"");
        bad("(accuracy > 0.9", 16, "expected ')' to close the '(' at column 1");
        bad("accuracy > 0.9)", 15, "')' without a matching '('");
        bad("name == 'abc", 9, "the text opened with ' is not closed");
        bad("`val/acc > 1", 1, "the name opened with ` is not closed");
        bad("`` > 1", 1, "empty name");
        bad("accuracy > abc", 12, "\"accuracy\" is a metric, and \"abc\" is not a number");
        bad("status == faild", 11, "unknown status \"faild\" (did you mean \"failed\"?)");
        bad("accuracy # 1", 10, "unexpected character '#'");
        bad("accuracy > 0.9 & lr < 1", 16, "unexpected '&'");
        bad("min(lr) > 1", 5, "min(), max() and count() take a metric, and \"lr\" is a param");
        bad("metrics.lr > 1", 1, "no run has a metric \"lr\"");
        bad("params.acuracy > 1", 1, "no run has a param \"acuracy\"");
        bad("params. > 1", 1, "expected a name after \"params.\"");
        bad("run.nmae ~ x", 1, "unknown field \"nmae\" (did you mean \"name\"?)");
        bad("started > 5", 11, "started is a date and time, not a number");
        bad("started > yesterday", 11, "\"yesterday\" is not a date");
        bad("duration > long", 12, "\"long\" is not a duration");
        bad("exit_code == x", 14, "is not a number");
        bad("accuracy ~ 9", 10, "~ looks for text, and \"accuracy\" is a metric");
        bad("1 < 2", 1, "must be a metric, param or field name");
        bad("'a' in (b)", 1, "expected a metric, param or field name before in");
        bad("name in ()", 10, "expected a value after '(', not ')'");
        bad("name in (a b)", 12, "expected ',' or ')'");
        bad("name in (`loss`)", 10, "expected a value, not the name `loss`");
        bad("accuracy", 9, "expected an operator (==, !=, <, <=, >, >=, ~, in) after \"accuracy\"");
        bad("max(loss)", 10, "after \"max(loss)\"");
        bad("max(loss > 1", 10, "expected ')'");
        bad("not", 4, "expected a metric, param or field name after 'not'");
        bad("accuracy > -", 13, "expected a number after '-'");
        bad("accuracy > 1e999", 12, "the number 1e999 is out of range");
        bad("x' OR 1=1 --", 2, "the text opened with ' is not closed");
        bad("accuracy > 0.9 and ((((", 24, "expected a metric, param or field name after '('");
    }

    void compile()
    {
        QFETCH(QString, expression);
        QFETCH(int, column);
        QFETCH(QString, message);
        const auto f = compileRunFilter(expression, m_ctx);
        if (column == 0) {
            QVERIFY2(f, qPrintable(f ? QString() : f.error().toString()));
            QCOMPARE(placeholders(f->where), f->values.size());
            QVERIFY(idsOf(*f).has_value());
            return;
        }
        QVERIFY2(!f, qPrintable(f ? f->where : QString()));
        QCOMPARE(f.error().column, column);
        QVERIFY2(f.error().message.startsWith(QString("at column %1: ").arg(column)),
                 qPrintable(f.error().message));
        QVERIFY2(f.error().message.contains(message), qPrintable(f.error().message));
        QVERIFY(!f.error().hint.isEmpty());
    }

    void didYouMean_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("message");
        QTest::newRow("metric") << "acuracy > 0.9"
                                << "at column 1: unknown name \"acuracy\" (did you mean "
                                   "\"accuracy\"?)";
        QTest::newRow("param") << "x > 1 and optimiser == adam"
                               << "at column 11: unknown name \"optimiser\" (did you mean "
                                  "\"optimizer\"?)";
        QTest::newRow("field") << "durration > 5"
                               << "at column 1: unknown name \"durration\" (did you mean "
                                  "\"duration\"?)";
        QTest::newRow("nothing close") << "zzz > 1"
                                       << "at column 1: unknown name \"zzz\"";
        // Only metrics are suggested inside max(), though the field "status" is closer.
        QTest::newRow("aggregate") << "max(stats) > 1"
                                   << "at column 5: unknown name \"stats\"";
        QTest::newRow("aggregate metric") << "max(los) > 1"
                                          << "at column 5: unknown name \"los\" (did you mean "
                                             "\"loss\"?)";
        QTest::newRow("status value") << "status != finised"
                                      << "at column 11: unknown status \"finised\" (did you "
                                         "mean \"finished\"?)";
    }

    void didYouMean()
    {
        QFETCH(QString, expression);
        QFETCH(QString, message);
        FilterContext ctx = m_ctx;
        ctx.metrics.insert("x");
        const auto f = compileRunFilter(expression, ctx);
        QVERIFY(!f);
        QCOMPARE(f.error().message, message);
    }

    void nestingIsLimited()
    {
        for (const QString &e : QStringList{QString(10000, u'('), QString(10000, u'!') + "has(lr)",
                                            QString(200, u'(') + "has(lr)" + QString(200, u')')}) {
            const auto f = compileRunFilter(e, m_ctx);
            QVERIFY(!f);
            QVERIFY2(f.error().message.contains("nests too deeply"), qPrintable(f.error().message));
        }
        // Just under the limit still compiles and runs.
        const auto ok = compileRunFilter(QString(60, u'(') + "has(lr)" + QString(60, u')'), m_ctx);
        QVERIFY(ok);
        QCOMPARE(idsOf(*ok), (Ids{1, 2, 3, 4, 6, 7, 9}));
    }

    void sizeIsLimited()
    {
        // 256 comparisons compile into SQL SQLite accepts; more are refused, not crashed on.
        QStringList terms;
        for (int i = 0; i < 256; ++i)
            terms.append(QString("accuracy > %1").arg(i));
        const auto f = compileRunFilter(terms.join(" or "), m_ctx);
        QVERIFY2(f, qPrintable(f ? QString() : f.error().toString()));
        QCOMPARE(idsOf(*f), (Ids{1, 2, 3, 4, 6, 10}));
        terms.append("has(lr)");
        const auto tooMany = compileRunFilter(terms.join(" or "), m_ctx);
        QVERIFY(!tooMany);
        QVERIFY(tooMany.error().message.contains("more than 256 comparisons"));

        QStringList values;
        for (int i = 0; i < 1000; ++i)
            values.append(QString::number(i));
        const auto list = compileRunFilter("id in (" + values.join(',') + ")", m_ctx);
        QVERIFY(list);
        QCOMPARE(idsOf(*list)->size(), 10);
        const auto longList = compileRunFilter("id in (" + values.join(',') + ", 1001)", m_ctx);
        QVERIFY(!longList);
        QVERIFY(longList.error().message.contains("more than 1000 values"));

        const QString huge(60000, u'x');
        const auto contains = compileRunFilter("name ~ '" + huge + "'", m_ctx);
        QVERIFY(!contains);
        QVERIFY(contains.error().message.contains("too long"));
        QCOMPARE(idsOf(textFilter(huge)), Ids{});
    }

    // ---- End to end: the exact runs each filter selects from a real project database ----

    void select_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<Ids>("ids");
        auto row = [](const QString &e, const Ids &ids) {
            QTest::newRow(qPrintable(e)) << e << ids;
        };

        // The issue's examples.
        row("accuracy > 0.9 and lr < 0.01", {2, 3, 4});
        row("status == failed", {3, 5});
        row("optimizer == adam or optimizer = 'sgd'", {1, 2, 3, 4, 8, 10});
        row("`val/acc` >= 0.5", {2, 4});
        row("params.batch-size = 64", {2, 3, 7}); // "64.0" is 64 too
        row("not (loss < 0.2)", {1, 3, 5, 6, 7, 8, 9, 10});
        row("max(loss) > 1", {1, 3, 4, 6, 10});
        row("has(lr)", {1, 2, 3, 4, 6, 7, 9});
        row("name ~ baseline", {1, 2});
        row("entry_point in (train, tune)", {1, 2, 3, 4, 6, 7, 8, 9, 10});
        row("duration > 60", {2, 4, 6, 8}); // 6 is running: 100 s to "now"; 9 is lost, never ended

        // A run without the metric or param (or with a NaN latest value) matches no comparison,
        // != and not in included; `not` of a comparison does include it.
        row("loss >= 0.2", {1, 3, 10});
        row("loss < 0.2 or loss >= 0.2", {1, 2, 3, 4, 10});
        row("accuracy != 0.95", {1, 3, 4, 6, 10});
        row("optimizer != adam", {1, 4, 5, 10});
        row("not (optimizer == adam)", {1, 4, 5, 6, 7, 9, 10});
        row("exit_code != 0", {3, 5});
        row("not (exit_code == 0)", {3, 5, 6, 7, 8, 9});
        row("loss < max(loss)", {1, 2, 3, 4});

        // Keywords and operators ignore case and have symbolic forms.
        row("accuracy > 0.9 AND lr < 0.01", {2, 3, 4});
        row("status == FAILED Or name CONTAINS TUNED", {3, 4, 5});
        row("NOT has(loss) && has(lr)", {7, 9});
        row("!has(loss) || id in (1)", {1, 5, 7, 8, 9});
        row("not not has(lr) and not (has(loss))", {7, 9});

        // Params: numbers when the other side is a number and the value reads as one.
        row("params.batch-size < 100", {1, 2, 3, 6, 7}); // not "auto"
        row("batch-size == auto", {8});
        row("batch-size in (64, 128)", {2, 3, 4, 7});
        row("batch-size not in (64, auto)", {1, 4, 6});
        row("lr > 1e-3", {1, 3, 6, 9});
        row("lr == 0.001", {2, 7}); // "0.001" and "1e-3"
        row("lr > -1", {1, 2, 3, 4, 6, 7, 9});
        row("optimizer in (adam, sgd)", {1, 2, 3, 4, 8, 10});
        row("optimizer not contains A", {1, 4, 5, 10});
        row("params.`batch-size` >= 128", {4});

        // Metrics: latest value, range and count.
        row("0.9 < accuracy", {2, 3, 4, 6});
        row("accuracy > `val/acc`", {1, 2, 4});
        row("metrics.val/acc < 0.5", {1});
        row("count(accuracy) >= 10", {1, 2, 4});
        row("min(accuracy) < 0.6", {1, 3, 10});
        row("count(loss) == 3", {3, 6});
        row("accuracy in (0.5, 0.8)", {1, 10});
        row("has(`val/acc`)", {1, 2, 4});

        // Fields.
        row("duration >= 1m", {2, 4, 6, 8, 10});
        row("duration > 1.5m and duration < 1h", {2, 4, 6});
        row("duration < 1e6", {1, 2, 3, 4, 5, 6, 8, 10});
        row("duration > 60 and status != running", {2, 4, 8});
        row("status in (queued, running)", {6, 7});
        row("status not in (queued, running)", {1, 2, 3, 4, 5, 8, 9, 10});
        row("git_branch == feature/x", {10});
        row("has(git_branch)", {1, 2, 4, 6, 10});
        row("has(exit_code)", {1, 2, 3, 4, 5, 10});
        row("has(note) or has(id)", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        row("has(note)", {1, 9});
        row("not has(git_commit)", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        row("exit_code > 0.5", {3, 5});
        row("entry == tune", {4, 8});
        row("id in (1, 3, 99)", {1, 3});
        row("run.name ~ wide", {3});
        row("note ~ '50%'", {9});
        row("note ~ '%'", {9}); // % and _ are literal
        row("name ~ '_'", {9});
        row("name == 'o\\'brien'", {8});
        row("name ~ \"'\"", {8});
        const QString day = localDate(T0, "yyyy-MM-dd");
        const QString nextDay = localDate(T0 + 86400000, "yyyy-MM-dd");
        const QString minute = localDate(T0 + 900000, "yyyy-MM-dd HH:mm");
        row("started == " + day, {1, 2, 3, 4, 5, 6, 8, 9, 10});
        row("started < " + day, {});
        row("started > " + day, {});
        row("started <= " + day, {1, 2, 3, 4, 5, 6, 8, 9, 10});
        row("started < " + nextDay + " and started >= " + day, {1, 2, 3, 4, 5, 6, 8, 9, 10});
        row("started == '" + minute + "'", {6});
        row("started >= '" + minute + "'", {6});
        row("started != '" + minute + "'", {1, 2, 3, 4, 5, 8, 9, 10});
        row("started in (" + day + ")", {1, 2, 3, 4, 5, 6, 8, 9, 10});

        // Values are bound, never spliced: SQL in a value is just text.
        row("name == \"x' OR 1=1 --\"", {});
        row("name == 'x\" OR 1=1 --'", {});
        row("optimizer == \"adam' OR '1'='1\"", {});
    }

    void select()
    {
        QFETCH(QString, expression);
        QFETCH(Ids, ids);
        const auto f = compileRunFilter(expression, m_ctx);
        QVERIFY2(f, qPrintable(f ? QString() : f.error().toString()));
        QCOMPARE(placeholders(f->where), f->values.size());
        const auto got = idsOf(*f);
        QVERIFY(got);
        QCOMPARE(*got, ids);
        const QString problems = planProblems(*f);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    // Which param texts compare as numbers: a number-like text, never words that CAST turns
    // into 0.
    void paramNumbers_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("number");
        for (const char *v : {"64", "64.0", "-1e-3", "1E5", ".5", "+5", "-.5", "0"})
            QTest::newRow(v) << QString::fromUtf8(v) << true;
        for (const char *v : {"auto", "e1", "", "-", ".", "+e", "5 ", " 5", "0x10", "inf", "nan",
                              "true", "1,5", "5px"})
            QTest::newRow(v) << QString::fromUtf8(v) << false;
    }

    void paramNumbers()
    {
        QFETCH(QString, value);
        QFETCH(bool, number);
        exec("INSERT INTO runs (id, uuid, entry_point, command, status, created_ms) "
             "VALUES (100, 'u100', 'e', 'c', 'queued', 0)",
             {});
        exec("INSERT INTO params (run_id, key, value) VALUES (100, 'lr', ?)", {value});
        const auto below = compileRunFilter("lr > -1000 and lr < 1000000 and id == 100", m_ctx);
        const auto text = compileRunFilter("lr == '" + value + "' and id == 100", m_ctx);
        const auto got = below ? idsOf(*below) : std::nullopt;
        const auto asText = text ? idsOf(*text) : std::nullopt;
        exec("DELETE FROM runs WHERE id = 100", {});
        QVERIFY(got && asText);
        QCOMPARE(*got, number ? Ids{100} : Ids{});
        QCOMPARE(*asText, Ids{100}); // text comparison always works
    }

    void durationIsMeasuredToNow()
    {
        FilterContext ctx = m_ctx;
        ctx.now = QDateTime::fromMSecsSinceEpoch(T0 + 950 * 1000); // run 6 has run 50 s
        const auto f = compileRunFilter("duration > 60", ctx);
        QVERIFY(f);
        QCOMPARE(idsOf(*f), (Ids{2, 4, 8}));
        QVERIFY(f->values.contains(QVariant::fromValue(T0 + 950 * 1000)));
    }

    // A bare name is a metric before a param before a field; prefixes pick one.
    void namePrecedence()
    {
        FilterContext ctx = m_ctx;
        ctx.params.insert("accuracy"); // known as a param too, though no run has it
        ctx.params.insert("status");
        auto ids = [&](const char *e) -> std::optional<Ids> {
            const auto f = compileRunFilter(QString::fromUtf8(e), ctx);
            if (!f) {
                qWarning() << f.error().toString();
                return std::nullopt;
            }
            return idsOf(*f);
        };
        QCOMPARE(ids("accuracy > 0.9"), (Ids{2, 3, 4, 6}));
        QCOMPARE(ids("params.accuracy > 0.9"), Ids{});
        QCOMPARE(ids("has(accuracy)"), (Ids{1, 2, 3, 4, 6, 10})); // the metric or the param
        QCOMPARE(ids("status == failed"), Ids{});                 // the param shadows the field
        QCOMPARE(ids("run.status == failed"), (Ids{3, 5}));
        QCOMPARE(ids("`status` == failed"), Ids{});
    }

    void namesAndValuesAreBound()
    {
        const auto f = compileRunFilter("`val/acc` >= 0.5 and optimizer == adam and name ~ baseline"
                                        " and params.batch-size < 100 and has(loss)",
                                        m_ctx);
        QVERIFY(f);
        QCOMPARE(idsOf(*f), Ids{2});
        for (const char *typed :
             {"val/acc", "optimizer", "adam", "baseline", "batch-size", "loss", "0.5", "100"})
            QVERIFY2(!f->where.contains(QLatin1String(typed)), typed);
        QVERIFY(f->values.contains(QVariant(QString("val/acc"))));
        QVERIFY(f->values.contains(QVariant(QString("%baseline%"))));

        // Hostile metric and param names are values like any other.
        FilterContext ctx = m_ctx;
        const QString evil = "x'); DROP TABLE runs; --";
        ctx.metrics.insert(evil);
        ctx.params.insert(evil + "p");
        const auto g = compileRunFilter("`x'); DROP TABLE runs; --` > 1 or has(`x'); DROP TABLE "
                                        "runs; --`) or params.`x'); DROP TABLE runs; --p` == \"'\"",
                                        ctx);
        QVERIFY2(g, qPrintable(g ? QString() : g.error().toString()));
        QVERIFY(!g->where.contains("DROP"));
        QCOMPARE(idsOf(*g), Ids{});
        QCOMPARE(idsOf(SqlFilter{})->size(), 10);
    }

    void emptyMatchesAll()
    {
        for (const char *e : {"", "  \t "}) {
            const auto f = compileRunFilter(QString::fromUtf8(e), m_ctx);
            QVERIFY(f);
            QVERIFY(f->matchesAll());
            QCOMPARE(idsOf(*f)->size(), 10);
        }
    }

    void freeText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<Ids>("ids");
        auto row = [](const char *t, const Ids &ids) {
            QTest::newRow(t) << QString::fromUtf8(t) << ids;
        };
        row("baseline", {1, 2});
        row("ADAM", {2, 3, 8}); // a param value, any case
        row("rmsprop", {5});
        row("tune", {4, 8});   // entry point, command, name
        row("epochs", {10});   // command
        row("feature/", {10}); // git branch
        row("first try", {1}); // note; every word must match
        row("baseline adam", {2});
        row("100%", {9}); // % is literal, so not "100xxdone"
        row("%", {9});
        row("_", {9});
        row("o'brien", {8});
        row("x' OR 1=1 --", {});
        row("nothing-like-this", {});
        row("", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        row("   ", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    }

    void freeText()
    {
        QFETCH(QString, text);
        QFETCH(Ids, ids);
        const SqlFilter f = textFilter(text);
        QCOMPARE(placeholders(f.where), f.values.size());
        QCOMPARE(idsOf(f), ids);
        // Free text looks through every param value (no index can serve a substring), but never
        // through the metrics.
        const QString problems = planProblems(f, true);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void statuses()
    {
        QCOMPARE(idsOf(statusFilter({RunStatus::Failed, RunStatus::Lost})), (Ids{3, 5, 9}));
        QCOMPARE(idsOf(statusFilter({RunStatus::Running, RunStatus::Running})), Ids{6});
        QCOMPARE(idsOf(statusFilter({RunStatus::Queued})), Ids{7});
        QVERIFY(statusFilter({}).matchesAll());
        QCOMPARE(idsOf(statusFilter({}))->size(), 10);
        QVERIFY(planProblems(statusFilter({RunStatus::Failed})).isEmpty());
    }

    void combined()
    {
        const auto expr = compileRunFilter("accuracy > 0.9", m_ctx);
        QVERIFY(expr);
        const SqlFilter all =
            combine({*expr, SqlFilter{}, statusFilter({RunStatus::Finished}), textFilter("tuned")});
        QCOMPARE(placeholders(all.where), all.values.size());
        QCOMPARE(idsOf(all), Ids{4});
        QCOMPARE(idsOf(combine({*expr, statusFilter({RunStatus::Finished})})), (Ids{2, 4}));
        // An `or` inside one part does not leak into the others.
        const auto either = compileRunFilter("status == failed or status == lost", m_ctx);
        QVERIFY(either);
        QCOMPARE(idsOf(combine({*either, textFilter("smoke")})), Ids{5});
        QVERIFY(combine({}).matchesAll());
        QVERIFY(combine({SqlFilter{}, textFilter(" ")}).matchesAll());
        QCOMPARE(combine({SqlFilter{}, statusFilter({RunStatus::Failed})}).values.size(), 1);
    }

    void bindsAfterTheCallersValues()
    {
        const auto f = compileRunFilter("optimizer == adam or has(`val/acc`)", m_ctx);
        QVERIFY(f);
        auto s = m_db->prepare(QString(u"SELECT id FROM runs WHERE id > ? AND (" + f->where +
                                       u") AND id < ? ORDER BY id"));
        QVERIFY(s);
        s->bind(1, 2);
        const int next = bindFilter(*s, *f, 2);
        QCOMPARE(next, 2 + int(f->values.size()));
        s->bind(next, 9);
        Ids ids;
        while (s->step().value_or(false))
            ids.append(s->int64(0));
        QCOMPARE(ids, (Ids{3, 4, 8}));
    }

    void queryPlanUsesIndexes()
    {
        const auto f = compileRunFilter("accuracy > 0.9 and lr < 0.01", m_ctx);
        QVERIFY(f);
        const QStringList plan = queryPlan(*f);
        qInfo().noquote() << "WHERE" << f->where << "\nEXPLAIN QUERY PLAN:\n " << plan.join("\n  ");
        const QString all = plan.join('\n');
        QVERIFY2(all.contains("latest_metrics_key_value (key_id=? AND value>?)"), qPrintable(all));
        QVERIFY2(all.contains("params_key_value (key=?)"), qPrintable(all));
        QVERIFY2(all.contains("sqlite_autoindex_metric_keys_1 (name=?)"), qPrintable(all));
        QVERIFY2(planProblems(*f).isEmpty(), qPrintable(planProblems(*f)));
        // And the check itself notices a scan of the points.
        QVERIFY(!planProblems(SqlFilter{"runs.id IN (SELECT m.run_id FROM metric_blocks m)", {}})
                     .isEmpty());
        QVERIFY(!planProblems(SqlFilter{"runs.id IN (SELECT l.run_id FROM latest_metrics l "
                                        "WHERE l.value > 1)",
                                        {}})
                     .isEmpty());
    }

    // Random strings from a small alphabet of tokens: every one compiles into SQL that runs, or
    // is refused with a column inside the expression. Never a crash (run it under ASan).
    void fuzz()
    {
        // Single tokens, and whole comparisons so that joins of them are often valid.
        static const char *const alphabet[] = {"accuracy",
                                               "lr",
                                               "loss",
                                               "`val/acc`",
                                               "params.batch-size",
                                               "metrics.",
                                               "params.`",
                                               "run.name",
                                               "status",
                                               "duration",
                                               "started",
                                               "name",
                                               "id",
                                               "note",
                                               "optimizer",
                                               "min(",
                                               "max",
                                               "count",
                                               "has",
                                               "has(",
                                               "(",
                                               ")",
                                               ",",
                                               "and",
                                               "or",
                                               "not",
                                               "AND",
                                               "!",
                                               "&&",
                                               "||",
                                               "&",
                                               "|",
                                               "<",
                                               "<=",
                                               ">",
                                               ">=",
                                               "==",
                                               "=",
                                               "!=",
                                               "<>",
                                               "~",
                                               "contains",
                                               "in",
                                               "in (",
                                               "0.9",
                                               "-",
                                               "+",
                                               "1e-3",
                                               "1e999",
                                               "64",
                                               ".5",
                                               "'x",
                                               "'",
                                               "\"",
                                               "\"a b\"",
                                               "`",
                                               "``",
                                               "\\",
                                               "failed",
                                               "faild",
                                               "2024-01-01",
                                               "5m",
                                               "1h30m",
                                               " ",
                                               "",
                                               "\xc3\xa9",
                                               "\t",
                                               "%",
                                               "_",
                                               "?",
                                               ";",
                                               "'; DROP TABLE runs; --",
                                               "#",
                                               "%1",
                                               "\xe2\x82\xac",
                                               "\xf0\x9f\x98\x80",
                                               "0x10",
                                               "NaN",
                                               "\x01",
                                               "accuracy > 0.9",
                                               "has(lr)",
                                               "status == failed",
                                               "lr < 1e-3",
                                               "name ~ base",
                                               "optimizer in (adam, sgd)",
                                               "duration > 5m",
                                               "max(loss) >= 1",
                                               " and ",
                                               " or ",
                                               " not ",
                                               "not ",
                                               "(",
                                               ")"};
        QRandomGenerator rng(20240531);
        int compiled = 0;
        for (int i = 0; i < 10000; ++i) {
            QString e;
            const int n = int(rng.bounded(1, 8));
            for (int k = 0; k < n; ++k) {
                e += QString::fromUtf8(alphabet[rng.bounded(int(std::size(alphabet)))]);
                if (rng.bounded(2) == 0)
                    e += u' ';
            }
            const auto f = compileRunFilter(e, m_ctx);
            if (f) {
                ++compiled;
                QCOMPARE(placeholders(f->where), f->values.size());
                QVERIFY2(idsOf(*f), qPrintable(e + " -> " + f->where));
            } else {
                const Error &err = f.error();
                QVERIFY2(err.column >= 1 && err.column <= e.size() + 1, qPrintable(e));
                QVERIFY2(err.message.startsWith(QString("at column %1: ").arg(err.column)),
                         qPrintable(err.message));
                QVERIFY(!err.hint.isEmpty());
            }
        }
        qInfo() << compiled << "of 10000 random strings compiled";
        QVERIFY(compiled > 100); // both paths are exercised (207 with this seed)
        QCOMPARE(idsOf(SqlFilter{})->size(), 10);
    }

    // Random well-formed filters: every one compiles, runs, and uses indexes.
    void generatedFilters()
    {
        QRandomGenerator rng(7);
        auto pick = [&](std::initializer_list<const char *> options) {
            return QString::fromUtf8(options.begin()[rng.bounded(int(options.size()))]);
        };
        auto number = [&] { return QString::number(rng.bounded(-200, 200) / 37.0); };
        const QString day = localDate(T0, "yyyy-MM-dd");
        auto predicate = [&]() -> QString {
            switch (rng.bounded(7)) {
            case 0: // numbers
                return pick({"accuracy", "loss", "`val/acc`", "metrics.loss", "min(loss)",
                             "max(accuracy)", "count(`val/acc`)", "lr", "params.batch-size", "id",
                             "exit_code", "duration"}) +
                       pick({" < ", " <= ", " > ", " >= ", " == ", " = ", " != ", " <> "}) +
                       number();
            case 1:
                return pick({"accuracy", "lr", "id", "duration", "count(loss)"}) +
                       pick({" in (", " not in (", " IN ("}) + number() + ", " + number() + ")";
            case 2: // text
                return pick({"name", "entry", "note", "git_branch", "optimizer", "batch-size",
                             "run.entry_point"}) +
                       pick({" == ", " != ", " ~ ", " contains ", " not ~ ", " < "}) +
                       pick({"adam", "'sgd'", "\"x' y\"", "'%'", "_", "baseline", "64", "1e-3"});
            case 3:
                if (rng.bounded(2) == 0)
                    return "status" + pick({" == ", " != ", " ~ "}) +
                           pick({"failed", "'RUNNING'", "queued", "lost"});
                return "status" + pick({" in (", " not in ("}) +
                       pick({"failed", "'RUNNING'", "queued"}) + ", lost)";
            case 4:
                return "started" + pick({" < ", " <= ", " > ", " >= ", " == ", " != "}) + day;
            case 5:
                return "has(" +
                       pick({"lr", "loss", "`val/acc`", "params.optimizer", "note", "exit_code"}) +
                       ")";
            default: // two names
                return pick({"accuracy", "loss", "lr", "duration", "name"}) +
                       pick({" < ", " >= ", " != "}) +
                       pick({"`val/acc`", "max(loss)", "params.batch-size", "optimizer"});
            }
        };
        std::function<QString(int)> expression = [&](int depth) -> QString {
            switch (depth > 3 ? 3 : rng.bounded(5)) {
            case 0:
                return expression(depth + 1) + pick({" and ", " AND ", " && "}) +
                       expression(depth + 1);
            case 1:
                return expression(depth + 1) + pick({" or ", " || "}) + expression(depth + 1);
            case 2:
                return pick({"not (", "!(", "("}) + expression(depth + 1) + ")";
            default:
                return predicate();
            }
        };
        for (int i = 0; i < 2000; ++i) {
            const QString e = expression(0);
            const auto f = compileRunFilter(e, m_ctx);
            QVERIFY2(f, qPrintable(e + " -> " + (f ? QString() : f.error().toString())));
            QCOMPARE(placeholders(f->where), f->values.size());
            QVERIFY2(idsOf(*f), qPrintable(e + " -> " + f->where));
            if (i % 10 == 0) {
                const QString problems = planProblems(*f);
                QVERIFY2(problems.isEmpty(), qPrintable(e + ": " + problems));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestRunFilter)
#include "tst_runfilter.moc"
