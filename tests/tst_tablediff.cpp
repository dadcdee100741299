// The table diff engine (core/diff/tablediff.h) and its outputs: daff's highlighter format on
// daff's own example, keyed and keyless alignment of generated edits (exact counts, true pairs
// only), the traps daff falls into, typed cell rules, schema changes and errors.

#include "data/csvreader.h"
#include "diff/tablediff.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <numeric>
#include <random>

using namespace cairn;
using namespace cairn::diff;
using namespace Qt::StringLiterals;

namespace {

Table tableOf(const QByteArray &csv, const QString &name)
{
    auto t = readTableBytes(csv, name);
    if (!t)
        qFatal("cannot read %s: %s", qPrintable(name), qPrintable(t.error().toString()));
    return *t;
}

TableDiff diffOf(const Table &a, const Table &b, const TableDiffOptions &options = {})
{
    auto d = diffTables(a, b, options);
    if (!d)
        qFatal("diff failed: %s", qPrintable(d.error().toString()));
    return *d;
}

TableDiffOptions keyed(const QStringList &keys)
{
    TableDiffOptions o;
    o.keys = keys;
    return o;
}

const QByteArray kDaffA = "id,name,score,split\n1,alice,0.91,train\n2,bob,0.85,train\n"
                          "3,carol,0.77,val\n4,dave,0.66,test\n5,erin,0.59,train\n";
const QByteArray kDaffB =
    "id,name,score,split,label\n1,alice,0.91,train,cat\n2,bob,0.88,train,"
    "dog\n4,dave,0.66,test,cat\n5,erin,0.59,val,dog\n6,frank,0.70,train,cat\n";
const QByteArray kDaffExpected = "!,,,,,+++\n"
                                 "@@,id,name,score,split,label\n"
                                 "+,1,alice,0.91,train,cat\n"
                                 "->,2,bob,0.85->0.88,train,dog\n"
                                 "---,3,carol,0.77,val,NULL\n"
                                 "+,4,dave,0.66,test,cat\n"
                                 "->,5,erin,0.59,train->val,dog\n"
                                 "+++,6,frank,0.70,train,cat\n";

// A seeded table and an edited copy: `modify` rows get 1 or 2 cells changed, `remove` rows are
// deleted, `insert` new rows (new ids, fresh values) go in at random places. Nothing is shuffled.
struct Edited
{
    QByteArray a;
    QByteArray b;
    QHash<qint64, QSet<QString>> changed; // id -> changed columns
    int removed = 0;
    int inserted = 0;
};

Edited generate(int rows, int modify, int remove, int insert, unsigned seed, qint64 idStep = 1)
{
    std::mt19937 g(seed);
    std::uniform_real_distribution<double> u(0, 1);
    const QStringList cats = {"red", "green", "blue", "cyan", "plum"};
    const QStringList names = {"id", "x", "y", "n", "cat", "label"};
    auto fresh = [&](qint64 id) {
        return QStringList{QString::number(id * idStep),
                           QString::number(u(g) * 100, 'f', 4),
                           QString::number(u(g) * 10 - 5, 'f', 3),
                           QString::number(int(u(g) * 1000)),
                           cats[int(u(g) * 5)],
                           "user" + QString::number(int(u(g) * 1e6))};
    };
    QList<QStringList> a;
    for (int r = 0; r < rows; ++r)
        a << fresh(r + 1);
    std::vector<int> order(static_cast<std::size_t>(rows));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), g);
    Edited e;
    QList<QStringList> b = a;
    QSet<int> drop;
    for (int k = 0; k < modify; ++k) {
        QStringList &row = b[order[std::size_t(k)]];
        const int cells = 1 + int(u(g) * 2);
        QSet<QString> &changed = e.changed[row[0].toLongLong()];
        while (changed.size() < cells) {
            const int c = 1 + int(u(g) * 5);
            if (changed.contains(names[c]))
                continue;
            changed << names[c];
            if (c == 1 || c == 2)
                row[c] = QString::number(row[c].toDouble() + 1.5, 'f', 4);
            else if (c == 3)
                row[c] = QString::number(row[c].toInt() + 1);
            else if (c == 4)
                row[c] = cats[(cats.indexOf(row[c]) + 1) % 5];
            else
                row[c] += "z";
        }
    }
    for (int k = modify; k < modify + remove; ++k)
        drop << order[std::size_t(k)];
    QList<QStringList> kept;
    for (int r = 0; r < rows; ++r) {
        if (!drop.contains(r))
            kept << b[r];
    }
    for (int k = 0; k < insert; ++k)
        kept.insert(int(u(g) * double(kept.size() + 1)), fresh(rows + 1 + k));
    e.removed = remove;
    e.inserted = insert;
    auto csv = [&](const QList<QStringList> &t) {
        QByteArray out = names.join(',').toUtf8() + '\n';
        for (const QStringList &row : t)
            out += row.join(',').toUtf8() + '\n';
        return out;
    };
    e.a = csv(a);
    e.b = csv(kept);
    return e;
}

// Every modified row pairs the same id, with exactly the columns the generator changed.
void checkTruePairs(const TableDiff &d, const Table &a, const Table &b, const Edited &e)
{
    const Column *idA = a.column(u"id");
    const Column *idB = b.column(u"id");
    QCOMPARE(d.changed.size(), std::size_t(e.changed.size()));
    for (std::size_t k = 0; k < d.changed.size(); ++k) {
        const ChangedRow &row = d.changed[k];
        const qint64 id = idA->ints[std::size_t(row.a)];
        QCOMPARE(idB->ints[std::size_t(row.b)], id);
        QSet<QString> cols;
        for (std::uint32_t c : d.changedCells(k))
            cols << d.columns[qsizetype(c)].name;
        QCOMPARE(cols, e.changed.value(id));
    }
}

// A random table and an edited copy for the two engines: an int id, floats with missing values,
// ints (with a missing value: float), strings, bools, duplicated rows; b renames, retypes, drops
// and adds columns, edits cells, deletes and inserts rows.
struct RandomPair
{
    QByteArray a;
    QByteArray b;
    bool keyed = false;
    TableDiffOptions options;
};

RandomPair randomPair(unsigned seed)
{
    std::mt19937 g(seed);
    auto below = [&](int n) { return int(g() % unsigned(n)); };
    const int rows = 1 + below(400);
    QStringList header = {"id", "x", "n", "cat", "flag", "label", "dropme"};
    auto value = [&](int c, int id) -> QString {
        switch (c) {
        case 0:
            return QString::number(id);
        case 1:
            return below(8) == 0 ? QString() : QString::number(below(50) / 4.0, 'f', 2);
        case 2:
            return below(30) == 0 ? u"NA"_s : QString::number(below(20));
        case 3:
            return below(10) == 0 ? QString() : QStringList{"red", "green", "blue"}[below(3)];
        case 4:
            return below(2) ? u"True"_s : u"False"_s;
        case 5:
            return u"u%1"_s.arg(below(rows));
        default:
            return QString::number(below(5));
        }
    };
    QList<QStringList> a;
    for (int r = 0; r < rows; ++r) {
        QStringList row;
        for (int c = 0; c < int(header.size()); ++c)
            row << value(c, r + 1);
        a << row;
        if (below(20) == 0) { // a duplicate (keyless only: ids stay unique below)
            a << row;
            a.back()[0] = QString::number(rows + 1000 + r);
        }
    }
    QList<QStringList> b;
    for (const QStringList &row : a) {
        if (below(10) == 0)
            continue; // deleted
        QStringList out = row;
        for (int c = 1; c < int(header.size()); ++c) {
            if (below(12) == 0)
                out[c] = value(c, out[0].toInt());
        }
        b << out;
        if (below(15) == 0) { // inserted
            QStringList fresh;
            for (int c = 0; c < int(header.size()); ++c)
                fresh << value(c, 100000 + int(b.size()));
            b << fresh;
        }
    }
    if (below(3) == 0 && !b.isEmpty()) // a shuffled stretch
        std::shuffle(b.begin(), b.begin() + std::min<qsizetype>(b.size(), 30), g);
    QStringList headerB = header;
    const bool rename = below(2);
    const bool retype = below(2);
    if (rename)
        headerB[5] = u"label2"_s;
    if (retype && !b.isEmpty())
        b[below(int(b.size()))][2] = u"many"_s; // n becomes a string column
    // b drops "dropme" and gains "extra".
    auto csv = [&](QStringList names, QList<QStringList> t, bool isB) {
        if (isB) {
            names.removeLast();
            names << u"extra"_s;
            for (QStringList &row : t)
                row.last() = QString::number(below(3));
        }
        QByteArray out = names.join(u',').toUtf8() + '\n';
        for (const QStringList &row : t)
            out += row.join(u',').toUtf8() + '\n';
        return out;
    };
    RandomPair p;
    p.a = csv(header, a, false);
    p.b = csv(headerB, b, true);
    p.keyed = below(2);
    if (p.keyed)
        p.options.keys = QStringList{u"id"_s};
    p.options.tolerance = below(3) == 0 ? 0.3 : 0;
    p.options.ordered = below(4) != 0;
    return p;
}

bool sameDouble(double x, double y)
{
    return (std::isnan(x) && std::isnan(y)) || x == y;
}

// Every field of two diffs; the first difference, or an empty string.
QString differenceOf(const TableDiff &x, const TableDiff &y)
{
    if (x.sourceA != y.sourceA || x.sourceB != y.sourceB)
        return u"sources"_s;
    if (x.keys != y.keys || x.tolerance != y.tolerance)
        return u"keys or tolerance"_s;
    const SchemaDiff &s = x.schema;
    const SchemaDiff &t = y.schema;
    if (s.columnsA != t.columnsA || s.columnsB != t.columnsB || s.added != t.added ||
        s.removed != t.removed || s.renamed.size() != t.renamed.size() ||
        s.retyped.size() != t.retyped.size())
        return u"schema"_s;
    for (qsizetype k = 0; k < s.renamed.size(); ++k) {
        if (s.renamed[k].from != t.renamed[k].from || s.renamed[k].to != t.renamed[k].to)
            return u"renamed"_s;
    }
    for (qsizetype k = 0; k < s.retyped.size(); ++k) {
        if (s.retyped[k].name != t.retyped[k].name || s.retyped[k].from != t.retyped[k].from ||
            s.retyped[k].to != t.retyped[k].to)
            return u"retyped"_s;
    }
    if (x.columns.size() != y.columns.size())
        return u"column count"_s;
    auto sameStats = [](const ColumnStats &p, const ColumnStats &q) {
        return p.count == q.count && p.missing == q.missing && p.numeric == q.numeric &&
               sameDouble(p.min, q.min) && sameDouble(p.max, q.max) && sameDouble(p.mean, q.mean) &&
               p.distinct == q.distinct;
    };
    for (qsizetype c = 0; c < x.columns.size(); ++c) {
        const ColumnDiff &p = x.columns[c];
        const ColumnDiff &q = y.columns[c];
        if (p.name != q.name || p.oldName != q.oldName || p.a != q.a || p.b != q.b ||
            p.typeA != q.typeA || p.typeB != q.typeB || p.renamed != q.renamed ||
            p.retyped != q.retyped || p.key != q.key || p.cellsChanged != q.cellsChanged ||
            !sameStats(p.before, q.before) || !sameStats(p.after, q.after))
            return u"column %1"_s.arg(p.name);
    }
    if (x.bOfA != y.bOfA || x.aOfB != y.aOfB)
        return u"alignment"_s;
    if (x.rows.added != y.rows.added || x.rows.removed != y.rows.removed ||
        x.rows.modified != y.rows.modified || x.rows.unchanged != y.rows.unchanged ||
        x.cellsChanged != y.cellsChanged)
        return u"counts"_s;
    if (x.changed.size() != y.changed.size() || x.changedColumns != y.changedColumns)
        return u"changed cells"_s;
    for (std::size_t k = 0; k < x.changed.size(); ++k) {
        if (x.changed[k].a != y.changed[k].a || x.changed[k].b != y.changed[k].b ||
            x.changed[k].firstCell != y.changed[k].firstCell)
            return u"changed row %1"_s.arg(k);
    }
    return {};
}

} // namespace

class TestTableDiff : public QObject
{
    Q_OBJECT

private slots:
    void daffExampleExactOutput()
    {
        const Table a = tableOf(kDaffA, "a.csv");
        const Table b = tableOf(kDaffB, "b.csv");
        const TableDiff d = diffOf(a, b, keyed({"id"}));
        auto ta = CellText::fromBytes(kDaffA, a);
        auto tb = CellText::fromBytes(kDaffB, b);
        QVERIFY(ta && tb);
        QCOMPARE(tableDiffDaff(d, a, b, -1, {&*ta, &*tb}), kDaffExpected);
        // Keyless alignment finds the same pairs.
        QCOMPARE(tableDiffDaff(diffOf(a, b), a, b, -1, {&*ta, &*tb}), kDaffExpected);
        QCOMPARE(d.rows.added, 1);
        QCOMPARE(d.rows.removed, 1);
        QCOMPARE(d.rows.modified, 2);
        QCOMPARE(d.rows.unchanged, 2);
        QCOMPARE(d.cellsChanged, 2);
        QCOMPARE(d.schema.added, QStringList{"label"});
        // Without the text, numbers print as Python's repr.
        QVERIFY(tableDiffDaff(d, a, b).endsWith("+++,6,frank,0.7,train,cat\n"));
    }

    void daffContextAndQuoting()
    {
        QByteArray a = "k,v\n", b = "k,v\n";
        for (int r = 1; r <= 9; ++r) {
            a += QByteArray::number(r) + ",v" + QByteArray::number(r) + "\n";
            b += QByteArray::number(r) + ",v" + QByteArray::number(r) + (r == 5 ? "x" : "") + "\n";
        }
        a += "10,\"a,b\"\n11,x->y\n";
        b += "10,\"a,b\"\n11,x->y\n";
        const Table ta = tableOf(a, "a.csv");
        const Table tb = tableOf(b, "b.csv");
        const TableDiff d = diffOf(ta, tb, keyed({"k"}));
        // A cell holding "->" makes daff lengthen its separator.
        QCOMPARE(tableDiffDaff(d, ta, tb, 1), QByteArray("@@,k,v\n...,...,...\n,4,v4\n-->,5,"
                                                         "v5-->v5x\n,6,v6\n...,...,...\n"));
        const QByteArray all = tableDiffDaff(d, ta, tb, -1);
        QVERIFY(all.contains("\n,10,\"a,b\"\n"));
        QCOMPARE(all.count('\n'), 12);
        QCOMPARE(tableDiffDaff(d, ta, tb, 0), QByteArray("@@,k,v\n...,...,...\n-->,5,v5-->v5x\n"
                                                         "...,...,...\n"));
    }

    void keyedGeneratedEdits_data()
    {
        QTest::addColumn<qint64>("idStep");
        QTest::newRow("dense ids (array)") << qint64(1);
        QTest::newRow("sparse ids (hash table)") << qint64(1000000007);
    }
    void keyedGeneratedEdits()
    {
        QFETCH(qint64, idStep);
        const Edited e = generate(3000, 60, 25, 30, 7, idStep);
        const Table a = tableOf(e.a, "a.csv");
        const Table b = tableOf(e.b, "b.csv");
        const TableDiff d = diffOf(a, b, keyed({"id"}));
        QCOMPARE(d.rows.modified, 60);
        QCOMPARE(d.rows.removed, 25);
        QCOMPARE(d.rows.added, 30);
        QCOMPARE(d.rows.unchanged, 3000 - 60 - 25);
        qint64 cells = 0;
        for (const QSet<QString> &c : e.changed)
            cells += c.size();
        QCOMPARE(d.cellsChanged, cells);
        checkTruePairs(d, a, b, e);
    }

    void keylessGeneratedEdits()
    {
        const Edited e = generate(3000, 60, 25, 30, 11);
        const Table a = tableOf(e.a, "a.csv");
        const Table b = tableOf(e.b, "b.csv");
        for (bool ordered : {true, false}) {
            TableDiffOptions o;
            o.ordered = ordered;
            const TableDiff d = diffOf(a, b, o);
            QCOMPARE(d.rows.modified, 60);
            QCOMPARE(d.rows.removed, 25);
            QCOMPARE(d.rows.added, 30);
            QCOMPARE(d.rows.unchanged, 3000 - 60 - 25);
            checkTruePairs(d, a, b, e);
        }
    }

    void keylessDoesNotPairUnrelatedRows()
    {
        // Rows 3 and 4 are deleted; the inserted rows share 2 (row 3) and 3 (row 4, exactly half)
        // of 6 values with them: daff calls these modified, they are removed + added. Row 5 keeps
        // 4 of 6: a modification.
        const Table a = tableOf("id,name,city,n,cat,score\n1,ann,oslo,1,x,0.5\n2,bo,rome,2,y,0.6\n"
                                "3,cy,lima,3,z,0.7\n4,di,nice,4,w,0.8\n5,ed,bern,5,v,0.9\n",
                                "a.csv");
        const Table b = tableOf("id,name,city,n,cat,score\n1,ann,oslo,1,x,0.5\n2,bo,rome,2,y,0.6\n"
                                "30,xx,lima,3,q,0.1\n40,yy,nice,4,w,0.2\n5,ed,bern,5,u,0.1\n",
                                "b.csv");
        const TableDiff d = diffOf(a, b);
        QCOMPARE(d.rows.removed, 2);
        QCOMPARE(d.rows.added, 2);
        QCOMPARE(d.rows.modified, 1);
        QCOMPARE(d.changed.front().a, 4);
        QCOMPARE(d.changed.front().b, 4);
        // Duplicated rows pair copy by copy, in order.
        const Table dupA = tableOf("v,w\n1,a\n1,a\n2,b\n", "a.csv");
        const Table dupB = tableOf("v,w\n1,a\n2,b\n1,a\n1,a\n", "b.csv");
        const TableDiff dd = diffOf(dupA, dupB);
        QCOMPARE(dd.rows.unchanged, 3);
        QCOMPARE(dd.rows.added, 1);
        QCOMPARE(dd.aOfB, (std::vector<std::int32_t>{0, 2, 1, -1}));
        // No column in common: nothing to agree on, nothing is paired.
        const TableDiff none = diffOf(tableOf("x\n1\n2\n", "a.csv"), tableOf("y\n1\n2\n", "b.csv"));
        QCOMPARE(none.rows.removed, 2);
        QCOMPARE(none.rows.added, 2);
    }

    void compositeKeys()
    {
        const Table a = tableOf("day,shop,sales\n1,x,10\n1,y,20\n2,x,30\n", "a.csv");
        const Table b = tableOf("day,shop,sales\n2,x,31\n1,y,20\n1,x,10\n2,y,5\n", "b.csv");
        const TableDiff d = diffOf(a, b, keyed({"day", "shop"}));
        QCOMPARE(d.rows.unchanged, 2);
        QCOMPARE(d.rows.modified, 1);
        QCOMPARE(d.rows.added, 1);
        QCOMPARE(d.rows.removed, 0);
        QCOMPARE(d.changed.front().a, 2);
        QCOMPARE(d.changed.front().b, 0);
    }

    void duplicateKeyIsAnError()
    {
        const Table a = tableOf("id,v\n1,a\n2,b\n3,c\n2,d\n", "a.csv");
        const Table b = tableOf("id,v\n1,a\n", "b.csv");
        auto d = diffTables(a, b, keyed({"id"}));
        QVERIFY(!d);
        QVERIFY2(d.error().message.contains("id = 2"), qPrintable(d.error().message));
        QVERIFY(d.error().message.contains("rows 2 and 4"));
        QCOMPARE(d.error().file, "a.csv");
        QCOMPARE(d.error().line, 5); // the second occurrence's line in the file
        QVERIFY(d.error().hint.contains("unique"));
        const Table s = tableOf("k,v\nx,1\ny,2\nx,3\n", "s.csv");
        auto e = diffTables(s, s, keyed({"k"}));
        QVERIFY(!e);
        QVERIFY(e.error().message.contains("k = \"x\""));
        // Duplicates in b, for keys a has and keys it lacks, with the array and the hash table.
        for (const QByteArray &ids : {QByteArray("1,9,2,9"), QByteArray("1,2,3,1"),
                                      QByteArray("7000000000000,1,2,7000000000000")}) {
            QByteArray csv = "id,v\n";
            for (const QByteArray &id : ids.split(','))
                csv += id + ",x\n";
            auto f = diffTables(tableOf("id,v\n1,a\n2,b\n3,c\n", "a.csv"), tableOf(csv, "b.csv"),
                                keyed({"id"}));
            QVERIFY(!f);
            QCOMPARE(f.error().file, "b.csv");
            QVERIFY2(f.error().message.contains("rows 2 and 4") ||
                         f.error().message.contains("rows 1 and 4"),
                     qPrintable(f.error().message));
        }
    }

    void missingKeyColumnIsAnError()
    {
        const Table a = tableOf("id,v\n1,a\n", "a.csv");
        const Table b = tableOf("ident,v\n1,a\n", "b.csv");
        auto d = diffTables(a, b, keyed({"id"}));
        QVERIFY(!d);
        QCOMPARE(d.error().file, "b.csv");
        QVERIFY(d.error().message.contains("\"id\""));
        QVERIFY(d.error().message.contains("ident, v"));
    }

    void toleranceMissingAndSignedZero()
    {
        const Table a =
            tableOf("id,f,s,i\n1,1.0,a,5\n2,,b,6\n3,2.0,,7\n4,-0.0,d,8\n5,1.0,e,9\n", "a.csv");
        const Table b =
            tableOf("id,f,s,i\n1,1.05,a,5\n2,,b,6\n3,2.0,,7\n4,0.0,d,8\n5,,e,10\n", "b.csv");
        TableDiffOptions o = keyed({"id"});
        const TableDiff exact = diffOf(a, b, o);
        QCOMPARE(exact.rows.modified, 2); // 1 (1.0 -> 1.05), 5 (1.0 -> missing, 9 -> 10)
        QCOMPARE(exact.cellsChanged, 3);
        o.tolerance = 0.1;
        const TableDiff tolerant = diffOf(a, b, o);
        QCOMPARE(tolerant.rows.modified, 1); // 5: a missing value is never within tolerance
        QCOMPARE(tolerant.cellsChanged, 2);
        o.tolerance = 1;
        QCOMPARE(diffOf(a, b, o).cellsChanged, 1); // 9 vs 10 is within 1; missing vs 1.0 is not
    }

    void intAndFloatKeysMatch()
    {
        const Table a = tableOf("id,v\n1,a\n2,b\n3,c\n", "a.csv");
        const Table b = tableOf("id,v\n1.0,a\n2.5,b\n3,c\n", "b.csv");
        QCOMPARE(b.columns[0].type, ColumnType::Float64);
        const TableDiff d = diffOf(a, b, keyed({"id"}));
        QCOMPARE(d.rows.unchanged, 2);
        QCOMPARE(d.rows.removed, 1);
        QCOMPARE(d.rows.added, 1);
        QCOMPARE(d.schema.retyped.size(), 1);
        QCOMPARE(d.schema.retyped[0].to, ColumnType::Float64);
    }

    void schemaChanges()
    {
        QByteArray a = "id,price,gone,code\n";
        for (int r = 1; r <= 10; ++r)
            a += QByteArray::number(r) + ',' + QByteArray::number(r * 1.5) + ",g," +
                 QByteArray::number(r) + '\n';
        // b: price renamed to cost with `differ` values changed, gone removed, code as text,
        // extra added.
        auto makeB = [](int differ) {
            QByteArray b = "id,cost,code,extra\n";
            for (int r = 1; r <= 10; ++r)
                b += QByteArray::number(r) + ',' +
                     QByteArray::number(r > 10 - differ ? 99.0 : r * 1.5) + ',' +
                     (r == 3 ? "x3" : QByteArray::number(r)) + ",e\n";
            return b;
        };
        const QByteArray b = makeB(1);
        const Table ta = tableOf(a, "a.csv");
        const Table tb = tableOf(b, "b.csv");
        const TableDiff d = diffOf(ta, tb, keyed({"id"}));
        QCOMPARE(d.schema.added, QStringList{"extra"});
        QCOMPARE(d.schema.removed, QStringList{"gone"});
        QCOMPARE(d.schema.renamed.size(), 1);
        QCOMPARE(d.schema.renamed[0].from, "price");
        QCOMPARE(d.schema.renamed[0].to, "cost");
        QCOMPARE(d.schema.retyped.size(), 1);
        QCOMPARE(d.schema.retyped[0].name, "code");
        QCOMPARE(d.schema.retyped[0].from, ColumnType::Int64);
        QCOMPARE(d.schema.retyped[0].to, ColumnType::String);
        QCOMPARE(d.rows.modified, 2); // row 3: code "3" -> "x3" (as text); row 10: the cost
        QCOMPARE(d.cellsChanged, 2);
        // daff's order (b's columns, the removed one after its predecessor) and schema row.
        QStringList order;
        for (const ColumnDiff &c : d.columns)
            order << c.name;
        QCOMPARE(order, (QStringList{"id", "cost", "gone", "code", "extra"}));
        QVERIFY(tableDiffDaff(d, ta, tb).startsWith("!,,(price),---,,+++\n@@,id,cost,gone,code,"
                                                    "extra\n"));
        // 8 of 10 equal values is below the 90 % a rename needs.
        const TableDiff below = diffOf(ta, tableOf(makeB(2), "b.csv"), keyed({"id"}));
        QVERIFY(below.schema.renamed.isEmpty());
        QCOMPARE(below.schema.removed, (QStringList{"price", "gone"}));

        // Two mostly-empty columns sharing one value are not one renamed column: missing cells
        // on both sides say nothing.
        QByteArray sparseA = "id,notes\n", sparseB = "id,comment\n";
        for (int r = 1; r <= 20; ++r) {
            sparseA += QByteArray::number(r) + (r == 1 ? ",x" : r == 2 ? ",a" : ",") + '\n';
            sparseB += QByteArray::number(r) + (r == 1 ? ",x" : r == 3 ? ",b" : ",") + '\n';
        }
        const TableDiff sparse =
            diffOf(tableOf(sparseA, "a.csv"), tableOf(sparseB, "b.csv"), keyed({"id"}));
        QVERIFY(sparse.schema.renamed.isEmpty());
        QCOMPARE(sparse.schema.removed, QStringList{"notes"});
        QCOMPARE(sparse.schema.added, QStringList{"comment"});
    }

    void emptyAndIdenticalTables()
    {
        const Table empty = tableOf("id,v\n", "e.csv");
        const Table two = tableOf("id,v\n1,a\n2,b\n", "t.csv");
        TableDiff d = diffOf(empty, empty, keyed({"id"}));
        QVERIFY(d.identical());
        QCOMPARE(tableDiffDaff(d, empty, empty), QByteArray("@@,id,v\n"));
        d = diffOf(empty, two);
        QCOMPARE(d.rows.added, 2);
        d = diffOf(two, empty, keyed({"id"}));
        QCOMPARE(d.rows.removed, 2);
        const Edited e = generate(500, 0, 0, 0, 3);
        const Table a = tableOf(e.a, "a.csv");
        for (const TableDiffOptions &o : {TableDiffOptions(), keyed({"id"})}) {
            d = diffOf(a, a, o);
            QVERIFY(d.identical());
            QCOMPARE(d.rows.unchanged, 500);
            QCOMPARE(d.cellsChanged, 0);
            QVERIFY(d.changed.empty());
        }
    }

    void jsonReport()
    {
        const Table a = tableOf(kDaffA + "7,gus,inf,test\n", "a.csv");
        const Table b = tableOf(kDaffB, "b.csv");
        const TableDiff d = diffOf(a, b, keyed({"id"}));
        const QJsonObject j = tableDiffJson(d, a, b, 2);
        for (const char *key :
             {"schema", "rows", "cells_changed", "columns", "changes", "truncated"})
            QVERIFY2(j.contains(key), key);
        const QJsonObject schema = j["schema"].toObject();
        for (const char *key :
             {"added_columns", "removed_columns", "renamed_columns", "retyped_columns"})
            QVERIFY2(schema.contains(key), key);
        QCOMPARE(schema["added_columns"].toArray().first().toString(), "label");
        QCOMPARE(j["rows"]["removed"].toInt(), 2);
        QCOMPARE(j["cells_changed"].toInt(), 2);
        QCOMPARE(j["truncated"].toBool(), true);
        const QJsonArray changes = j["changes"].toArray();
        QCOMPARE(changes.size(), 2);
        const QJsonObject first = changes[0].toObject();
        QCOMPARE(first["type"].toString(), "modified");
        QCOMPARE(first["row_a"].toInt(), 2);
        QCOMPARE(first["key"]["id"].toInt(), 2);
        QCOMPARE(first["cells"]["score"]["old"].toDouble(), 0.85);
        QCOMPARE(first["cells"]["score"]["new"].toDouble(), 0.88);
        QCOMPARE(changes[1].toObject()["type"].toString(), "removed");
        const QJsonArray columns = j["columns"].toArray();
        const QJsonObject score = columns[2].toObject();
        QCOMPARE(score["name"].toString(), "score");
        QCOMPARE(score["cells_changed"].toInt(), 1);
        QCOMPARE(score["before"]["max"].toString(), "Infinity");
        QCOMPARE(score["after"]["max"].toDouble(), 0.91);
        QCOMPARE(columns[4].toObject()["before"], QJsonValue());
        const QJsonObject all = tableDiffJson(d, a, b);
        QCOMPARE(all["changes"].toArray().size(), 5);
        QCOMPARE(all["truncated"].toBool(), false);
        QCOMPARE(all["changes"][4]["cells"]["score"]["old"].toString(), "Infinity");
    }

    void htmlAndText()
    {
        const Table a = tableOf(kDaffA, "a.csv");
        const Table b = tableOf(kDaffB, "b.csv");
        const TableDiff d = diffOf(a, b, keyed({"id"}));
        const QString html = QString::fromUtf8(tableDiffHtml(d, a, b, 3));
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        QVERIFY(html.contains("<style>"));
        QVERIFY(html.contains("class=\"mod\""));
        QVERIFY(html.contains("<tr class=\"del\">"));
        QVERIFY(html.contains("Showing the first 3 of 4 changed rows"));
        QVERIFY(!html.contains("frank")); // the 4th change is cut
        const QString text = tableDiffText(d, a, b);
        QVERIFY2(text.contains("rows: 2 modified, 1 added, 1 removed, 2 unchanged; 2 cells"),
                 qPrintable(text));
        QVERIFY(text.contains("columns added: label"));
        QVERIFY(text.contains("score: 0.85 → 0.88"));
        QVERIFY(text.contains("+ b row 5 [id=6]"));
    }

    // diffTableFiles reading a column or a few at a time gives diffTables' result, field for
    // field, on random tables with every kind of change, keyed and keyless.
    void byColumnsMatchesWhole()
    {
        QTemporaryDir dir;
        const QString pathA = dir.filePath(u"a.csv"_s);
        const QString pathB = dir.filePath(u"b.csv"_s);
        int keyedRuns = 0, renames = 0, retypes = 0, modified = 0;
        for (unsigned seed = 1; seed <= 150; ++seed) {
            const RandomPair p = randomPair(seed);
            test::writeFile(pathA, p.a);
            test::writeFile(pathB, p.b);
            TableDiffOptions whole = p.options;
            whole.engine = TableDiffOptions::Engine::Whole;
            auto ta = readTable(pathA);
            auto tb = readTable(pathB);
            QVERIFY(ta && tb);
            auto want = diffTables(*ta, *tb, p.options);
            auto viaWhole = diffTableFiles(pathA, pathB, whole);
            QVERIFY2(want && viaWhole, qPrintable(u"seed %1"_s.arg(seed)));
            QCOMPARE(differenceOf(*viaWhole, *want), QString());
            keyedRuns += p.keyed ? 1 : 0;
            renames += want->schema.renamed.isEmpty() ? 0 : 1;
            retypes += want->schema.retyped.isEmpty() ? 0 : 1;
            modified += want->rows.modified > 0 ? 1 : 0;
            for (int perRead : {1, 2, 4}) {
                TableDiffOptions o = p.options;
                o.engine = TableDiffOptions::Engine::ByColumns;
                o.columnsPerRead = perRead;
                auto got = diffTableFiles(pathA, pathB, o);
                QVERIFY2(got, qPrintable(u"seed %1: %2"_s.arg(seed).arg(
                                  got ? QString() : got.error().toString())));
                QVERIFY2(differenceOf(*got, *want).isEmpty(),
                         qPrintable(u"seed %1, %2 per read: %3"_s.arg(seed).arg(perRead).arg(
                             differenceOf(*got, *want))));
            }
        }
        // The random cases cover what they claim to.
        QVERIFY(keyedRuns > 40 && keyedRuns < 110);
        QVERIFY(renames > 20);
        QVERIFY(retypes > 20);
        QVERIFY(modified > 100);
    }

    void byColumnsEdgeCases_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<QStringList>("keys");
        QTest::newRow("tsv") << u"tsv"_s << QByteArray("id\tv\tw\n1\tx\t1.5\n2\ty\t2\n")
                             << QByteArray("id\tv\tw\n2\ty\t2.5\n3\tz\t1\n")
                             << QStringList{u"id"_s};
        QTest::newRow("header only")
            << u"csv"_s << QByteArray("id,v\n") << QByteArray("id,v\n") << QStringList{u"id"_s};
        QTest::newRow("header only, keyless")
            << u"csv"_s << QByteArray("id,v\n") << QByteArray("id,v\n1,a\n") << QStringList();
        QTest::newRow("no column in common")
            << u"csv"_s << QByteArray("p,q\n1,2\n3,4\n") << QByteArray("r\n1\n") << QStringList();
        QTest::newRow("composite, float key")
            << u"csv"_s << QByteArray("k,f,v\na,1.5,x\na,2.5,y\nb,1.5,z\n")
            << QByteArray("k,f,v\na,2.5,Y\nb,1.5,z\nc,1,w\n") << QStringList{u"k"_s, u"f"_s};
        QTest::newRow("duplicate names, quotes")
            << u"csv"_s << QByteArray("a,a,\"b,c\"\n1,2,\"x\"\"y\"\n3,4,\"\n\"\n")
            << QByteArray("a,a,\"b,c\"\n1,5,\"x\"\"y\"\n3,4,z\n") << QStringList();
    }

    void byColumnsEdgeCases()
    {
        QFETCH(QString, suffix);
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(QStringList, keys);
        QTemporaryDir dir;
        const QString pathA = dir.filePath(u"a."_s + suffix);
        const QString pathB = dir.filePath(u"b."_s + suffix);
        test::writeFile(pathA, a);
        test::writeFile(pathB, b);
        TableDiffOptions o = keyed(keys);
        o.engine = TableDiffOptions::Engine::Whole;
        auto want = diffTableFiles(pathA, pathB, o);
        QVERIFY2(want, qPrintable(want ? QString() : want.error().toString()));
        for (int perRead : {1, 2}) {
            o.engine = TableDiffOptions::Engine::ByColumns;
            o.columnsPerRead = perRead;
            auto got = diffTableFiles(pathA, pathB, o);
            QVERIFY2(got, qPrintable(got ? QString() : got.error().toString()));
            QCOMPARE(differenceOf(*got, *want), QString());
        }
    }

    void byColumnsErrorsAndCancel()
    {
        QTemporaryDir dir;
        const QString pathA = dir.filePath(u"a.csv"_s);
        const QString pathB = dir.filePath(u"b.csv"_s);
        test::writeFile(pathA, "id,v\n1,a\n2,b\n");
        test::writeFile(pathB, "id,v\n1,a\n1,c\n");
        TableDiffOptions o = keyed({u"id"_s});
        o.engine = TableDiffOptions::Engine::ByColumns;
        auto dup = diffTableFiles(pathA, pathB, o);
        QVERIFY(!dup);
        auto tb = readTable(pathB);
        auto ta = readTable(pathA);
        QCOMPARE(dup.error().toString(), diffTables(*ta, *tb, keyed({u"id"_s})).error().toString());
        o.keys = QStringList{u"nope"_s};
        auto missing = diffTableFiles(pathA, pathB, o);
        QVERIFY(!missing);
        QCOMPARE(missing.error().toString(),
                 diffTables(*ta, *tb, keyed({u"nope"_s})).error().toString());

        const Edited e = generate(3000, 10, 10, 10, 5);
        test::writeFile(pathA, e.a);
        test::writeFile(pathB, e.b);
        for (bool withKey : {true, false}) {
            TableDiffOptions c = withKey ? keyed({u"id"_s}) : TableDiffOptions();
            c.engine = TableDiffOptions::Engine::ByColumns;
            c.columnsPerRead = 2;
            for (int stopAt : {1, 3, 6, 12}) {
                int calls = 0;
                auto d = diffTableFiles(pathA, pathB, c, {}, [&](qint64 done, qint64 total) {
                    return done <= total && ++calls < stopAt;
                });
                QVERIFY(!d);
                QCOMPARE(d.error().message, u"cancelled"_s);
            }
            qint64 last = -1;
            bool monotonic = true;
            auto d = diffTableFiles(pathA, pathB, c, {}, [&](qint64 done, qint64 total) {
                monotonic = monotonic && done >= last && done <= total;
                last = done;
                return true;
            });
            QVERIFY(d);
            QVERIFY(monotonic);
            QCOMPARE(d->rows.modified, 10);
        }
    }

    // csv::skipBlankLines and csv::skipRecord find the records csv::tokenize finds, on random
    // texts of quotes, doubled quotes, delimiters, CRLF, lone CR and blank lines.
    void recordScanMatchesTokenizer()
    {
        std::mt19937 g(7);
        const char alphabet[] = {'a', 'b', ',', ',', '"', '"', '\n', '\n', '\r', ' ', '\t', ';'};
        int records = 0;
        for (int round = 0; round < 3000; ++round) {
            std::string text;
            const int length = int(g() % 60);
            for (int k = 0; k < length; ++k)
                text += alphabet[g() % sizeof alphabet];
            if (g() % 2)
                text += '\n';
            struct Ends
            {
                std::vector<std::size_t> at;
                bool field(std::size_t, std::string_view, std::size_t) { return true; }
                bool endRecord(std::size_t, std::size_t after)
                {
                    at.push_back(after);
                    return true;
                }
            } sink;
            std::string scratch;
            const csv::TokenizeResult r =
                csv::tokenize(text.data(), text.size(), ',', false, scratch, sink);
            std::vector<std::size_t> mine;
            std::size_t pos = 0;
            while (true) {
                const std::size_t start = csv::skipBlankLines(text.data(), text.size(), pos, ',');
                if (start >= text.size())
                    break;
                pos = csv::skipRecord(text.data(), text.size(), start, ',');
                mine.push_back(pos);
                if (pos >= text.size())
                    break;
            }
            if (r.unterminated) { // the last record's quote never closes: it runs to the end
                QVERIFY(!mine.empty());
                QCOMPARE(mine.back(), text.size());
                mine.pop_back();
            }
            QVERIFY2(mine == sink.at, text.c_str());
            records += int(sink.at.size());
        }
        QVERIFY(records > 3000);
    }

    void cancelThroughProgress()
    {
        const Edited e = generate(2000, 10, 10, 10, 5);
        const Table a = tableOf(e.a, "a.csv");
        const Table b = tableOf(e.b, "b.csv");
        int calls = 0;
        qint64 lastTotal = 0;
        auto d = diffTables(a, b, {}, [&](qint64, qint64 total) {
            lastTotal = total;
            return ++calls < 2;
        });
        QVERIFY(!d);
        QCOMPARE(d.error().message, "cancelled");
        QVERIFY(lastTotal > 0);
        auto full = diffTables(a, b, {}, [](qint64 done, qint64 total) { return done <= total; });
        QVERIFY(full);
    }

    void cellTextChecksItsTable()
    {
        const Table a = tableOf(kDaffA, "a.csv");
        QVERIFY(!CellText::fromBytes(kDaffB, a));               // another header
        QVERIFY(!CellText::fromBytes(kDaffA + "6,x,1,t\n", a)); // another row count
        // Quoted fields, CRLF line ends and blank lines are read as the reader reads them.
        const QByteArray crlf = "id,t,v\r\n1,\"a, \"\"b\"\"\",0.50\r\n\r\n2,c,1e3\r\n";
        const Table t = tableOf(crlf, "c.csv");
        auto text = CellText::fromBytes(crlf, t);
        QVERIFY(text);
        QCOMPARE(text->field(0, 1), std::string_view("a, \"b\""));
        QCOMPARE(text->field(1, 2), std::string_view("1e3"));
        QCOMPARE(text->field(0, 2), std::string_view("0.50"));
        QCOMPARE(text->lineEnd(), QByteArray("\r\n"));
    }

    void cellTextFromLargeFile()
    {
        // Larger than the 4 MiB window CellText reads a file through, with quoted newlines.
        QTemporaryDir dir;
        const QString path = dir.filePath("big.csv");
        constexpr int kRows = 110000;
        QByteArray csv = "id,text,v\n";
        QList<QByteArray> texts;
        for (int r = 0; r < kRows; ++r) {
            QByteArray t = "row " + QByteArray::number(r) + " padding padding padding";
            if (r % 97 == 0)
                t += "\nwith \"quotes\", and a comma";
            texts << t;
            csv += QByteArray::number(r) + ",\"" + QByteArray(t).replace("\"", "\"\"") + "\"," +
                   (r % 2 ? "0.50" : "1e1") + "\n";
        }
        QVERIFY(csv.size() > (4 << 20) + (1 << 19));
        test::writeFile(path, csv);
        auto table = readTable(path);
        QVERIFY(table);
        auto text = CellText::fromFile(path, *table);
        QVERIFY2(text, text ? "" : qPrintable(text.error().toString()));
        for (int r = 0; r < kRows; ++r) {
            if (text->field(r, 1) != texts[r].toStdString())
                QFAIL(qPrintable(QString("row %1").arg(r)));
            QCOMPARE(text->field(r, 2), std::string_view(r % 2 ? "0.50" : "1e1"));
        }
        for (int r : {kRows - 1, 5, 70001, 70000, 12, 44444})
            QCOMPARE(text->field(r, 1), texts[r].toStdString());
        QCOMPARE(text->field(kRows, 0), std::string_view());
    }

    void pythonRepr()
    {
        QCOMPARE(formatDouble(0.7), QByteArray("0.7"));
        QCOMPARE(formatDouble(1.0), QByteArray("1.0"));
        QCOMPARE(formatDouble(-0.0), QByteArray("-0.0"));
        QCOMPARE(formatDouble(1e16), QByteArray("1e+16"));
        QCOMPARE(formatDouble(123456789012345.6), QByteArray("123456789012345.6"));
        QCOMPARE(formatDouble(0.0001), QByteArray("0.0001"));
        QCOMPARE(formatDouble(1.5e-5), QByteArray("1.5e-05"));
        QCOMPARE(formatDouble(-2.5e300), QByteArray("-2.5e+300"));
    }
};

QTEST_GUILESS_MAIN(TestTableDiff)
#include "tst_tablediff.moc"
