// The table reader against pandas 1.5.3 itself: every case is written to a file, read by
// /usr/bin/python3 with pandas.read_csv(low_memory=False) (the drift oracle's settings), and every
// dtype and value (floats bit for bit) is compared with readTable's, with one block and with many
// small blocks on two threads. Plus errors with their exact line and column, JSON Lines, and a
// fuzz test that also checks the multi-block path against the single-block one.

#include "data/csvreader.h"
#include "data/table.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <fast_float/fast_float.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace cairn;

namespace {

struct Case
{
    QString name;
    QByteArray bytes;
    char sep = ',';     // what pandas is told
    char delimiter = 0; // what readTable is told (0: sniff)
    QString suffix = ".csv";
};

QByteArray operator""_b(const char *s, std::size_t n)
{
    return QByteArray(s, qsizetype(n));
}

QList<Case> fixedCases()
{
    QList<Case> c;
    c << Case{"plain", "a,b,c\n1,2.5,x\n3,4.5,y\n"_b};
    c << Case{"quoting",
              "name,text,n\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"multi\nline\",\"a,b\",2\n"
              "plain,\"\",3\nq\"mid,\"ab\"cd,4\n"_b};
    c << Case{"crlf_and_blank_lines", "a,b\r\n1,x\r\n\r\n2,\"y\r\nz\"\r\n   \r\n\t\r\n3,w\r\n"_b};
    c << Case{"bom", "\xEF\xBB\xBF\"id\",v\n1,2\n"_b};
    c << Case{"semicolon", "a;b;c\n1,5;2;x\n3,1;4;y\n"_b, ';'};
    c << Case{"tab", "a\tb\tc\n1\t \t x \n2\t3\t\n"_b, '\t'};
    c << Case{"pipe", "a|b\n1|\"x|y\"\n2|z\n"_b, '|'};
    c << Case{"tsv_suffix", "a\tb\n1\t2\n"_b, '\t', 0, ".tsv"};
    // Short categories that share their first 8 bytes, or all but one byte, and lengths: the
    // reader's cache of recent short strings must tell them apart by every byte.
    QByteArray cats = "id,cat,tail\n"_b;
    const char *names[] = {"category_A1",
                           "category_A2",
                           "category_B1",
                           "cat",
                           "cau",
                           "abcdefgh",
                           "abcdefgi",
                           "abcdefghijklmnop",
                           "abcdefghijklmnoq",
                           "abcdefghijklmno",
                           "abcdefghijklmnopq",
                           "abcdefghijklmnopr"};
    for (int i = 0; i < 3000; ++i) // and 600 names alike in their first 8 bytes, to collide
        cats += QByteArray::number(i) + "," + names[(i * 7) % 12] + ",category_" +
                QByteArray::number((i * 37) % 600) + "\n";
    c << Case{"short_categories", cats};
    QByteArray na = "i,tok,f\n"_b;
    // pandas 1.5.3's 18 tokens, and "None", which only pandas 2.0 reads as missing
    const char *tokens[] = {"",     "#N/A",   "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN",
                            "-nan", "1.#IND", "1.#QNAN",  "<NA>", "N/A",     "NA",       "NULL",
                            "NaN",  "None",   "n/a",      "nan",  "null"};
    int k = 0;
    for (const char *t : tokens)
        na += QByteArray::number(k++) + "," + t + "," + t + "\n";
    na += "99,\"NA\",1.5\n";
    c << Case{"every_na_token", na};
    c << Case{"na_lookalikes", "a,b\nNAN,1\nnA,2\n\"NA \",3\n NA,4\n"_b};
    c << Case{"quoted_na", "a,b\n\"NA\",1\n\"\",2\nx,3\n"_b};
    c << Case{"int_with_missing", "a,b\n1,5\n,6\n3,NA\n"_b};
    c << Case{"int_min_with_missing",
              "a,b\n-9223372036854775808,1\nNA,2\n9223372036854775807,3\n"_b};
    c << Case{"floats", "f\n1e308\n-1e308\n2.2250738585072014e-308\n4.9e-324\n1e-400\n0.1\n"
                        "123456789012345678901234567890\n0.000000000000000000000000001234567\n"
                        "1.7976931348623157e308\n-0.0\n5.\n.5\n-.5e-3\n1E5\n1e+05\n"_b};
    c << Case{"float_overflow_is_text", "f,g\n1e309,1\n2,0e400\n"_b};
    c << Case{"inf_spellings",
              "f\ninf\n-inf\nInfinity\n-Infinity\n+inf\nINF\niNfInItY\n+Infinity\n1\n"_b};
    c << Case{"inf_with_spaces_is_text", "f\n inf\n1\n"_b};
    c << Case{"plus_and_spaces", "a,b,c\n+5, 6 ,+1.5\n 7,+8 , 2e3 \n"_b};
    c << Case{"bools", "a,b,c\nTrue,true,TRUE\nFalse,false,FALSE\ntRuE,fAlSe,True\n"_b};
    c << Case{"bools_with_missing", "a,b\nTrue,1\n,2\nfalse,3\nNA,4\n"_b};
    c << Case{"bool_and_int_is_text", "a\nTrue\n1\n"_b};
    c << Case{"mixed_int_str", "a,b\n1,x\n2,3\nabc,4\n"_b};
    c << Case{"empty_strings", "a,b,c\nx,,1\n,y,2\n\"\",\"\",3\n"_b};
    c << Case{"unicode", "név,ключ,値\nárvíztűrő,😀,日本語\nß,ε,\"x,y\"\n"_b};
    c << Case{"duplicate_names", "a,,a,a.1,a,b,b\n1,2,3,4,5,6,7\n"_b};
    c << Case{"unnamed_clash", ",Unnamed: 0,x\n1,2,3\n"_b};
    c << Case{"no_final_newline", "a,b\n1,2\n3,4"_b};
    c << Case{"no_final_newline_quoted", "a,b\n1,\"x\ny\""_b};
    c << Case{"short_rows", "a,b,c\n1,2,3\n4\n5,6\n7,8,9\n"_b};
    c << Case{"trailing_delimiter", "a,b\n1,\n2,\n"_b};
    c << Case{"cr_only", "a,b\r1,2\r3,4\r"_b};
    c << Case{"cr_blank_eats_delimiter", "a,b\r\r,5\r6,7\r"_b};
    c << Case{"leading_whitespace_field", "a,b\n  x,1\n \"q\",2\n"_b};
    c << Case{"all_missing", "a,b\n,1\nNA,2\n"_b};
    c << Case{"header_only", "a,b,c\n"_b};
    c << Case{"header_only_no_newline", "a,b"_b};
    c << Case{"blank_lines_before_header", "\n\n  \na,b\n1,2\n"_b};
    c << Case{"uint64", "u,v\n18446744073709551615,1\n9223372036854775808,2\n"_b};
    c << Case{"uint64_with_missing_keeps_na_text", "u,v\n18446744073709551615,1\nNA,2\n,3\n"_b};
    c << Case{"uint64_with_negative", "u\n18446744073709551615\n-1\n"_b};
    c << Case{"beyond_uint64", "u\n18446744073709551616\n1\n"_b};
    c << Case{"overflow_then_float", "u\n99999999999999999999.5\n1.5\n"_b};
    c << Case{"float_then_overflow", "u\n1.5\n99999999999999999999.5\n"_b};
    c << Case{"below_int64", "u\n-9223372036854775809\n1\n"_b};
    c << Case{"big_ints_then_float", "u\n12345678901234567\n9007199254740993\n1.5\n"_b};
    c << Case{"seventeen_digits", "f\n0.021489705265908876\n0.00287966467114993\n"
                                  "-4.3090749636585267e+18\n0.94650451408612368\n"
                                  "00000000000000000000001.5\n1.00000000000000000000001\n"_b};
    c << Case{"exponent_wraps", "f\n1e4294967297\n1\n"_b};
    c << Case{"nul_bytes", "a,b\nx\0y,1\n1\0002,2\n"_b};
    return c;
}

// Random columns mixing every kind of token, with quoting, across many small blocks.
QByteArray randomCsv(std::mt19937_64 &rng, int rows, char sep)
{
    static const char *ints[] = {
        "0",        "1", "-5", "+7", " 42 ", "007", "9007199254740993", "-9223372036854775808",
        "123456789"};
    static const char *floats[] = {"1.5",
                                   ".5",
                                   "5.",
                                   "1e5",
                                   "1E-3",
                                   "-0.0",
                                   "inf",
                                   "-Infinity",
                                   "0.1",
                                   "3.14159265358979323846",
                                   "0.021489705265908876",
                                   " 2.5 ",
                                   "1e-320"};
    static const char *nas[] = {"",    "NA",   "NaN",  "null", "None",
                                "n/a", "#N/A", "-nan", "<NA>", "#N/A N/A"};
    static const char *bools[] = {"True", "false", "TRUE", "False", "tRuE"};
    static const char *strs[] = {"abc",        "x y",         "é",          "日本",    "a,b",
                                 "say \"hi\"", "line\nbreak", "semi;colon", "tab\tin", "pipe|d",
                                 " lead",      "-",           "1.2.3",      "0x10"};
    static const char *bigs[] = {"18446744073709551615", "99999999999999999999",
                                 "-99999999999999999999", "9223372036854775808"};
    auto pick = [&](auto &arr) { return QByteArray(arr[rng() % std::size(arr)]); };
    const int cols = 2 + int(rng() % 4);
    // Each column has a main kind and rare intruders (some in late rows only: a promotion in a
    // late block must reach back to the early ones).
    std::vector<int> mainKind(static_cast<std::size_t>(cols), 0);
    for (int &m : mainKind)
        m = int(rng() % 6);
    QByteArray out = "id";
    for (int c = 0; c < cols; ++c)
        out += sep + QByteArray("c") + QByteArray::number(c % 3); // duplicates: c0, c0.1 ...
    out += "\n";
    for (int r = 0; r < rows; ++r) {
        out += QByteArray::number(r);
        int fields = cols;
        if (rng() % 40 == 0)
            fields = int(rng() % std::uint64_t(cols)); // a short row
        for (int c = 0; c < fields; ++c) {
            int kind = mainKind[std::size_t(c)];
            const auto roll = rng() % 100;
            if (roll < 8)
                kind = 2; // missing
            else if (roll == 8 && r > rows / 2)
                kind = int(rng() % 6); // a late intruder
            QByteArray t;
            switch (kind) {
            case 0:
                t = pick(ints);
                break;
            case 1:
                t = pick(floats);
                if (rng() % 3 == 0)
                    t = QByteArray::number(std::ldexp(double(rng() % 1000000), -int(rng() % 40)),
                                           'g', 17);
                break;
            case 2:
                t = pick(nas);
                break;
            case 3:
                t = pick(bools);
                break;
            case 4:
                t = pick(strs);
                break;
            default:
                t = rng() % 4 == 0 ? pick(bigs) : pick(ints);
                break;
            }
            const bool mustQuote =
                t.contains(sep) || t.contains('"') || t.contains('\n') || t.contains('\r');
            if (mustQuote || rng() % 10 == 0)
                t = '"' + t.replace("\"", "\"\"") + '"';
            out += sep + t;
        }
        out += rng() % 5 == 0 ? "\r\n" : "\n";
    }
    return out;
}

const char *kPandasScript = R"PY(
import json, math, struct, sys
import pandas as pd
jobs = json.load(open(sys.argv[1]))
out = {}
for job in jobs:
    try:
        df = pd.read_csv(job['path'], sep=job['sep'], low_memory=False)
        cols = []
        for name in df.columns:
            s = df[name]
            vals = []
            for v in s.tolist():
                if isinstance(v, bool):
                    vals.append(['b', v])
                elif isinstance(v, int):
                    vals.append(['i', str(v)])
                elif isinstance(v, float):
                    vals.append(['n'] if math.isnan(v) else ['f', str(struct.unpack('<q', struct.pack('<d', v))[0])])
                elif isinstance(v, str):
                    vals.append(['s', v])
                else:
                    vals.append(['?', repr(v)])
            cols.append({'name': str(name), 'dtype': str(s.dtype), 'values': vals})
        out[job['path']] = {'columns': cols, 'rangeIndex': isinstance(df.index, pd.RangeIndex)}
    except Exception as e:
        out[job['path']] = {'error': type(e).__name__ + ': ' + str(e)}
json.dump(out, open(sys.argv[2], 'w'))
)PY";

qint64 bitsOf(double d)
{
    qint64 b;
    std::memcpy(&b, &d, sizeof b);
    return b;
}

QString valueText(const Column &c, std::size_t r)
{
    switch (c.type) {
    case ColumnType::Int64:
        return QString::number(c.ints[r]);
    case ColumnType::Float64:
        return QString::number(c.floats[r], 'g', 17);
    case ColumnType::Bool:
        return c.bools[r] < 0 ? "missing" : c.bools[r] ? "True" : "False";
    case ColumnType::String:
        return c.codes[r] < 0 ? QString("missing")
                              : QString('"' + c.dictionary[std::size_t(c.codes[r])] + '"');
    }
    return {};
}

// Empty if `col` holds what pandas produced, else the first difference.
QString compareWithPandas(const Column &col, const QJsonObject &p)
{
    if (col.name != p["name"].toString())
        return "name " + col.name + " vs pandas " + p["name"].toString();
    const QString dtype = p["dtype"].toString();
    const QJsonArray values = p["values"].toArray();
    if (col.size() != values.size())
        return col.name + ": " + QString::number(col.size()) + " rows vs pandas " +
               QString::number(values.size());
    bool objectOfBools = dtype == "object";
    for (const auto &v : values) {
        const QString t = v.toArray()[0].toString();
        if (t != "b" && t != "n")
            objectOfBools = false;
    }
    if (std::none_of(values.begin(), values.end(),
                     [](const QJsonValue &v) { return v.toArray()[0].toString() == "b"; }))
        objectOfBools = false;
    ColumnType expected = ColumnType::String;
    if (dtype == "int64")
        expected = ColumnType::Int64;
    else if (dtype == "float64" || dtype == "uint64") // uint64 is read as Float64 (documented)
        expected = ColumnType::Float64;
    else if (dtype == "bool" || objectOfBools)
        expected = ColumnType::Bool;
    if (col.type != expected)
        return col.name + ": type " + columnTypeName(col.type) + " vs pandas " + dtype;
    if (expected == ColumnType::Bool && col.boolHasMissing != (dtype == "object"))
        return col.name + ": boolHasMissing is wrong";
    for (qsizetype r = 0; r < values.size(); ++r) {
        const QJsonArray v = values[r].toArray();
        const QString t = v[0].toString();
        const auto i = std::size_t(r);
        bool same = false;
        switch (col.type) {
        case ColumnType::Int64:
            same = t == "i" && QString::number(col.ints[i]) == v[1].toString();
            break;
        case ColumnType::Float64:
            if (t == "n")
                same = std::isnan(col.floats[i]);
            else if (t == "f")
                same = bitsOf(col.floats[i]) == v[1].toString().toLongLong();
            else if (t == "i") // uint64
                same = col.floats[i] == double(v[1].toString().toULongLong());
            break;
        case ColumnType::Bool:
            same = t == "n" ? col.bools[i] == -1 : t == "b" && col.bools[i] == int(v[1].toBool());
            break;
        case ColumnType::String:
            same = t == "n" ? col.codes[i] == -1
                            : t == "s" && col.codes[i] >= 0 &&
                                  col.dictionary[std::size_t(col.codes[i])] == v[1].toString();
            break;
        }
        if (!same) {
            return col.name + " row " + QString::number(r) + ": " + valueText(col, i) +
                   " vs pandas " +
                   QString::fromUtf8(QJsonDocument(v).toJson(QJsonDocument::Compact));
        }
    }
    return {};
}

// Empty if both tables are identical (types, names, values, dictionaries), else the difference.
QString sameTable(const Table &a, const Table &b)
{
    if (a.rows != b.rows)
        return "rows " + QString::number(a.rows) + " vs " + QString::number(b.rows);
    if (a.columns.size() != b.columns.size())
        return "column count differs";
    for (qsizetype c = 0; c < a.columns.size(); ++c) {
        const Column &x = a.columns[c];
        const Column &y = b.columns[c];
        if (x.name != y.name || x.type != y.type || x.boolHasMissing != y.boolHasMissing)
            return "column " + x.name + " header/type differs: " + columnTypeName(x.type) + " vs " +
                   columnTypeName(y.type);
        if (x.size() != a.rows || y.size() != b.rows)
            return "column " + x.name + " has the wrong length";
        const bool floatsSame =
            std::equal(x.floats.begin(), x.floats.end(), y.floats.begin(), y.floats.end(),
                       [](double p, double q) {
                           return bitsOf(p) == bitsOf(q) || (std::isnan(p) && std::isnan(q));
                       });
        if (x.ints != y.ints || !floatsSame || x.bools != y.bools || x.codes != y.codes ||
            x.dictionary != y.dictionary)
            return "column " + x.name + " values differ";
    }
    return {};
}

} // namespace

class TestCsvReader : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void matchesPandas_data();
    void matchesPandas();
    void floatsMatchPandasBitForBit();
    void pandasRules();
    void fastFloatPathsAgreeWithGeneralParser();
    void errors_data();
    void errors();
    void emptyInputs();
    void sniffing_data();
    void sniffing();
    void multiBlockQuotedNewlines();
    void promotionAcrossBlocks();
    void readTableBytesMatchesFile();
    void onlyColumns();
    void progressAndCancel();
    void jsonLines();
    void jsonLinesMultiBlock();
    void jsonLinesErrors_data();
    void jsonLinesErrors();
    void fastPathMatchesReference();
    void fuzz();

private:
    QString writeCase(const QString &name, const QByteArray &bytes, const QString &suffix = ".csv");
    Result<Table> read(const QString &path, qint64 blockSize = 0, int threads = 0,
                       char delimiter = 0, bool padShortRows = true);

    QTemporaryDir m_dir;
    QList<Case> m_cases;
    QJsonObject m_pandas; // path -> pandas' result
    QString m_floatsPath;
    QStringList m_floatTokens;
};

QString TestCsvReader::writeCase(const QString &name, const QByteArray &bytes,
                                 const QString &suffix)
{
    const QString path = m_dir.filePath(name + suffix);
    test::writeFile(path, bytes);
    return path;
}

Result<Table> TestCsvReader::read(const QString &path, qint64 blockSize, int threads,
                                  char delimiter, bool padShortRows)
{
    ReadOptions o;
    o.padShortRows = padShortRows;
    o.blockSize = blockSize;
    o.threads = threads;
    o.delimiter = delimiter;
    return readTable(path, o);
}

void TestCsvReader::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_cases = fixedCases();
    std::mt19937_64 rng(20240611);
    for (int i = 0; i < 40; ++i) {
        const char sep = ",;\t|"[i % 4];
        m_cases << Case{"random_" + QString::number(i), randomCsv(rng, 30 + int(rng() % 400), sep),
                        sep, sep};
    }
    // Floats in every style, to compare pandas' float parser with ours bit for bit.
    QByteArray floats = "f\n";
    for (int i = 0; i < 60000; ++i) {
        const double mag = std::pow(10.0, double(int(rng() % 80) - 40));
        const double v = (double(rng() >> 11) / double(1ull << 53) - 0.3) * mag;
        QByteArray t;
        switch (i % 7) {
        case 6: { // short plain decimals, the parser's fast path, with its corner forms
            static const char *forms[] = {"%s%lld.%0*lld", "%s%lld.", "%s.%0*lld",
                                          "%s0%lld.%0*lld"};
            const int form = int(rng() % 4);
            const char *sign = rng() % 3 == 0 ? "-" : (rng() % 5 == 0 ? "+" : "");
            const int decimals = int(rng() % 17);
            const auto whole = qint64(rng() % 100000);
            const auto frac = qint64(rng() % 100000000000000000ull);
            char buf[64];
            if (form == 1)
                std::snprintf(buf, sizeof buf, forms[1], sign, whole);
            else if (form == 2)
                std::snprintf(buf, sizeof buf, forms[2], sign, decimals + 1,
                              frac % 1000000000000000);
            else
                std::snprintf(buf, sizeof buf, forms[form], sign, whole, decimals + 1,
                              frac % 1000000000000000);
            t = buf;
            break;
        }
        case 0:
            t = QByteArray::number(v, 'g', 17);
            break;
        case 1:
            t = QByteArray::number(v, 'g', 16);
            break;
        case 2:
            t = QByteArray::number(v, 'f', int(rng() % 25));
            break;
        case 3:
            t = QByteArray::number(v, 'e', int(rng() % 20));
            break;
        case 4:
            t = QByteArray::number(qint64(rng() % 100000000000000000ull)) + "." +
                QByteArray::number(qint64(rng() % 1000000));
            break;
        default:
            t = QByteArray::number(v, 'g', 6);
            break;
        }
        m_floatTokens << QString::fromLatin1(t);
        floats += t + "\n";
    }
    m_floatsPath = writeCase("floats_many", floats);

    QJsonArray jobs;
    for (const Case &c : std::as_const(m_cases)) {
        const QString path = writeCase(c.name, c.bytes, c.suffix);
        jobs.append(QJsonObject{{"path", path}, {"sep", QString(QLatin1Char(c.sep))}});
    }
    jobs.append(QJsonObject{{"path", m_floatsPath}, {"sep", ","}});
    const QString jobsPath = m_dir.filePath("jobs.json");
    const QString outPath = m_dir.filePath("pandas.json");
    const QString script = m_dir.filePath("dump.py");
    test::writeFile(jobsPath, QJsonDocument(jobs).toJson());
    test::writeFile(script, kPandasScript);
    const auto r = test::runProcess("/usr/bin/python3", {script, jobsPath, outPath}, {}, 300000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    m_pandas = QJsonDocument::fromJson(test::readFile(outPath)).object();
    QVERIFY(!m_pandas.isEmpty());
}

void TestCsvReader::matchesPandas_data()
{
    QTest::addColumn<int>("index");
    for (int i = 0; i < m_cases.size(); ++i)
        QTest::newRow(m_cases[i].name.toUtf8().constData()) << i;
}

void TestCsvReader::matchesPandas()
{
    QFETCH(int, index);
    const Case &c = m_cases[index];
    const QString path = m_dir.filePath(c.name + c.suffix);
    const QJsonObject p = m_pandas[path].toObject();
    QVERIFY2(!p.contains("error"), qPrintable(p["error"].toString()));
    const QJsonArray pcols = p["columns"].toArray();
    const bool noRows = pcols.isEmpty() || pcols[0].toObject()["values"].toArray().isEmpty();
    QVERIFY(p["rangeIndex"].toBool() || noRows); // pandas did not take a column as the index
    // One block on the calling thread, then many small blocks on two threads: the same answer.
    const std::pair<qint64, int> configs[] = {{0, 0}, {16, 2}, {64, 2}, {101, 1}};
    for (const auto &[blockSize, threads] : configs) {
        const auto t = read(path, blockSize, threads, c.delimiter);
        QVERIFY2(t.has_value(), qPrintable(t ? QString() : t.error().toString()));
        QCOMPARE(t->columns.size(), pcols.size());
        for (qsizetype k = 0; k < pcols.size(); ++k) {
            const QString diff = compareWithPandas(t->columns[k], pcols[k].toObject());
            QVERIFY2(diff.isEmpty(),
                     qPrintable("block size " + QString::number(blockSize) + ": " + diff));
        }
        QCOMPARE(t->rows, pcols.isEmpty() ? 0 : pcols[0].toObject()["values"].toArray().size());
    }
}

void TestCsvReader::floatsMatchPandasBitForBit()
{
    const QJsonObject p = m_pandas[m_floatsPath].toObject();
    const auto t = read(m_floatsPath);
    QVERIFY(t.has_value());
    QCOMPARE(t->columns.size(), 1);
    QCOMPARE(t->columns[0].type, ColumnType::Float64);
    const QString diff = compareWithPandas(t->columns[0], p["columns"].toArray()[0].toObject());
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    // pandas' default parser is not correctly rounded: following it is a choice, and this shows
    // it matters (if someone swaps in a correctly rounded parser, this test says why not).
    int differ = 0;
    for (qsizetype i = 0; i < m_floatTokens.size(); ++i) {
        const QByteArray tok = m_floatTokens[i].toLatin1();
        double exact = 0;
        fast_float::from_chars(tok.constData(), tok.constData() + tok.size(), exact);
        differ += bitsOf(exact) != bitsOf(t->columns[0].floats[std::size_t(i)]);
    }
    qInfo("%d of %lld values differ from correct rounding, as in pandas", differ,
          qint64(m_floatTokens.size()));
    QVERIFY(differ > 0);
}

// The inline float parsers are shortcuts of parseDoubleGeneral: where they answer, they must give
// its double bit for bit, and they must answer for the plain decimals they exist for. Tokens are
// random mixes of digits, points, signs, exponents and spaces, followed by bytes that must not
// change the result (digits and points, read by the word-at-a-time parser).
void TestCsvReader::fastFloatPathsAgreeWithGeneralParser()
{
    using namespace cairn::csv;
    std::mt19937_64 rng(4242);
    const char alphabet[] = "0123456789012345678901234567890123456789..-+e ";
    int shortTaken = 0, plainTaken = 0, mustTake = 0;
    for (int i = 0; i < 400000; ++i) {
        char buf[64];
        for (char &c : buf)
            c = "0123456789.,"[rng() % 12];
        std::size_t n = rng() % 20;
        bool canonical = i % 2 == 0; // and below 2^53 (at most 15 digits)
        if (canonical) {             // [sign] up to 8 digits [. up to 8 digits]
            std::string t = rng() % 3 == 0 ? "-" : (rng() % 7 == 0 ? "+" : "");
            const int whole = int(rng() % 9), frac = int(rng() % 9);
            for (int k = 0; k < whole; ++k)
                t += char('0' + rng() % 10);
            if (frac > 0 || rng() % 2)
                t += '.';
            for (int k = 0; k < frac; ++k)
                t += char('0' + rng() % 10);
            n = t.size();
            std::memcpy(buf, t.data(), n);
            canonical = whole + frac <= 15;
            mustTake += canonical && whole + frac > 0;
        } else {
            for (std::size_t k = 0; k < n; ++k)
                buf[k] = alphabet[rng() % (sizeof alphabet - 1)];
        }
        const std::string_view tok(buf, n);
        double general = 0;
        const bool generalOk = parseDoubleGeneral(tok, general);
        double fast = 0;
        if (detail::parseShortDecimal(buf, n, fast)) {
            ++shortTaken;
            QVERIFY2(generalOk && bitsOf(fast) == bitsOf(general), buf);
        } else if (canonical && n > 0 && generalOk) {
            QFAIL(
                qPrintable("parseShortDecimal refused " + QString::fromLatin1(buf, qsizetype(n))));
        }
        double plain = 0;
        if (detail::parsePlainDecimal(tok, plain)) {
            ++plainTaken;
            QVERIFY2(generalOk && bitsOf(plain) == bitsOf(general),
                     qPrintable(QByteArray(buf, qsizetype(n))));
        }
        double viaApi = 0;
        QCOMPARE(parseDouble(tok, viaApi), generalOk);
        if (generalOk)
            QCOMPARE(bitsOf(viaApi), bitsOf(general));
    }
    qInfo("short path took %d tokens, plain path %d (%d canonical tokens)", shortTaken, plainTaken,
          mustTake);
    QVERIFY(shortTaken >= mustTake && plainTaken >= mustTake);
}

void TestCsvReader::pandasRules()
{
    using namespace cairn::csv;
    double d = 0;
    QVERIFY(parseDouble("0.021489705265908876", d));
    QCOMPARE(bitsOf(d), bitsOf(0x1.60165b545622ap-6)); // pandas' value (correct: ...240p-6)
    QVERIFY(parseDouble(" +1.5e3 ", d) && d == 1500);
    QVERIFY(!parseDouble("1e", d));
    QVERIFY(!parseDouble("1e309", d));
    QVERIFY(!parseDouble(".", d));
    QVERIFY(parseDouble("-iNf", d) && std::isinf(d) && d < 0);
    QVERIFY(!parseDouble(" inf", d));
    std::int64_t i = 0;
    QCOMPARE(parseInt64(" -42 ", i), IntParse::Ok);
    QCOMPARE(i, -42);
    QCOMPARE(parseInt64("9223372036854775808", i), IntParse::Overflow);
    QCOMPARE(parseInt64("-9223372036854775808", i), IntParse::Ok);
    QCOMPARE(parseInt64("99999999999999999999abc", i),
             IntParse::Overflow); // as pandas: overflow first
    QCOMPARE(parseInt64("1.0", i), IntParse::Invalid);
    QCOMPARE(parseBool("tRUE"), 1);
    QCOMPARE(parseBool("no"), -1);
    QVERIFY(isNaToken("") && isNaToken("#N/A N/A") && !isNaToken("NAN") && !isNaToken("na"));
    QVERIFY(!isNaToken("None")); // pandas 2.0 added it; 1.5.3 keeps it as text
    QCOMPARE(mangleColumnNames({"a", "", "a", "a.1", "a"}),
             QStringList({"a", "Unnamed: 1", "a.2", "a.1", "a.3"}));
}

void TestCsvReader::errors_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<qint64>("blockSize");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    for (qint64 bs : {qint64(0), qint64(8), qint64(32)}) {
        const QByteArray suffix = "/bs" + QByteArray::number(bs);
        auto row = [&](const char *name) -> QTestData & {
            return QTest::newRow(QByteArray(name + suffix).constData());
        };
        row("too many fields") << "a,b\n1,2\n3,4,5\n"_b << bs << 3 << 4 << "3 fields";
        row("too many after multi-line field")
            << "a,b\n\"x\ny\",1\n2,3,4,5\n"_b << bs << 4 << 4 << "4 fields";
        row("first row too long (pandas: index)")
            << "a,b\n1,2,3\n"_b << bs << 2 << 4 << "header has 2";
        row("unterminated quote") << "a,b\n1,2\n3,\"abc\n4,5\n"_b << bs << 3 << 3 << "not closed";
        row("unterminated quote in header") << "a,\"b\n1,2\n"_b << bs << 1 << 3 << "not closed";
        row("bad utf-8") << "a,b\n1,x\xffy\n"_b << bs << 2 << 4 << "UTF-8";
        row("surrogate") << "a,b\n1,2\n3,\xed\xa0\x80\n"_b << bs << 3 << 3 << "UTF-8";
        row("overlong") << "a,b\n1,\xc0\xaf\n"_b << bs << 2 << 3 << "UTF-8";
        row("truncated sequence") << "a,b\n1,\xe6\x97\n"_b << bs << 2 << 3 << "UTF-8";
        row("bad utf-8 in header") << "a\xff,b\n1,2\n"_b << bs << 1 << 2 << "UTF-8";
        row("bom not counted") << "\xEF\xBB\xBF"
                                  "a,\"b\n"_b
                               << bs << 1 << 3 << "not closed";
        row("crlf lines") << "a,b\r\n1,2\r\n3,4,5\r\n"_b << bs << 3 << 4 << "3 fields";
        // pandas pads a short row with missing values; Cairn asks (ReadOptions::padShortRows).
        row("too few fields") << "a,b,c\n1,2,3\n4,5\n6,7,8\n"_b << bs << 3 << 4
                              << "row has 2 fields but the header has 3";
        row("one field of three") << "a,b,c\n1,2,3\n4\n"_b << bs << 3 << 2 << "1 field but";
        row("too few, quoted") << "a;b;c\n\"x\";\"y\"\n"_b << bs << 2 << 8 << "2 fields";
        row("cr lines") << "a,b\r1,2\r3,4,5\r"_b << bs << 3 << 4 << "3 fields";
    }
    // Far into a file: the line count must add up across blocks.
    QByteArray far = "a,b\n";
    int farLine = 2; // the header, then one line per row and one more per two-line field
    for (int i = 0; i < 500; ++i) {
        far += i % 7 == 0 ? "\"q\nq\",1\n" : "1,2\n";
        farLine += i % 7 == 0 ? 2 : 1;
    }
    for (qint64 bs : {qint64(0), qint64(16), qint64(100)}) {
        QTest::newRow(QByteArray("far/bs" + QByteArray::number(bs)).constData())
            << far + "3,4,5\n"
            << bs << farLine << 4 << "3 fields";
        QTest::newRow(QByteArray("far utf-8/bs" + QByteArray::number(bs)).constData())
            << far + "3,\xff\n"
            << bs << farLine << 3 << "UTF-8";
    }
    QTest::newRow("record too long") << "a\n" + QByteArray(3000, 'x') + "\n"
                                     << qint64(16) << 2 << 1 << "longer";
    QTest::newRow("unclosed quote, long file, small blocks")
        << "a,b\n1,\"open\n" + QByteArray(5000, 'x') + "\n"
        << qint64(16) << 2 << 3 << "quoted field longer";
}

void TestCsvReader::errors()
{
    QFETCH(QByteArray, csv);
    QFETCH(qint64, blockSize);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);
    const QString path = writeCase("error", csv);
    for (int threads : {1, 2}) {
        const auto t = read(path, blockSize, threads, 0, false);
        QVERIFY(!t.has_value());
        QVERIFY2(t.error().message.contains(message), qPrintable(t.error().toString()));
        QCOMPARE(t.error().file, path);
        QCOMPARE(t.error().line, line);
        QCOMPARE(t.error().column, column);
    }
}

void TestCsvReader::emptyInputs()
{
    for (const QByteArray &bytes : {""_b, "\n\n"_b, "  \n\t\n"_b, "\xEF\xBB\xBF"_b}) {
        const auto t = read(writeCase("empty", bytes));
        QVERIFY(!t.has_value());
        QVERIFY(t.error().message.contains("empty"));
    }
    const auto missing = read(m_dir.filePath("does-not-exist.csv"));
    QVERIFY(!missing.has_value());
    QVERIFY(missing.error().message.startsWith("cannot read"));

    const auto header = read(writeCase("header", "x;y;z\n"_b));
    QVERIFY(header.has_value());
    QCOMPARE(header->rows, 0);
    QCOMPARE(header->columns.size(), 3);
    QCOMPARE(header->columns[2].name, "z");
    QCOMPARE(header->columns[2].type, ColumnType::String);
}

void TestCsvReader::sniffing_data()
{
    QTest::addColumn<QByteArray>("sample");
    QTest::addColumn<char>("expected");
    QTest::newRow("comma") << "a,b,c\n1,2,3\n"_b << ',';
    QTest::newRow("semicolon with decimal commas") << "a;b\n1,5;2,5\n3,1;4,25\n"_b << ';';
    QTest::newRow("tab") << "a\tb\n1\t2\n"_b << '\t';
    QTest::newRow("pipe with commas in text") << "a|b\nx, y|1\nz|2\n"_b << '|';
    QTest::newRow("quoted commas") << "a;b\n\"1,2,3\";4\n"_b << ';';
    QTest::newRow("one column") << "a\n1\n2\n"_b << ',';
    QTest::newRow("a short row") << "a;b;c\n1;2;3\n4;5\n6;7;8\n"_b << ';';
}

void TestCsvReader::sniffing()
{
    QFETCH(QByteArray, sample);
    QFETCH(char, expected);
    QCOMPARE(csv::sniffDelimiter({sample.constData(), std::size_t(sample.size())}, true), expected);
}

void TestCsvReader::multiBlockQuotedNewlines()
{
    // Quoted fields full of line ends, delimiters and doubled quotes, in CRLF, so that block
    // boundaries fall inside them for every block size.
    std::mt19937_64 rng(7);
    QByteArray csv = "id,text,value\r\n";
    std::vector<QString> texts;
    for (int i = 0; i < 2000; ++i) {
        QByteArray text;
        const int parts = 1 + int(rng() % 4);
        for (int p = 0; p < parts; ++p) {
            static const char *bits[] = {"a", "\r\n", "\n", ",", "\"", "é", "\r", "x y"};
            text += bits[rng() % 8];
        }
        texts.push_back(QString::fromUtf8(text));
        csv += QByteArray::number(i) + ",\"" + QByteArray(text).replace("\"", "\"\"") + "\"," +
               QByteArray::number(i * 0.25) + "\r\n";
    }
    const QString path = writeCase("quoted_newlines", csv);
    const auto whole = read(path);
    QVERIFY(whole.has_value());
    QCOMPARE(whole->rows, 2000);
    const Column *text = whole->column(u"text");
    QVERIFY(text);
    for (std::size_t i = 0; i < texts.size(); ++i)
        QCOMPARE(text->dictionary[std::size_t(text->codes[i])], texts[i]);
    QCOMPARE(whole->column(u"value")->type, ColumnType::Float64);
    for (qint64 bs : {1, 2, 3, 5, 8, 13, 64, 1000, 4096}) {
        for (int threads : {1, 2, 3}) {
            const auto t = read(path, bs, threads);
            QVERIFY2(t.has_value(), qPrintable(t ? QString() : t.error().toString()));
            const QString diff = sameTable(*whole, *t);
            QVERIFY2(diff.isEmpty(), qPrintable("block size " + QString::number(bs) + ": " + diff));
        }
    }
}

void TestCsvReader::promotionAcrossBlocks()
{
    // A column that is int for 5000 rows, then gets one float; one that turns into text in the
    // last row; one with huge ints (which pandas parses differently as floats) then a float.
    QByteArray csv = "a,b,c,d\n";
    for (int i = 0; i < 5000; ++i) {
        const QByteArray big = QByteArray::number(9007199254740993ll + 2 * i);
        csv += QByteArray::number(i) + "," + QByteArray::number(i) + "," + big + "," +
               (i % 2 ? "True" : "false") + "\n";
    }
    csv += "1.5,word,0.5,\n";
    const QString path = writeCase("promotion", csv);
    const auto whole = read(path);
    QVERIFY(whole.has_value());
    QCOMPARE(whole->columns[0].type, ColumnType::Float64);
    QCOMPARE(whole->columns[1].type, ColumnType::String);
    QCOMPARE(whole->columns[1].dictionary[std::size_t(whole->columns[1].codes[4999])], "4999");
    QCOMPARE(whole->columns[2].type, ColumnType::Float64);
    QCOMPARE(whole->columns[3].type, ColumnType::Bool);
    QVERIFY(whole->columns[3].boolHasMissing);
    // pandas' parser on "9007199254740995" (17 digits, above 2^53) vs the int converted
    double viaPandas = 0;
    QVERIFY(csv::parseDouble("9007199254740995", viaPandas));
    QCOMPARE(bitsOf(whole->columns[2].floats[1]), bitsOf(viaPandas));
    for (qint64 bs : {64, 1000, 10000}) {
        const auto t = read(path, bs, 2);
        QVERIFY(t.has_value());
        const QString diff = sameTable(*whole, *t);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }
    // and against the reference algorithm, column by column
    for (qsizetype c = 0; c < 4; ++c) {
        std::vector<std::string> store;
        for (const QByteArray &line : csv.split('\n').mid(1)) {
            if (!line.isEmpty())
                store.push_back(line.split(',').value(c).toStdString());
        }
        std::vector<std::string_view> tokens(store.begin(), store.end());
        Table one;
        one.rows = whole->rows;
        one.columns = {csv::inferColumn(whole->columns[c].name, tokens)};
        Table mine;
        mine.rows = whole->rows;
        mine.columns = {whole->columns[c]};
        QCOMPARE(sameTable(one, mine), QString());
    }
}

void TestCsvReader::readTableBytesMatchesFile()
{
    for (const Case &c : std::as_const(m_cases)) {
        const QString path = m_dir.filePath(c.name + c.suffix);
        const auto file = read(path, 0, 0, c.delimiter);
        ReadOptions o;
        o.padShortRows = true; // as pandas, which these compare with
        o.delimiter = c.delimiter;
        o.blockSize = 32;
        const auto bytes = readTableBytes(c.bytes, "rev:" + c.name + c.suffix, o);
        QVERIFY(file.has_value() && bytes.has_value());
        QCOMPARE(sameTable(*file, *bytes), QString());
        QCOMPARE(bytes->source, "rev:" + c.name + c.suffix);
    }
    const auto bad = readTableBytes("a,b\n1,2,3\n", "HEAD:data.csv");
    QVERIFY(!bad);
    QCOMPARE(bad.error().file, "HEAD:data.csv");
    QCOMPARE(bad.error().line, 2);
}

void TestCsvReader::onlyColumns()
{
    const QString path = writeCase("subset", "a,b,c,a\n1,x,2.5,7\n3,y,,8\n"_b);
    ReadOptions o;
    o.padShortRows = true; // as pandas, which these compare with
    o.onlyColumns = {"c", "a.1"};
    const auto t = readTable(path, o);
    QVERIFY(t.has_value());
    QCOMPARE(t->columns.size(), 2);
    QCOMPARE(t->columns[0].name, "c");
    QCOMPARE(t->columns[0].type, ColumnType::Float64);
    QCOMPARE(t->columns[1].name, "a.1");
    QCOMPARE(t->columns[1].ints, (std::vector<std::int64_t>{7, 8}));
    o.onlyColumns = {"nope"};
    const auto missing = readTable(path, o);
    QVERIFY(!missing);
    QVERIFY(missing.error().message.contains("nope"));
}

void TestCsvReader::progressAndCancel()
{
    QByteArray csv = "a,b\n";
    for (int i = 0; i < 20000; ++i)
        csv += QByteArray::number(i) + ",x\n";
    const QString path = writeCase("progress", csv);
    ReadOptions o;
    o.padShortRows = true; // as pandas, which these compare with
    o.blockSize = 4096;
    qint64 last = -1;
    int calls = 0;
    const auto t = readTable(path, o, [&](qint64 done, qint64 total) {
        [&] { QVERIFY(done >= last && done <= total && total == csv.size()); }();
        last = done;
        ++calls;
        return true;
    });
    QVERIFY(t.has_value());
    QCOMPARE(t->rows, 20000);
    QVERIFY(calls > 10);
    QCOMPARE(last, csv.size());
    int seen = 0;
    const auto cancelled = readTable(path, o, [&](qint64, qint64) { return ++seen < 3; });
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().message, "cancelled");
    QCOMPARE(seen, 3);
}

void TestCsvReader::jsonLines()
{
    const QByteArray jsonl =
        "{\"i\": 1, \"f\": 1.5, \"s\": \"x\", \"b\": true, \"n\": null, \"o\": {\"k\": [1, 2]}, "
        "\"m\": 1}\n"
        "\n"
        "{\"i\": 2, \"f\": 2, \"s\": \"caf\\u00e9 \\ud83d\\ude00\", \"b\": false, \"m\": \"two\", "
        "\"late\": 7}\r\n"
        "  {\"i\": -3, \"f\": 1e400, \"s\": null, \"o\": [ ], \"m\": 3.50, \"i\": 30, \"x\": 9007199254740993}\n"_b;
    const QString path = writeCase("data", jsonl, ".jsonl");
    for (qint64 bs : {0, 7, 40}) {
        ReadOptions o;
        o.padShortRows = true; // as pandas, which these compare with
        o.blockSize = bs;
        const auto t = readTable(path, o);
        QVERIFY2(t.has_value(), qPrintable(t ? QString() : t.error().toString()));
        QCOMPARE(t->rows, 3);
        QStringList names;
        for (const Column &c : t->columns)
            names << c.name;
        QCOMPARE(names, QStringList({"i", "f", "s", "b", "n", "o", "m", "late", "x"}));
        const Column *i = t->column(u"i");
        QCOMPARE(i->type, ColumnType::Int64);
        QCOMPARE(i->ints, (std::vector<std::int64_t>{1, 2, 30})); // the repeated key: last wins
        const Column *f = t->column(u"f");
        QCOMPARE(f->type, ColumnType::Float64);
        QCOMPARE(f->floats[1], 2.0);
        QVERIFY(std::isinf(f->floats[2]));
        const Column *s = t->column(u"s");
        QCOMPARE(s->type, ColumnType::String);
        QCOMPARE(s->dictionary[std::size_t(s->codes[1])], QString::fromUtf8("café 😀"));
        QCOMPARE(s->codes[2], -1);
        const Column *b = t->column(u"b");
        QCOMPARE(b->type, ColumnType::Bool);
        QVERIFY(b->boolHasMissing);
        QCOMPARE(b->bools, (std::vector<std::int8_t>{1, 0, -1}));
        QCOMPARE(t->column(u"n")->type, ColumnType::Float64);
        QCOMPARE(t->column(u"n")->missingCount(), 3);
        const Column *o2 = t->column(u"o");
        QCOMPARE(o2->dictionary[std::size_t(o2->codes[0])], "{\"k\": [1, 2]}");
        QCOMPARE(o2->dictionary[std::size_t(o2->codes[2])], "[ ]");
        const Column *m = t->column(u"m");
        QCOMPARE(m->type, ColumnType::String);
        QCOMPARE(m->dictionary[std::size_t(m->codes[0])], "1");
        QCOMPARE(m->dictionary[std::size_t(m->codes[1])], "two");
        QCOMPARE(m->dictionary[std::size_t(m->codes[2])], "3.50");
        const Column *late = t->column(u"late");
        QCOMPARE(late->type, ColumnType::Float64); // an int with missing values
        QVERIFY(std::isnan(late->floats[0]) && late->floats[1] == 7 && std::isnan(late->floats[2]));
        QCOMPARE(t->column(u"x")->type, ColumnType::Float64);
        QCOMPARE(t->column(u"x")->floats[2], 9007199254740992.0); // with missing: as pandas casts
    }
    const auto bytes = readTableBytes(jsonl, "HEAD:data.ndjson");
    QVERIFY(bytes.has_value());
    QCOMPARE(bytes->columns.size(), 9);
}

void TestCsvReader::jsonLinesMultiBlock()
{
    std::mt19937_64 rng(3);
    QByteArray jsonl;
    for (int i = 0; i < 3000; ++i) {
        jsonl += "{\"id\": " + QByteArray::number(i) + ", \"v\": " +
                 (i == 2900 ? QByteArray("\"late text\"") : QByteArray::number(int(rng() % 100))) +
                 ", \"w\": " + QByteArray::number(double(rng() % 1000) / 8) + "}\n";
    }
    ReadOptions o;
    o.padShortRows = true; // as pandas, which these compare with
    o.format = TableFormat::JsonLines;
    const auto whole = readTableBytes(jsonl, "x", o);
    QVERIFY(whole.has_value());
    QCOMPARE(whole->column(u"v")->type, ColumnType::String);
    QCOMPARE(whole->column(u"v")->dictionary[std::size_t(whole->column(u"v")->codes[2900])],
             "late text");
    for (qint64 bs : {16, 100, 5000}) {
        o.blockSize = bs;
        const auto t = readTableBytes(jsonl, "x", o);
        QVERIFY(t.has_value());
        QCOMPARE(sameTable(*whole, *t), QString());
    }
}

void TestCsvReader::jsonLinesErrors_data()
{
    QTest::addColumn<QByteArray>("jsonl");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    QTest::newRow("not an object") << "{\"a\": 1}\n[1, 2]\n"_b << 2 << 1 << "object";
    QTest::newRow("missing comma") << "{\"a\": 1}\n\n{\"a\": 1 \"b\": 2}\n"_b << 3 << 9 << "','";
    QTest::newRow("trailing comma") << "{\"a\": 1,}\n"_b << 1 << 9 << "key";
    QTest::newRow("bad literal") << "{\"a\": tru}\n"_b << 1 << 7 << "literal";
    QTest::newRow("NaN") << "{\"a\": NaN}\n"_b << 1 << 7 << "number";
    QTest::newRow("unclosed string") << "{\"a\": \"x}\n"_b << 1 << 10 << "not closed";
    QTest::newRow("control char") << "{\"a\": \"x\ty\"}\n"_b << 1 << 9 << "control";
    QTest::newRow("bad utf-8") << "{\"a\": 1}\n{\"a\": \"\xff\"}\n"_b << 2 << 8 << "UTF-8";
    QTest::newRow("text after") << "{\"a\": 1} x\n"_b << 1 << 10 << "after";
    QTest::newRow("empty") << "\n \n"_b << 1 << 1 << "no records";
}

void TestCsvReader::jsonLinesErrors()
{
    QFETCH(QByteArray, jsonl);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);
    const auto t = readTableBytes(jsonl, "bad.jsonl");
    QVERIFY(!t);
    QVERIFY2(t.error().message.contains(message), qPrintable(t.error().toString()));
    QCOMPARE(t.error().line, line);
    QCOMPARE(t.error().column, column);
}

void TestCsvReader::fastPathMatchesReference()
{
    // The block-parallel inference against pandas' sequential algorithm (csv::inferColumn),
    // on columns built from tokens of every kind, with promotions at random places.
    std::mt19937_64 rng(99);
    static const char *pool[] = {"1",
                                 "-2",
                                 "+3",
                                 " 4 ",
                                 "1.5",
                                 ".5",
                                 "1e5",
                                 "inf",
                                 "NA",
                                 "",
                                 "nan",
                                 "True",
                                 "false",
                                 "x",
                                 "é",
                                 "0.021489705265908876",
                                 "9007199254740993",
                                 "18446744073709551615",
                                 "-1",
                                 "99999999999999999999",
                                 "-9223372036854775808",
                                 "1e309",
                                 "None"};
    for (int iter = 0; iter < 300; ++iter) {
        const int rows = 1 + int(rng() % 300);
        // a column drawn from a few tokens, so each kind of column comes up
        std::vector<int> allowed;
        const int kinds = 1 + int(rng() % 3);
        for (int k = 0; k < kinds; ++k)
            allowed.push_back(int(rng() % std::size(pool)));
        std::vector<std::string> tokens;
        QByteArray csv = "id,v\n";
        for (int r = 0; r < rows; ++r) {
            const std::string t = pool[allowed[rng() % allowed.size()]];
            tokens.push_back(t);
            csv += QByteArray::number(r) + ",\"" + QByteArray::fromStdString(t) + "\"\n";
        }
        const std::vector<std::string_view> views(tokens.begin(), tokens.end());
        Table expected;
        expected.rows = rows;
        expected.columns = {csv::inferColumn("v", views)};
        for (qint64 bs : {0, 8, 33}) {
            ReadOptions o;
            o.padShortRows = true; // as pandas, which these compare with
            o.blockSize = bs;
            o.threads = 2;
            o.onlyColumns = {"v"};
            const auto t = readTableBytes(csv, "r.csv", o);
            QVERIFY(t.has_value());
            const QString diff = sameTable(expected, *t);
            QVERIFY2(diff.isEmpty(), qPrintable(diff + "\n" + QString::fromUtf8(csv.left(400))));
        }
    }
}

void TestCsvReader::fuzz()
{
    std::mt19937_64 rng(12345);
    static const char alphabet[] = ",;\t|\"\r\n a1.-eE+N\\{}[]:0\xc3\xa9\xff";
    int ok = 0;
    int failed = 0;
    // CAIRN_FUZZ_ITERATIONS=100000 for a longer soak
    const int iterations = qEnvironmentVariableIntValue("CAIRN_FUZZ_ITERATIONS") > 0
                               ? qEnvironmentVariableIntValue("CAIRN_FUZZ_ITERATIONS")
                               : 1500;
    for (int iter = 0; iter < iterations; ++iter) {
        QByteArray bytes;
        const int len = int(rng() % 300);
        if (iter % 3 == 0) { // raw bytes
            for (int i = 0; i < len; ++i)
                bytes += char(rng() % 256);
        } else if (iter % 3 == 1) { // CSV-like characters, quotes and bad bytes included
            for (int i = 0; i < len; ++i)
                bytes += alphabet[rng() % (sizeof alphabet - 1)];
        } else { // CSV-like records: mostly valid, so the type inference gets exercised
            static const char *tokens[] = {
                "1",         "-2.5",     "NA",  "",    "x",   "True",     "\"a,b\"",
                "\"q\"\"\"", "\"l\nm\"", " 3 ", "1e5", "inf", "\xc3\xa9", "9999999999999999999"};
            const char sep = ",;\t|"[rng() % 4];
            const int cols = 1 + int(rng() % 4);
            for (int i = 0; i < len / 8; ++i) {
                const int fields = rng() % 10 == 0 ? int(rng() % 6) : cols;
                for (int f = 0; f < fields; ++f)
                    bytes += QByteArray(f ? 1 : 0, sep) + tokens[rng() % std::size(tokens)];
                bytes += "\n\r\n\r"[rng() % 4 == 0 ? rng() % 4 : 0];
            }
        }
        ReadOptions o;
        o.padShortRows = true; // as pandas, which these compare with
        o.format = TableFormat::Csv;
        const auto one = readTableBytes(bytes, "fuzz.csv", o);
        (one ? ok : failed)++;
        for (qint64 bs : {1, 3, 17}) {
            o.blockSize = bs;
            o.threads = int(bs % 3);
            const auto many = readTableBytes(bytes, "fuzz.csv", o);
            if (one.has_value() != many.has_value()) {
                // Only a record longer than 64 blocks may fail with small blocks alone.
                QVERIFY2(!many && many.error().message.contains("longer"),
                         qPrintable(QString::fromLatin1(bytes.toHex()) + " " +
                                    (many ? QString() : many.error().toString())));
                continue;
            }
            if (one)
                QVERIFY2(sameTable(*one, *many).isEmpty(),
                         qPrintable(QString::fromLatin1(bytes.toHex())));
            else if (!many.error().message.contains("longer"))
                QVERIFY2(many.error() == one.error(),
                         qPrintable(QString::fromLatin1(bytes.toHex()) + "\n" +
                                    one.error().toString() + "\n" + many.error().toString() +
                                    " (block size " + QString::number(bs) + ")"));
        }
        o.format = TableFormat::JsonLines;
        o.blockSize = iter % 2 ? 0 : 5;
        const auto json = readTableBytes(bytes, "fuzz.jsonl", o);
        if (!json)
            QVERIFY(!json.error().message.isEmpty());
    }
    qInfo("fuzz: %d inputs read, %d rejected", ok, failed);
    QVERIFY(ok > 300 && failed > 300);
}

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
