// Table diff on ROWS x 10 columns (an int id, 4 floats, 3 ints, 2 strings; ~14 MB at 200,000 rows):
// b has 1 % of the rows modified (2 cells each), 500 deleted and 500 added. The whole job — read
// both files, diff them, write daff's highlighter CSV (context 1, numbers as the files write them)
// — runs in a child process (this program, re-executed), keyed by id and keyless, next to
// `git diff --no-index --stat a b` on the same files: wall time and peak memory (the child's
// maximum resident set, from wait4), median of N runs. The counts must be exact.
//
//   build/hBrel/tests/bench/bench_tablediff [ROWS=200000] [--keep DIR] [--runs N]
//   build/hBrel/tests/bench/bench_tablediff --rows 10000000     (memory check: one run)
//
// With CAIRN_DAFF=/path/to/daff (npm's daff; not a dependency of the build), daff runs on the
// same files too, `daff diff --id id` and keyless `daff diff`, its highlighter CSV written to a
// file; its counts are read back from that file (the first column: "->", "+++", "---").
// The memory check (--rows) runs the column-group engine (diffTableFiles, ByColumns) as well:
// the diff alone, without an output (the outputs read values from the two whole tables).

#include "diff/tablediff.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>

using namespace cairn;

namespace {

using test::measure;
using test::Measured;

// A small, fast generator: every row's values come from its own seed, so a and b regenerate the
// same row independently.
struct Rng
{
    std::uint64_t s;
    std::uint64_t next()
    {
        s += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

const char *const kCities[] = {"amsterdam", "berlin", "cairo", "delhi",  "essen", "fes",
                               "graz",      "hanoi",  "izmir", "jaipur", "kyoto", "lima"};

struct Row
{
    std::int64_t v[8]; // f1..f4 as scaled integers, i1..i3, city
    std::int64_t user;
};

Row rowOf(std::int64_t id)
{
    Rng g{std::uint64_t(id) * 0x2545F4914F6CDD1DULL};
    Row r{};
    r.v[0] = std::int64_t(g.below(10000000));        // f1: 0.0000 .. 999.9999
    r.v[1] = std::int64_t(g.below(1000000));         // f2: 0.000000 .. 0.999999
    r.v[2] = std::int64_t(g.below(200000)) - 100000; // f3: -1000.00 .. 999.99
    r.v[3] = std::int64_t(g.below(100000000));       // f4: 0.000000 .. 99.999999
    r.v[4] = std::int64_t(g.below(100000));          // i1
    r.v[5] = std::int64_t(g.below(10));              // i2
    r.v[6] = 1950 + std::int64_t(g.below(75));       // i3
    r.v[7] = std::int64_t(g.below(12));              // city
    r.user = std::int64_t(g.below(1000000));
    return r;
}

void appendFixed(QByteArray &line, std::int64_t scaled, int decimals)
{
    if (scaled < 0) {
        line += '-';
        scaled = -scaled;
    }
    std::int64_t unit = 1;
    for (int k = 0; k < decimals; ++k)
        unit *= 10;
    char buf[32];
    line.append(buf, std::to_chars(buf, buf + 32, scaled / unit).ptr - buf);
    line += '.';
    const auto frac = std::to_chars(buf, buf + 32, scaled % unit).ptr - buf;
    line.append(decimals - int(frac), '0');
    line.append(buf, frac);
}

void appendRow(QByteArray &line, std::int64_t id, const Row &r)
{
    char buf[32];
    line.append(buf, std::to_chars(buf, buf + 32, id).ptr - buf);
    const int decimals[] = {4, 6, 2, 6};
    for (int c = 0; c < 4; ++c) {
        line += ',';
        appendFixed(line, r.v[c], decimals[c]);
    }
    for (int c = 4; c < 7; ++c) {
        line += ',';
        line.append(buf, std::to_chars(buf, buf + 32, r.v[c]).ptr - buf);
    }
    line += ',';
    line += kCities[r.v[7]];
    line += ",user_";
    line.append(buf, std::to_chars(buf, buf + 32, r.user).ptr - buf);
    line += '\n';
}

struct Expected
{
    qint64 modified = 0;
    qint64 removed = 0;
    qint64 added = 0;
    qint64 unchanged = 0;
};

// a: rows 1..n. b: 1 % modified in 2 of the 9 value columns, `edits` deleted, `edits` new rows
// (ids above n) inserted at random places.
Expected generate(const QString &pathA, const QString &pathB, qint64 n)
{
    const qint64 edits = std::min<qint64>(500, n / 100);
    const qint64 modify = n / 100;
    std::vector<std::uint8_t> state(static_cast<std::size_t>(n), 0); // 1 modified, 2 deleted
    Rng g{42};
    for (qint64 k = 0; k < modify + edits;) {
        const auto r = std::size_t(g.below(std::uint64_t(n)));
        if (state[r])
            continue;
        state[r] = k < modify ? 1 : 2;
        ++k;
    }
    std::vector<qint64> insertAt(static_cast<std::size_t>(edits)); // before which a row of a
    for (qint64 &p : insertAt)
        p = qint64(g.below(std::uint64_t(n + 1)));
    std::sort(insertAt.begin(), insertAt.end());
    QFile fa(pathA), fb(pathB);
    if (!fa.open(QIODevice::WriteOnly) || !fb.open(QIODevice::WriteOnly))
        qFatal("cannot write the files");
    const QByteArray header = "id,f1,f2,f3,f4,i1,i2,i3,city,user\n";
    QByteArray la = header, lb = header;
    std::size_t next = 0;
    qint64 newId = n + 1;
    for (qint64 id = 1; id <= n + 1; ++id) {
        while (next < insertAt.size() && insertAt[next] == id - 1) {
            appendRow(lb, newId, rowOf(newId));
            ++newId;
            ++next;
        }
        if (id > n)
            break;
        const Row r = rowOf(id);
        appendRow(la, id, r);
        const std::uint8_t s = state[std::size_t(id - 1)];
        if (s == 1) {
            Row m = r;
            Rng pick{std::uint64_t(id)};
            const int c1 = int(pick.below(9));
            const int c2 = (c1 + 1 + int(pick.below(8))) % 9;
            for (int c : {c1, c2}) {
                if (c == 8)
                    m.user += 1000000;
                else if (c == 7)
                    m.v[7] = (m.v[7] + 1) % 12;
                else
                    m.v[c] += 1;
            }
            appendRow(lb, id, m);
        } else if (s == 0) {
            appendRow(lb, id, r);
        }
        if (la.size() > (1 << 20)) {
            fa.write(la);
            fb.write(lb);
            la.clear();
            lb.clear();
        }
    }
    fa.write(la);
    fb.write(lb);
    return {modify, edits, edits, n - modify - edits};
}

// The child for the column-group engine: the diff of the two files, then the id columns (to
// check the pairs); prints what job() prints, with zeros for the phases it does not have.
int columnsJob(bool keyed, const QString &pathA, const QString &pathB)
{
    QElapsedTimer t;
    t.start();
    diff::TableDiffOptions options;
    if (keyed)
        options.keys = QStringList{"id"};
    options.engine = diff::TableDiffOptions::Engine::ByColumns;
    auto d = diff::diffTableFiles(pathA, pathB, options);
    if (!d) {
        std::fprintf(stderr, "%s\n", qPrintable(d.error().toString()));
        return 2;
    }
    const double diffed = double(t.nsecsElapsed()) / 1e9;
    ReadOptions ids;
    ids.onlyColumns = QStringList{"id"};
    auto a = readTable(pathA, ids);
    auto b = readTable(pathB, ids);
    if (!a || !b)
        return 2;
    qint64 wrong = 0;
    for (const diff::ChangedRow &r : d->changed)
        wrong += a->columns[0].ints[std::size_t(r.a)] != b->columns[0].ints[std::size_t(r.b)];
    const double diffBytes =
        double(d->bOfA.capacity() * 4 + d->aOfB.capacity() * 4 +
               d->changed.capacity() * sizeof(diff::ChangedRow) + d->changedColumns.capacity() * 4);
    std::printf("%lld %lld %lld %lld %lld %lld %.3f %.3f %.3f %.3f %.0f %.0f\n",
                qint64(d->rows.modified), qint64(d->rows.removed), qint64(d->rows.added),
                qint64(d->rows.unchanged), qint64(d->cellsChanged), wrong, 0.0, diffed, 0.0, 0.0,
                0.0, diffBytes / 1e6);
    return 0;
}

// daff's highlighter CSV read back: modified, removed, added rows and changed cells (a field of
// a "->" row holding "->"; the generated values never do).
struct DaffCounts
{
    qint64 modified = 0, removed = 0, added = 0, cells = 0;
};

DaffCounts daffCounts(const QString &path)
{
    DaffCounts c;
    const QByteArray text = test::readFile(path);
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype comma = line.indexOf(',');
        const QByteArray action = line.left(comma);
        if (action == "->") {
            ++c.modified;
            c.cells += line.mid(comma + 1).count("->");
        } else if (action == "+++") {
            ++c.added;
        } else if (action == "---") {
            ++c.removed;
        }
    }
    return c;
}

// The child: read, diff, write daff's format; prints counts and phase times.
int job(const QString &mode, const QString &pathA, const QString &pathB, const QString &out)
{
    if (mode.endsWith("-columns"))
        return columnsJob(mode.startsWith("keyed"), pathA, pathB);
    QElapsedTimer t;
    t.start();
    auto a = readTable(pathA);
    auto b = readTable(pathB);
    if (!a || !b) {
        std::fprintf(stderr, "%s\n", qPrintable((a ? b : a).error().toString()));
        return 2;
    }
    const double read = double(t.nsecsElapsed()) / 1e9;
    diff::TableDiffOptions options;
    if (mode == "keyed")
        options.keys = QStringList{"id"};
    auto d = diff::diffTables(*a, *b, options);
    if (!d) {
        std::fprintf(stderr, "%s\n", qPrintable(d.error().toString()));
        return 2;
    }
    const double diffed = double(t.nsecsElapsed()) / 1e9;
    auto ta = diff::CellText::fromFile(pathA, *a);
    auto tb = diff::CellText::fromFile(pathB, *b);
    if (!ta || !tb) {
        std::fprintf(stderr, "%s\n", qPrintable((ta ? tb : ta).error().toString()));
        return 2;
    }
    const double indexed = double(t.nsecsElapsed()) / 1e9;
    QFile f(out);
    if (!f.open(QIODevice::WriteOnly) ||
        f.write(diff::tableDiffDaff(*d, *a, *b, 1, {&*ta, &*tb})) < 0)
        return 2;
    f.close();
    const double total = double(t.nsecsElapsed()) / 1e9;
    // Every modified pair must be a true pair (the same id).
    const Column *idA = a->column(u"id");
    const Column *idB = b->column(u"id");
    qint64 wrong = 0;
    for (const diff::ChangedRow &r : d->changed)
        wrong += idA && idB && idA->ints[std::size_t(r.a)] != idB->ints[std::size_t(r.b)] ? 1 : 0;
    // What the typed tables and the diff's result hold (bytes).
    double tableBytes = 0;
    for (const Table *tab : {&*a, &*b}) {
        for (const Column &c : tab->columns) {
            tableBytes += double(c.ints.capacity() * 8 + c.floats.capacity() * 8 +
                                 c.bools.capacity() + c.codes.capacity() * 4);
            for (const QString &str : c.dictionary)
                tableBytes += double(sizeof(QString) + 24 + str.size() * 2);
        }
    }
    const double diffBytes =
        double(d->bOfA.capacity() * 4 + d->aOfB.capacity() * 4 +
               d->changed.capacity() * sizeof(diff::ChangedRow) + d->changedColumns.capacity() * 4);
    std::printf("%lld %lld %lld %lld %lld %lld %.3f %.3f %.3f %.3f %.0f %.0f\n",
                qint64(d->rows.modified), qint64(d->rows.removed), qint64(d->rows.added),
                qint64(d->rows.unchanged), qint64(d->cellsChanged), wrong, read, diffed - read,
                indexed - diffed, total - indexed, tableBytes / 1e6, diffBytes / 1e6);
    return 0;
}

Measured median(std::vector<Measured> v)
{
    Measured m = v.back();
    std::sort(v.begin(), v.end(), [](auto &x, auto &y) { return x.seconds < y.seconds; });
    m.seconds = v[v.size() / 2].seconds;
    std::sort(v.begin(), v.end(), [](auto &x, auto &y) { return x.peakKb < y.peakKb; });
    m.peakKb = v[v.size() / 2].peakKb;
    return m;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 6 && args[1] == "--job")
        return job(args[2], args[3], args[4], args[5]);
    qint64 rows = 200000;
    QString keep;
    int runs = 3;
    bool memoryCheck = false;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == "--keep" && i + 1 < args.size())
            keep = args[++i];
        else if (args[i] == "--runs" && i + 1 < args.size())
            runs = std::max(1, args[++i].toInt());
        else if (args[i] == "--rows" && i + 1 < args.size()) {
            rows = args[++i].toLongLong();
            memoryCheck = true;
            runs = 1;
        } else
            rows = args[i].toLongLong();
    }
    QTemporaryDir tmp;
    const QString dir = keep.isEmpty() ? tmp.path() : keep;
    QDir().mkpath(dir);
    const QString pathA = dir + "/a.csv";
    const QString pathB = dir + "/b.csv";
    std::printf("bench_tablediff: %lld rows x 10 columns, b: 1%% modified (2 cells), %lld deleted, "
                "%lld added\n",
                rows, std::min<qint64>(500, rows / 100), std::min<qint64>(500, rows / 100));
    QElapsedTimer gen;
    gen.start();
    const Expected want = generate(pathA, pathB, rows);
    const double sizeA = double(QFileInfo(pathA).size()) / 1e6;
    const double sizeB = double(QFileInfo(pathB).size()) / 1e6;
    std::printf("a.csv %.1f MB, b.csv %.1f MB (generated in %.1f s)\n\n", sizeA, sizeB,
                double(gen.elapsed()) / 1e3);
    (void)test::readFile(pathA).size(); // warm the page cache for every program alike
    (void)test::readFile(pathB).size();

    const QString self = QCoreApplication::applicationFilePath();
    const QString daff = qEnvironmentVariable("CAIRN_DAFF");
    const bool withDaff = !daff.isEmpty() && !memoryCheck;
    const bool columns = memoryCheck || rows >= 1000000;
    std::vector<Measured> keyed, keyless, git, daffKeyed, daffKeyless, colKeyed, colKeyless;
    for (int run = 0; run < runs; ++run) {
        keyed.push_back(measure({self, "--job", "keyed", pathA, pathB, dir + "/keyed.csv"},
                                dir + "/keyed.out"));
        keyless.push_back(measure({self, "--job", "keyless", pathA, pathB, dir + "/keyless.csv"},
                                  dir + "/keyless.out"));
        if (columns) {
            colKeyed.push_back(measure({self, "--job", "keyed-columns", pathA, pathB, QString()},
                                       dir + "/keyed-columns.out"));
            colKeyless.push_back(
                measure({self, "--job", "keyless-columns", pathA, pathB, QString()},
                        dir + "/keyless-columns.out"));
        }
        if (!memoryCheck) // git treats files this large as binary: no line diff to compare with
            git.push_back(measure({"/usr/bin/git", "diff", "--no-index", "--stat", pathA, pathB},
                                  dir + "/git.out"));
        if (withDaff) {
            daffKeyed.push_back(measure(
                {daff, "diff", "--id", "id", "--output", dir + "/daff-keyed.csv", pathA, pathB},
                dir + "/daff-keyed.out"));
            daffKeyless.push_back(
                measure({daff, "diff", "--output", dir + "/daff-keyless.csv", pathA, pathB},
                        dir + "/daff-keyless.out"));
        }
        std::printf("run %d: keyed %.2f s, keyless %.2f s, git diff %.2f s", run + 1,
                    keyed.back().seconds, keyless.back().seconds,
                    git.empty() ? 0.0 : git.back().seconds);
        if (columns)
            std::printf(", by columns: keyed %.2f s, keyless %.2f s", colKeyed.back().seconds,
                        colKeyless.back().seconds);
        if (withDaff)
            std::printf(", daff --id %.2f s, daff keyless %.2f s", daffKeyed.back().seconds,
                        daffKeyless.back().seconds);
        std::printf("\n");
        std::fflush(stdout);
    }
    const Measured k = median(keyed), kl = median(keyless);
    const Measured g = git.empty() ? Measured() : median(git);
    bool okCounts = true;
    auto report = [&](const char *name, const Measured &m) {
        qint64 mod = -1, rem = -1, add = -1, same = -1, cells = -1, wrong = -1;
        double read = 0, diffed = 0, text = 0, out = 0, tableMb = 0, diffMb = 0;
        std::sscanf(m.out.constData(), "%lld %lld %lld %lld %lld %lld %lf %lf %lf %lf %lf %lf",
                    &mod, &rem, &add, &same, &cells, &wrong, &read, &diffed, &text, &out, &tableMb,
                    &diffMb);
        const bool exact = m.exitCode == 0 && mod == want.modified && rem == want.removed &&
                           add == want.added && same == want.unchanged &&
                           cells == 2 * want.modified && wrong == 0;
        okCounts = okCounts && exact;
        std::printf("%-30s %8.2f s %9.0f MB   read %.2f s, diff %.2f s, cell text %.2f s, daff "
                    "%.2f s;\n%34s%lld modified, %lld removed, %lld added, %lld unchanged, %lld "
                    "cells (%s)\n",
                    name, m.seconds, double(m.peakKb) / 1024, read, diffed, text, out, "", mod, rem,
                    add, same, cells, exact ? "exact" : "WRONG");
        std::printf("%34sheld: typed tables %.0f MB, diff result %.1f MB\n", "", tableMb, diffMb);
    };
    std::printf("\nmedian of %d run(s):%13s %12s\n", runs, "wall", "peak RSS");
    report("cairn keyed (id), whole job", k);
    report("cairn keyless, whole job", kl);
    if (columns) {
        report("cairn keyed, by columns, diff", median(colKeyed));
        report("cairn keyless, by columns, diff", median(colKeyless));
    }
    if (withDaff) {
        for (const auto &[name, runsOf, file] :
             {std::tuple{"daff diff --id id", &daffKeyed, "/daff-keyed.csv"},
              std::tuple{"daff diff (no key)", &daffKeyless, "/daff-keyless.csv"}}) {
            const Measured m = median(*runsOf);
            const DaffCounts c = daffCounts(dir + file);
            const qint64 unchanged = rows - want.removed - c.modified;
            const bool same = m.exitCode == 0 && c.modified == want.modified &&
                              c.removed == want.removed && c.added == want.added &&
                              c.cells == 2 * want.modified;
            std::printf("%-30s %8.2f s %9.0f MB   exit %d;\n%34s%lld modified, %lld removed, "
                        "%lld added, %lld unchanged, %lld cells (%s)\n",
                        name, m.seconds, double(m.peakKb) / 1024, m.exitCode, "", c.modified,
                        c.removed, c.added, unchanged, c.cells,
                        same ? "same as Cairn's and the generator's" : "DIFFERENT");
        }
        std::printf("\nkeyed: daff --id takes %.1fx Cairn's time; keyless: %.1fx\n",
                    median(daffKeyed).seconds / k.seconds,
                    median(daffKeyless).seconds / kl.seconds);
    }
    if (!git.empty()) {
        std::printf("%-30s %8.2f s %9.0f MB   (exit %d: %s)\n", "git diff --no-index --stat",
                    g.seconds, double(g.peakKb) / 1024, g.exitCode, g.out.trimmed().constData());
        std::printf("\nkeyed: %.2fx git diff's time -> within 2x of git diff: %s\n",
                    k.seconds / g.seconds, k.seconds <= 2 * g.seconds ? "met" : "NOT met");
        std::printf("keyless: %.2fx git diff's time\n", kl.seconds / g.seconds);
    }
    if (!withDaff)
        std::printf("daff: set CAIRN_DAFF to npm's daff executable to run it on these files\n");
    auto memory = [&](const char *name, const Measured &x, const Measured &y) {
        std::printf("memory, %s: keyed peak RSS %.0f MB, keyless %.0f MB; the two files %.0f MB "
                    "(%.2fx and %.2fx of their size)\n",
                    name, double(x.peakKb) / 1024, double(y.peakKb) / 1024, sizeA + sizeB,
                    double(x.peakKb) * 1.024e-3 / (sizeA + sizeB),
                    double(y.peakKb) * 1.024e-3 / (sizeA + sizeB));
    };
    if (columns) {
        memory("whole tables", k, kl);
        memory("by columns", median(colKeyed), median(colKeyless));
    }
    return okCounts ? 0 : 1;
}
