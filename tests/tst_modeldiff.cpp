// Model diff over safetensors files: the reader's checks on damaged and hostile files (each an
// Error that names the file and the tensor, no crash under ASan), the inventory, and every figure
// of diffSafetensors against numpy in float64 on pairs a Python script writes by hand (every
// numeric dtype, 0-rank and empty tensors, added / removed / reshaped / retyped tensors, NaN,
// unaligned data), plus the JSON and text forms, progress and cancel.

#include "diff/modeldiff.h"
#include "diff/safetensors.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QtEndian>

#include <cmath>
#include <optional>

using namespace cairn;
using namespace cairn::diff;

namespace {

// Writes two safetensors files (a.safetensors, b.safetensors) into argv[1] and prints the
// figures numpy gets for them, in float64 (math.fsum for the sums).
const char *g_script = R"PY(
import json, math, struct, sys
import numpy as np

np.seterr(all="ignore")

out = sys.argv[1]
rng = np.random.default_rng(7)

def bf16_bits(x):  # float32 -> bf16 bits by truncation
    return (np.asarray(x, np.float32).view(np.uint32) >> 16).astype(np.uint16)

def bf16_values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)

def e4m3_values(bits):
    b = bits.astype(np.int64)
    e, m = (b >> 3) & 15, b & 7
    v = np.where(e == 0, m / 8.0 * 2.0**-6, (1 + m / 8.0) * 2.0 ** (e - 7))
    v = np.where((e == 15) & (m == 7), np.nan, v)
    return np.where(b & 0x80, -v, v)

def e5m2_values(bits):
    return (bits.astype(np.uint16) << 8).view(np.float16).astype(np.float64)

# name -> (dtype, shape, raw bytes, float64 values)
def T(dtype, arr, values=None):
    arr = np.array(arr, order="C")  # (ascontiguousarray would make a 0-rank array 1-D)
    if values is None:
        values = arr.astype(np.float64)
    return (dtype, list(arr.shape), arr.tobytes(), np.asarray(values, np.float64).reshape(-1))

def bf(x):
    bits = bf16_bits(x)
    return T("BF16", bits, bf16_values(bits))

A, B = {}, {}
def both(name, a, b):
    A[name] = a
    B[name] = b

x = rng.normal(size=(64, 33))
both("f64.changed", T("F64", x), T("F64", x + 1e-3 * rng.normal(size=x.shape)))
x = rng.normal(size=2_500_000).astype(np.float32)
both("f32.big", T("F32", x), T("F32", (x + np.float32(1e-2) * rng.normal(size=x.shape).astype(np.float32))))
x = rng.normal(size=(128, 64)).astype(np.float16)
both("f16.changed", T("F16", x), T("F16", (x * np.float16(1.01)).astype(np.float16)))
x = rng.normal(size=(256, 32)).astype(np.float32)
both("bf16.changed", bf(x), bf(x * np.float32(0.97)))
x = rng.integers(-128, 128, size=1000).astype(np.int8)
both("i8.changed", T("I8", x), T("I8", np.flip(x)))
x = rng.integers(-2**31, 2**31, size=777).astype(np.int32)
both("i32.changed", T("I32", x), T("I32", x // 3))
x = rng.integers(-2**62, 2**62, size=500).astype(np.int64)
both("i64.changed", T("I64", x), T("I64", x + rng.integers(-1000, 1000, size=500)))
x = rng.integers(0, 2**63, size=300, dtype=np.uint64) * np.uint64(2)
both("u64.changed", T("U64", x), T("U64", x // np.uint64(5)))
x = rng.integers(0, 65536, size=400).astype(np.uint16)
both("u16.changed", T("U16", x), T("U16", x[::-1]))
x = rng.integers(-32768, 32768, size=400).astype(np.int16)
both("i16.changed", T("I16", x), T("I16", x[::-1]))
x = rng.integers(0, 2**32, size=400).astype(np.uint32)
both("u32.changed", T("U32", x), T("U32", x[::-1]))
x = rng.integers(0, 256, size=(10, 10)).astype(np.uint8)
both("u8.changed", T("U8", x), T("U8", 255 - x))
x = rng.random(999) < 0.5
both("bool.changed", T("BOOL", x), T("BOOL", ~x))
both("scalar.changed", T("F32", np.array(3.5, np.float32)), T("F32", np.array(2.0, np.float32)))
both("scalar.same", T("F64", np.array(-7.25)), T("F64", np.array(-7.25)))
both("empty", T("F32", np.zeros((0, 5), np.float32)), T("F32", np.zeros((0, 5), np.float32)))
both("empty.i64", T("I64", np.zeros(0, np.int64)), T("I64", np.zeros(0, np.int64)))
both("zeros.same", T("F32", np.zeros(100, np.float32)), T("F32", np.zeros(100, np.float32)))
x = np.zeros(50, np.float32); x[-1] = 2
both("late.nonzero.same", T("F32", x), T("F32", x.copy()))
x = rng.normal(size=(50, 50)).astype(np.float32)
both("identical", T("F32", x), T("F32", x.copy()))
x = rng.normal(size=(70,)).astype(np.float32)
y = x.copy(); y[-1] += 1  # differs only at the very end
both("last.changed", T("F32", x), T("F32", y))
A["only_a"] = T("F32", rng.normal(size=(3, 3)).astype(np.float32))
B["only_b"] = T("I32", np.arange(6, dtype=np.int32).reshape(2, 3))
both("shape", T("F32", np.ones((4, 5), np.float32)), T("F32", np.ones((5, 4), np.float32)))
x = rng.normal(size=300).astype(np.float32)
both("dtype.f32_f16", T("F32", x), T("F16", x.astype(np.float16)))
both("dtype.f32_bf16", T("F32", x), bf(x))
x = rng.normal(size=64).astype(np.float32)
y = x.copy(); y[10] = np.nan
both("nan", T("F32", x), T("F32", y))
x[3] = np.inf
both("inf.same.place", T("F32", x), T("F32", x.copy() * np.float32(2)))
both("negzero", T("F32", np.zeros(8, np.float32)), T("F32", -np.zeros(8, np.float32)))
x = rng.normal(size=40)
both("zeros.a", T("F64", np.zeros(40)), T("F64", x))
# Exhaustive conversions: every finite pattern against its float64 value (l2 must be 0).
h = np.arange(65536, dtype=np.uint32).astype(np.uint16)
hv = h.view(np.float16).astype(np.float64)
fin = np.isfinite(hv)
both("f16.all", T("F16", h[fin], hv[fin]), T("F64", hv[fin]))
bv = bf16_values(h)
fin = np.isfinite(bv)
both("bf16.all", T("BF16", h[fin], bv[fin]), T("F64", bv[fin]))
b8 = np.arange(256, dtype=np.uint16).astype(np.uint8)
v = e5m2_values(b8); fin = np.isfinite(v)
both("f8e5m2.all", T("F8_E5M2", b8[fin], v[fin]), T("F64", v[fin]))
v = e4m3_values(b8); fin = np.isfinite(v)
both("f8e4m3.all", T("F8_E4M3", b8[fin], v[fin]), T("F64", v[fin]))

def save(path, tensors, metadata, pad, reverse):
    header, off, blobs = {}, 0, []
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw, _) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    if reverse:  # the header's order need not be the data's
        header = dict(reversed(list(header.items())))
    # File order: by offsets, ties (empty tensors) in header order, as a stable sort gives.
    order = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"])
    h = json.dumps(header).encode()
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return order

order_a = save(out + "/a.safetensors", A, {"format": "pt", "epoch": "1", "gone": "x"}, True, False)
# b: an odd header length, so its data is not aligned
order_b = save(out + "/b.safetensors", B, {"format": "pt", "epoch": "2", "new": "y"}, False, True)

def fsum(v):
    return math.fsum(v) if np.all(np.isfinite(v)) else float(np.sum(v))

def num(v):
    if v is None:
        return None
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v

expected = {}
for name in list(A) + [n for n in B if n not in A]:
    e = {"l2_diff": None, "rel_l2": None, "max_abs_diff": None, "cosine": None}
    if name not in B:
        e["status"] = "removed"; e["elements"] = len(A[name][3])
    elif name not in A:
        e["status"] = "added"; e["elements"] = len(B[name][3])
    elif A[name][1] != B[name][1]:
        e["status"] = "shape_changed"; e["elements"] = len(A[name][3])
    else:
        a, b = A[name][3], B[name][3]
        e["elements"] = len(a)
        same = A[name][0] == B[name][0] and A[name][2] == B[name][2]
        e["status"] = ("unchanged" if same else "changed") if A[name][0] == B[name][0] else "dtype_changed"
        with np.errstate(all="ignore"):
            na = math.sqrt(fsum(a * a)) if len(a) else 0.0
            if same:
                l2, rel, mx = 0.0, 0.0, 0.0
                cos = None if na == 0 else 1.0
            else:
                d = a - b
                l2 = math.sqrt(fsum(d * d)) if len(a) else 0.0
                nb = math.sqrt(fsum(b * b)) if len(b) else 0.0
                mx = float(np.max(np.abs(d))) if len(a) else 0.0
                rel = (l2 / na if na != 0 else (0.0 if l2 == 0 else None))
                cos = fsum(a * b) / (na * nb) if na != 0 and nb != 0 else None
        e.update({"l2_diff": num(l2), "rel_l2": num(rel), "max_abs_diff": num(mx), "cosine": num(cos)})
    e["dtype_a"] = A[name][0] if name in A else None
    e["dtype_b"] = B[name][0] if name in B else None
    e["shape_a"] = A[name][1] if name in A else None
    e["shape_b"] = B[name][1] if name in B else None
    expected[name] = e
print(json.dumps({"tensors": expected, "order_a": order_a, "order_b": order_b}))
)PY";

// A safetensors file from a header text and data; `n` overrides the header length field.
QByteArray st(const QByteArray &header, const QByteArray &data = {},
              std::optional<quint64> n = std::nullopt)
{
    QByteArray out(8, '\0');
    qToLittleEndian<quint64>(n ? *n : quint64(header.size()), out.data());
    return out + header + data;
}

QByteArray tensorJson(const char *name, const char *dtype, const char *shape, qint64 begin,
                      qint64 end)
{
    return QByteArray("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":[" + QByteArray::number(begin) + "," + QByteArray::number(end) + "]}";
}

QString shapeOf(const std::vector<qint64> &shape)
{
    QStringList parts;
    for (qint64 d : shape)
        parts << QString::number(d);
    return "[" + parts.join(",") + "]";
}

QString shapeOf(const QJsonValue &v)
{
    QStringList parts;
    for (const QJsonValue &d : v.toArray())
        parts << QString::number(d.toInteger());
    return "[" + parts.join(",") + "]";
}

// One figure against numpy's: null for null, NaN and infinities as strings, else 1e-9 relative
// (exact when numpy's is 0).
bool sameFigure(const std::optional<double> &got, const QJsonValue &want, QString *why)
{
    const QString have = got ? QString::number(*got, 'g', 17) : "null";
    *why = "cairn " + have + ", numpy " +
           QJsonDocument(QJsonArray{want}).toJson(QJsonDocument::Compact);
    if (want.isNull())
        return !got;
    if (!got)
        return false;
    if (want.isString()) {
        const QString s = want.toString();
        if (s == "NaN")
            return std::isnan(*got);
        return std::isinf(*got) && (*got > 0) == (s == "Infinity");
    }
    const double w = want.toDouble();
    return std::abs(*got - w) <= 1e-9 * std::abs(w);
}

Result<ModelDiff> diffFiles(const QString &a, const QString &b, const Progress &progress = {})
{
    auto fa = SafetensorsFile::open(a);
    if (!fa)
        return std::unexpected(fa.error());
    auto fb = SafetensorsFile::open(b);
    if (!fb)
        return std::unexpected(fb.error());
    return diffSafetensors(*fa, *fb, progress);
}

} // namespace

class TestModelDiff : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_a, m_b;
    QJsonObject m_expected; // name -> figures
    QStringList m_orderA, m_orderB;

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        const QString script = m_tmp.filePath("gen.py");
        test::writeFile(script, g_script);
        const test::ProcessResult r = test::runProcess(test::python(), {script, m_tmp.path()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(r.out).object();
        m_expected = out.value("tensors").toObject();
        for (const QJsonValue &v : out.value("order_a").toArray())
            m_orderA << v.toString();
        for (const QJsonValue &v : out.value("order_b").toArray())
            m_orderB << v.toString();
        QVERIFY(m_expected.size() > 30);
        m_a = m_tmp.filePath("a.safetensors");
        m_b = m_tmp.filePath("b.safetensors");
    }

    void inventory()
    {
        auto a = SafetensorsFile::open(m_a);
        QVERIFY2(a, qPrintable(a ? QString() : a.error().toString()));
        auto b = SafetensorsFile::open(m_b);
        QVERIFY2(b, qPrintable(b ? QString() : b.error().toString()));
        QCOMPARE(a->name(), m_a);
        // File order (by offset), whatever order the header lists them in (b's is reversed).
        QStringList names;
        for (const TensorInfo &t : a->tensors())
            names << t.name;
        QCOMPARE(names, m_orderA);
        names.clear();
        for (const TensorInfo &t : b->tensors())
            names << t.name;
        QCOMPARE(names, m_orderB);
        QVERIFY(b->headerSize() % 8 != 0); // b's data is not aligned: loads must not assume it

        const TensorInfo *big = a->find("f32.big");
        QVERIFY(big);
        QCOMPARE(big->dtype, QString("F32"));
        QCOMPARE(big->shape, std::vector<qint64>{2500000});
        QCOMPARE(big->elements(), 2500000);
        QCOMPARE(qint64(a->bytes(*big).size()), 10000000);
        const TensorInfo *scalar = a->find("scalar.same");
        QVERIFY(scalar && scalar->shape.empty());
        QCOMPARE(scalar->elements(), 1);
        double v = 0;
        std::memcpy(&v, a->bytes(*scalar).data(), 8);
        QCOMPARE(v, -7.25);
        QCOMPARE(a->find("empty")->elements(), 0);
        QCOMPARE(a->find("empty")->shape, (std::vector<qint64>{0, 5}));
        QVERIFY(a->bytes(*a->find("empty")).empty());
        QVERIFY(!a->find("nope"));
        QVERIFY(!a->find("only_b") && b->find("only_b"));
        const QMap<QString, QString> meta{{"format", "pt"}, {"epoch", "1"}, {"gone", "x"}};
        QCOMPARE(a->metadata(), meta);

        // Tensors tile the data buffer: what the file holds is what the header says.
        qint64 end = 0;
        for (const TensorInfo &t : a->tensors()) {
            QCOMPARE(t.begin, end);
            QCOMPARE(t.byteSize(), t.elements() * dtypeBits(t.dtype) / 8);
            end = t.end;
        }
        QCOMPARE(8 + a->headerSize() + end, a->fileSize());

        // A copy shares the mapping and outlives the original.
        SafetensorsFile copy = *a;
        a = SafetensorsFile::open(m_b);
        QCOMPARE(qint64(copy.bytes(*copy.find("f32.big")).size()), 10000000);
    }

    void figuresMatchNumpy()
    {
        auto r = diffFiles(m_a, m_b);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->tensors.size(), m_expected.size());
        QStringList seen;
        for (const TensorDiff &t : r->tensors) {
            const QJsonObject e = m_expected.value(t.name).toObject();
            QVERIFY2(!e.isEmpty(), qPrintable("unexpected tensor " + t.name));
            seen << t.name;
            QCOMPARE(t.status, e.value("status").toString());
            QCOMPARE(t.elements, e.value("elements").toInteger());
            QCOMPARE(t.dtypeA, e.value("dtype_a").toString());
            QCOMPARE(t.dtypeB, e.value("dtype_b").toString());
            if (!t.dtypeA.isEmpty())
                QCOMPARE(shapeOf(t.shapeA), shapeOf(e.value("shape_a")));
            if (!t.dtypeB.isEmpty())
                QCOMPARE(shapeOf(t.shapeB), shapeOf(e.value("shape_b")));
            const std::pair<const char *, const std::optional<double> *> figures[] = {
                {"l2_diff", &t.l2Diff},
                {"rel_l2", &t.relL2},
                {"max_abs_diff", &t.maxAbsDiff},
                {"cosine", &t.cosine}};
            for (const auto &[field, got] : figures) {
                QString why;
                QVERIFY2(sameFigure(*got, e.value(field), &why),
                         qPrintable(t.name + " " + field + ": " + why));
            }
        }
        // The first file's tensors in its order, then the added ones.
        QCOMPARE(seen.mid(0, m_orderA.size()), m_orderA);
        QCOMPARE(seen.last(), QString("only_b"));

        // Spot checks of what a user reads off the figures.
        const auto find = [&](const QString &name) -> const TensorDiff & {
            for (const TensorDiff &t : r->tensors) {
                if (t.name == name)
                    return t;
            }
            qFatal("no tensor %s", qPrintable(name));
        };
        QCOMPARE(find("identical").status, QString("unchanged"));
        QCOMPARE(*find("identical").cosine, 1.0);
        QVERIFY(!find("zeros.same").cosine); // a zero norm has no direction
        QCOMPARE(*find("late.nonzero.same").cosine, 1.0);
        QCOMPARE(find("last.changed").status, QString("changed"));
        QCOMPARE(*find("last.changed").maxAbsDiff, 1.0);
        QVERIFY(std::isnan(*find("nan").l2Diff));             // NaN is a figure, not an error
        QCOMPARE(find("negzero").status, QString("changed")); // other bytes, equal values
        QCOMPARE(*find("negzero").l2Diff, 0.0);
        QCOMPARE(*find("f16.all").l2Diff, 0.0); // every finite half converts exactly
        QCOMPARE(*find("bf16.all").l2Diff, 0.0);
        QCOMPARE(*find("f8e4m3.all").l2Diff, 0.0);
        QCOMPARE(*find("f8e5m2.all").l2Diff, 0.0);
        QVERIFY(*find("dtype.f32_f16").relL2 > 0 && *find("dtype.f32_f16").relL2 < 1e-3);
        QVERIFY(!find("shape").l2Diff && !find("shape").note.isEmpty());
        QVERIFY(!find("zeros.a").relL2 && !find("zeros.a").cosine);

        const ModelDiffSummary &s = r->summary;
        int counts[6] = {};
        const QStringList statuses = {"added",     "removed",       "changed",
                                      "unchanged", "shape_changed", "dtype_changed"};
        for (const QJsonValue &v : m_expected)
            ++counts[statuses.indexOf(v.toObject().value("status").toString())];
        QCOMPARE(s.added, counts[0]);
        QCOMPARE(s.removed, counts[1]);
        QCOMPARE(s.changed, counts[2]);
        QCOMPARE(s.unchanged, counts[3]);
        QCOMPARE(s.shapeChanged, counts[4]);
        QCOMPARE(s.dtypeChanged, counts[5]);
        QCOMPARE(s.tensorsA, m_orderA.size());
        QCOMPARE(s.tensorsB, m_orderB.size());
        QVERIFY(s.elementsCompared > 2500000);
        QCOMPARE(r->metadataAdded, (QMap<QString, QString>{{"new", "y"}}));
        QCOMPARE(r->metadataRemoved, (QMap<QString, QString>{{"gone", "x"}}));
        QCOMPARE(r->metadataChanged.value("epoch"), (QPair<QString, QString>("1", "2")));
        QCOMPARE(r->metadataChanged.size(), 1);
    }

    void jsonForm()
    {
        auto r = diffFiles(m_a, m_b);
        QVERIFY(r);
        // Through text and back, as a pipeline reads it.
        const QJsonObject j =
            QJsonDocument::fromJson(QJsonDocument(modelDiffJson(*r)).toJson()).object();
        QCOMPARE(j.value("a").toString(), m_a);
        QCOMPARE(j.value("b").toString(), m_b);
        const QJsonArray tensors = j.value("tensors").toArray();
        QCOMPARE(tensors.size(), m_expected.size());
        for (const QJsonValue &v : tensors) {
            const QJsonObject t = v.toObject();
            const QJsonObject e = m_expected.value(t.value("name").toString()).toObject();
            for (const char *key : {"status", "dtype_a", "dtype_b"})
                QCOMPARE(t.value(key), e.value(key));
            for (const char *key : {"shape_a", "shape_b"})
                QCOMPARE(t.value(key).isNull(), e.value(key).isNull());
            QCOMPARE(t.value("elements").toInteger(), e.value("elements").toInteger());
            for (const char *key : {"l2_diff", "rel_l2", "max_abs_diff", "cosine"}) {
                const QJsonValue got = t.value(key), want = e.value(key);
                QVERIFY2(t.contains(key), key);
                QCOMPARE(got.type(), want.type()); // null, number, or "NaN"/"Infinity" strings
                if (want.isString())
                    QCOMPARE(got.toString(), want.toString());
                else if (want.isDouble())
                    QVERIFY(std::abs(got.toDouble() - want.toDouble()) <=
                            1e-9 * std::abs(want.toDouble()));
            }
        }
        const QJsonObject meta = j.value("metadata").toObject();
        QCOMPARE(meta.value("added").toObject().value("new").toString(), QString("y"));
        QCOMPARE(meta.value("removed").toObject().value("gone").toString(), QString("x"));
        QCOMPARE(meta.value("changed").toObject().value("epoch").toObject(),
                 (QJsonObject{{"a", "1"}, {"b", "2"}}));
        const QJsonObject s = j.value("summary").toObject();
        for (const char *key : {"added", "removed", "changed", "unchanged", "shape_changed",
                                "dtype_changed", "tensors_a", "tensors_b", "elements_compared"})
            QVERIFY2(s.value(key).isDouble(), key);
        QCOMPARE(s.value("changed").toInt(), r->summary.changed);
        QCOMPARE(s.value("elements_compared").toInteger(), r->summary.elementsCompared);
    }

    void textForm()
    {
        auto r = diffFiles(m_a, m_b);
        QVERIFY(r);
        const QString text = modelDiffText(*r, 1000);
        const QStringList lines = text.split('\n', Qt::SkipEmptyParts);
        // Differing tensors first, by rel_l2 (largest first), unchanged ones last.
        int lastChanged = -1, firstUnchanged = -1;
        double previous = INFINITY;
        for (int i = 0; i < lines.size(); ++i) {
            if (lines[i].startsWith("changed ") || lines[i].startsWith("dtype_changed ")) {
                lastChanged = i;
                const QStringList cells = lines[i].split(' ', Qt::SkipEmptyParts);
                const QString name = cells[1];
                const QJsonValue rel = m_expected.value(name).toObject().value("rel_l2");
                if (rel.isDouble()) {
                    QVERIFY2(rel.toDouble() <= previous * (1 + 1e-9), qPrintable(lines[i]));
                    previous = rel.toDouble();
                }
            }
            if (lines[i].startsWith("unchanged ") && firstUnchanged < 0)
                firstUnchanged = i;
        }
        QVERIFY(lastChanged > 0 && firstUnchanged > lastChanged);
        QVERIFY(text.contains("metadata changed: epoch: 1 -> 2"));
        QVERIFY(lines.last().contains(QString("%1 changed").arg(r->summary.changed)));
        QVERIFY(lines.last().contains(QString("%1 unchanged").arg(r->summary.unchanged)));
        const QString shortText = modelDiffText(*r, 3);
        QVERIFY(shortText.contains(QString("and %1 more tensors").arg(r->tensors.size() - 3)));
    }

    void fromBytesSameInventory()
    {
        auto mapped = SafetensorsFile::open(m_b);
        auto held = SafetensorsFile::fromBytes(test::readFile(m_b), "HEAD:model.safetensors");
        QVERIFY(mapped && held);
        QCOMPARE(held->name(), QString("HEAD:model.safetensors"));
        QCOMPARE(held->tensors().size(), mapped->tensors().size());
        for (size_t i = 0; i < held->tensors().size(); ++i) {
            const TensorInfo &x = held->tensors()[i], &y = mapped->tensors()[i];
            QCOMPARE(x.name, y.name);
            QCOMPARE(x.dtype, y.dtype);
            QCOMPARE(x.shape, y.shape);
            QCOMPARE(x.begin, y.begin);
            QCOMPARE(x.end, y.end);
            QVERIFY(std::equal(held->bytes(x).begin(), held->bytes(x).end(),
                               mapped->bytes(y).begin(), mapped->bytes(y).end()));
        }
        QCOMPARE(held->metadata(), mapped->metadata());
        // And a diff against the held copy finds nothing.
        auto r = diffSafetensors(*mapped, *held);
        QVERIFY(r);
        QCOMPARE(r->summary.unchanged, r->summary.tensorsA);
        QCOMPARE(r->summary.changed + r->summary.added + r->summary.removed, 0);
        for (const TensorDiff &t : r->tensors)
            QVERIFY2(t.l2Diff && *t.l2Diff == 0, qPrintable(t.name));
    }

    void progressAndCancel()
    {
        QList<QPair<qint64, qint64>> calls;
        auto r = diffFiles(m_a, m_b, [&](qint64 done, qint64 total) {
            calls.append({done, total});
            return true;
        });
        QVERIFY(r);
        QVERIFY(calls.size() > 3);
        const qint64 total = calls.first().second;
        QVERIFY(total >= 2 * 10000000); // at least f32.big in both files
        for (int i = 1; i < calls.size(); ++i) {
            QCOMPARE(calls[i].second, total);
            QVERIFY(calls[i].first >= calls[i - 1].first);
        }
        QCOMPARE(calls.last().first, total);

        for (int stopAt : {0, 1}) {
            int n = 0;
            auto cancelled = diffFiles(m_a, m_b, [&](qint64, qint64) { return n++ < stopAt; });
            QVERIFY(!cancelled);
            QCOMPARE(cancelled.error().message, QString("cancelled"));
        }
    }

    // Types whose values Cairn does not convert: inventory, and a comparison by bytes.
    void bytesOnlyTypes()
    {
        const QByteArray header = "{" + tensorJson("c", "C64", "[2]", 0, 16) + "," +
                                  tensorJson("f4", "F4", "[4]", 16, 18) + "," +
                                  tensorJson("f4same", "F4", "[2]", 18, 19) + "," +
                                  tensorJson("e8", "F8_E8M0", "[1]", 19, 20) + "}";
        const QString a = m_tmp.filePath("bytes_a.safetensors");
        const QString b = m_tmp.filePath("bytes_b.safetensors");
        test::writeFile(a, st(header, QByteArray(20, '\x01')));
        QByteArray other(20, '\x01');
        other[3] = 9;  // c
        other[16] = 7; // f4
        test::writeFile(b, st(header, other));
        auto fa = SafetensorsFile::open(a);
        QVERIFY2(fa, qPrintable(fa ? QString() : fa.error().toString()));
        QCOMPARE(fa->find("f4")->elements(), 4);
        QCOMPARE(fa->find("f4")->byteSize(), 2);
        QCOMPARE(dtypeBits(u"F6_E2M3"), 6);
        QVERIFY(dtypeIsNumeric(u"BF16") && !dtypeIsNumeric(u"C64") && dtypeBits(u"F17") == 0);
        auto r = diffFiles(a, b);
        QVERIFY(r);
        QCOMPARE(r->tensors[0].status, QString("changed"));
        QVERIFY(!r->tensors[0].l2Diff && !r->tensors[0].note.isEmpty());
        QCOMPARE(r->tensors[1].status, QString("changed"));
        QCOMPARE(r->tensors[2].status, QString("unchanged"));
        QCOMPARE(r->tensors[3].status, QString("unchanged"));
        QCOMPARE(r->summary.elementsCompared, 0);
    }

    void hostile_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const QByteArray f32 = tensorJson("w", "F32", "[2]", 0, 8);
        QTest::newRow("empty") << QByteArray() << "fewer than the 8";
        QTest::newRow("5 bytes") << QByteArray("\x05\0\0\0\0", 5) << "fewer than the 8";
        QTest::newRow("N = 2^63") << st("{}", {}, quint64(1) << 63) << "too large";
        QTest::newRow("N = 2^64-1") << st("{}", {}, ~quint64(0)) << "too large";
        QTest::newRow("N = 200 MB") << st("{}", {}, 200000000) << "too large";
        QTest::newRow("N past EOF") << st("{}", {}, 100) << "cut short";
        QTest::newRow("header []") << st("[]      ") << "not a JSON object";
        QTest::newRow("leading space") << st(" {}") << "not a JSON object";
        QTest::newRow("invalid UTF-8") << st("{\"w\xff\":{}}") << "not valid UTF-8";
        QTest::newRow("overlong UTF-8") << st("{\"w\xc0\xaf\":{}}") << "not valid UTF-8";
        QTest::newRow("UTF-8 surrogate") << st("{\"w\xed\xa0\x80\":{}}") << "not valid UTF-8";
        QTest::newRow("invalid JSON") << st("{\"w\": {") << "not valid JSON";
        QTest::newRow("header cut short")
            << st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,")
            << "The header is not valid JSON: it ends too early";
        QTest::newRow("trailing comma")
            << st("{" + f32 + ",}", QByteArray(8, 0)) << "not valid JSON";
        QTest::newRow("text after") << st("{} x") << "after its object";
        QTest::newRow("lone surrogate") << st("{\"\\ud800\":1}") << "surrogate";
        QTest::newRow("control char") << st("{\"a\nb\":1}") << "control character";
        QTest::newRow("unknown dtype")
            << st("{" + tensorJson("w", "F17", "[2]", 0, 8) + "}", QByteArray(8, 0))
            << "Tensor \"w\" has an unknown dtype \"F17\"";
        QTest::newRow("dtype not a string")
            << st("{\"w\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}") << "dtype must be";
        QTest::newRow("negative shape")
            << st("{" + tensorJson("w", "F32", "[-1]", 0, 8) + "}", QByteArray(8, 0))
            << "Tensor \"w\": shape must hold whole numbers from 0 up, not \"-1\"";
        QTest::newRow("float shape")
            << st("{" + tensorJson("w", "F32", "[2.0]", 0, 8) + "}", QByteArray(8, 0))
            << "not \"2.0\"";
        QTest::newRow("exponent shape")
            << st("{" + tensorJson("w", "F32", "[2e0]", 0, 8) + "}", QByteArray(8, 0))
            << "not \"2e0\"";
        QTest::newRow("string shape")
            << st("{" + tensorJson("w", "F32", "[\"2\"]", 0, 8) + "}", QByteArray(8, 0))
            << "Tensor \"w\": shape must hold whole numbers";
        QTest::newRow("shape not a list")
            << st("{" + tensorJson("w", "F32", "2", 0, 8) + "}", QByteArray(8, 0))
            << "shape must be a list";
        QTest::newRow("shape overflow")
            << st("{" + tensorJson("w", "F32", "[4294967296,4294967296,4294967296]", 0, 4) + "}",
                  QByteArray(4, 0))
            << "Tensor \"w\" has shape [4294967296, 4294967296, 4294967296]: its number of "
               "elements does not fit in 64 bits";
        QTest::newRow("bytes overflow")
            << st("{" + tensorJson("w", "F64", "[4294967296,1073741824]", 0, 4) + "}",
                  QByteArray(4, 0))
            << "does not fit in 64 bits";
        QTest::newRow("dimension past 2^63")
            << st("{" + tensorJson("w", "F32", "[0,18446744073709551615]", 0, 0) + "}")
            << "larger than 2^63";
        QTest::newRow("offset past 2^64")
            << st("{" +
                  tensorJson("w", "F32", "[2]", 0, 0).replace("[0,0]", "[0,99999999999999999999]") +
                  "}")
            << "data_offsets must hold whole numbers";
        QTest::newRow("three offsets")
            << st("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4,8]}}",
                  QByteArray(4, 0))
            << "must be two numbers";
        QTest::newRow("no dtype") << st("{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}")
                                  << "Tensor \"w\" has no \"dtype\"";
        QTest::newRow("entry not an object") << st("{\"w\":[1,2]}") << "Tensor \"w\": its entry";
        QTest::newRow("field twice") << st("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":["
                                           "],\"data_offsets\":[0,4]}}")
                                     << "Tensor \"w\" has two \"dtype\"";
        QTest::newRow("overlap") << st("{" + f32 + "," + tensorJson("v", "F32", "[2]", 4, 12) + "}",
                                       QByteArray(12, 0))
                                 << "Tensor \"v\" (data_offsets [4, 12]) overlaps tensor \"w\"";
        QTest::newRow("gap")
            << st("{" + tensorJson("w", "F32", "[1]", 0, 4) + "," +
                      tensorJson("v", "F32", "[1]", 8, 12) + "}",
                  QByteArray(12, 0))
            << "4 unused bytes between tensor \"w\" (ending at 4) and tensor \"v\"";
        QTest::newRow("not at 0") << st("{" + tensorJson("w", "F32", "[1]", 4, 8) + "}",
                                        QByteArray(8, 0))
                                  << "Tensor \"w\" is the first in the file but its data_offsets "
                                     "[4, 8] do not start at 0";
        QTest::newRow("end before begin")
            << st("{" + tensorJson("w", "F32", "[1]", 0, 4) + "," +
                      tensorJson("v", "F32", "[1]", 4, 0) + "}",
                  QByteArray(4, 0))
            << "Tensor \"v\" has data_offsets [4, 0]: its end is before its beginning";
        QTest::newRow("size mismatch")
            << st("{" + tensorJson("w", "F32", "[2]", 0, 4) + "}", QByteArray(4, 0))
            << "Tensor \"w\" (F32, shape [2]) needs 8 bytes, but its data_offsets [0, 4] span 4";
        QTest::newRow("sub-byte size")
            << st("{" + tensorJson("w", "F4", "[3]", 0, 2) + "}", QByteArray(2, 0))
            << "Tensor \"w\" (F4, shape [3]) does not fill a whole number of bytes";
        QTest::newRow("trailing bytes") << st("{" + f32 + "}", QByteArray(12, 0))
                                        << "The file has 4 bytes after its last tensor";
        QTest::newRow("truncated data")
            << st("{" + f32 + "}", QByteArray(5, 0)) << "tensors need 8 bytes of data but only 5";
        QTest::newRow("metadata number") << st("{\"__metadata__\":{\"epoch\":1}}")
                                         << "\"__metadata__\" entry \"epoch\" must be a string";
        QTest::newRow("metadata list") << st("{\"__metadata__\":[]}") << "must be an object";
        QTest::newRow("metadata twice")
            << st("{\"__metadata__\":{},\"__metadata__\":{}}") << "two \"__metadata__\"";
        QTest::newRow("duplicate names")
            << st("{" + f32 + "," + f32 + "}", QByteArray(16, 0)) << "lists tensor \"w\" twice";
        QByteArray longShape = "[";
        for (int i = 0; i < 2000; ++i)
            longShape += i ? ",1" : "1";
        longShape += "]";
        QTest::newRow("2000 dimensions")
            << st("{" + tensorJson("w", "U8", longShape.constData(), 0, 1) + "}", QByteArray(1, 0))
            << "more than 1024 entries";
        QTest::newRow("a percent sign in a name")
            << st("{" + tensorJson("w%4", "F32", "[2]", 0, 4) + "}", QByteArray(4, 0))
            << "Tensor \"w%4\" (F32, shape [2]) needs 8 bytes, but its data_offsets [0, 4] span 4";
        QTest::newRow("deep nesting")
            << st("{\"w\":{\"dtype\":\"F32\",\"x\":" + QByteArray(100000, '['))
            << "nested too deeply";
    }

    void hostile()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString path = m_tmp.filePath("hostile.safetensors");
        test::writeFile(path, bytes);
        auto f = SafetensorsFile::open(path);
        QVERIFY(!f);
        QVERIFY2(f.error().message.contains(message), qPrintable(f.error().message));
        QCOMPARE(f.error().file, path);
        QVERIFY(!f.error().hint.isEmpty());
        auto held = SafetensorsFile::fromBytes(bytes, "held");
        QVERIFY(!held);
        QCOMPARE(held.error().message, f.error().message);
        QCOMPARE(held.error().file, QString("held"));
    }

    void fileErrors()
    {
        auto missing = SafetensorsFile::open(m_tmp.filePath("missing.safetensors"));
        QVERIFY(!missing);
        QVERIFY(missing.error().message.contains("Cannot open"));
        auto dir = SafetensorsFile::open(m_tmp.path());
        QVERIFY(!dir);
        QVERIFY(dir.error().message.contains("folder"));
        // The smallest valid file: no tensors, 8 bytes of header.
        auto none = SafetensorsFile::fromBytes(st("{}      "), "none");
        QVERIFY(none);
        QVERIFY(none->tensors().empty());
        auto meta = SafetensorsFile::fromBytes(st("{\"__metadata__\":null}"), "null");
        QVERIFY(meta && meta->metadata().isEmpty());
        // Escapes in names, unknown fields inside an entry are ignored (as the reference does).
        auto odd = SafetensorsFile::fromBytes(
            st("{\"a\\u00e9\\ud83d\\ude00\\n\":{\"extra\":[1,{\"x\":null}],\"dtype\":\"U8\","
               "\"shape\":[1],\"data_offsets\":[0,1]}}",
               QByteArray(1, 'x')),
            "odd");
        QVERIFY2(odd, qPrintable(odd ? QString() : odd.error().toString()));
        QCOMPARE(odd->tensors()[0].name, QString::fromUtf8("a\xc3\xa9\xf0\x9f\x98\x80\n"));
    }

    void looksLikeSafetensors()
    {
        QVERIFY(SafetensorsFile::looksLikeSafetensors(m_a));
        const QString csv = m_tmp.filePath("table.csv");
        test::writeFile(csv, "a,b\n1,2\n");
        QVERIFY(!SafetensorsFile::looksLikeSafetensors(csv));
        test::writeFile(csv, "");
        QVERIFY(!SafetensorsFile::looksLikeSafetensors(csv));
        QVERIFY(!SafetensorsFile::looksLikeSafetensors(m_tmp.filePath("missing")));
    }
};

QTEST_GUILESS_MAIN(TestModelDiff)
#include "tst_modeldiff.moc"
