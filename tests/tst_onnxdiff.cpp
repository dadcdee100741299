// ONNX model diff: every model.onnx Debian's libonnx-testdata ships reads and compares equal
// to itself; pairs with known edits (written here with libonnx's protobuf classes) report each
// change of the header, opsets, metadata, inputs, outputs and nodes, and the initializers'
// figures equal a plain long-double computation; raw_data and typed fields read the same;
// external data is read next to the model and refused outside it; damaged and hostile files
// are Errors, never crashes. And the façade: format detection, mixed formats, JSON keys.

#include "diff/modelcompare.h"
#include "diff/onnxdiff.h"
#include "testsupport.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <onnx/onnx_pb.h>

using namespace cairn;
using namespace cairn::diff;
using namespace Qt::StringLiterals;

namespace {

const QString g_testdata = u"/usr/share/libonnx-testdata/data"_s;

#define REQUIRE_TESTDATA()                                                                         \
    if (!QFileInfo::exists(g_testdata))                                                            \
    QSKIP("the ONNX test models are missing: install Debian's libonnx-testdata "                   \
          "(packaging/install-deps.sh does)")

QByteArray serialize(const onnx::ModelProto &m)
{
    const std::string s = m.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

void addFloats(onnx::TensorProto *t, const std::vector<float> &values, bool raw)
{
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    if (raw)
        t->set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                                    values.size() * sizeof(float)));
    else
        for (float v : values)
            t->add_float_data(v);
}

onnx::TensorProto *initializer(onnx::ModelProto &m, const std::string &name,
                               std::initializer_list<qint64> dims)
{
    onnx::TensorProto *t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    for (qint64 d : dims)
        t->add_dims(d);
    return t;
}

void addValue(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> *list,
              const std::string &name, int elem, std::initializer_list<const char *> dims)
{
    onnx::ValueInfoProto *v = list->Add();
    v->set_name(name);
    auto *tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto *shape = tt->mutable_shape();
    for (const char *d : dims) {
        auto *dim = shape->add_dim();
        if (d[0] >= '0' && d[0] <= '9')
            dim->set_dim_value(std::atoll(d));
        else
            dim->set_dim_param(d);
    }
}

onnx::NodeProto *addNode(onnx::ModelProto &m, const std::string &name, const std::string &op,
                         std::initializer_list<const char *> in,
                         std::initializer_list<const char *> out)
{
    onnx::NodeProto *n = m.mutable_graph()->add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (const char *s : in)
        n->add_input(s);
    for (const char *s : out)
        n->add_output(s);
    return n;
}

void intAttr(onnx::NodeProto *n, const std::string &name, qint64 v)
{
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(v);
}

// A small model: x[N,4] -> MatMul(W) -> Add(B) -> Relu -> y, plus an unnamed Identity.
onnx::ModelProto baseModel()
{
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("cairn-test");
    m.set_producer_version("1.0");
    auto *op = m.add_opset_import();
    op->set_domain("");
    op->set_version(17);
    auto *meta = m.add_metadata_props();
    meta->set_key("author");
    meta->set_value("ada");
    onnx::GraphProto *g = m.mutable_graph();
    g->set_name("g");
    addValue(g->mutable_input(), "x", onnx::TensorProto_DataType_FLOAT, {"N", "4"});
    addValue(g->mutable_output(), "y", onnx::TensorProto_DataType_FLOAT, {"N", "3"});
    addFloats(initializer(m, "W", {4, 3}), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, true);
    addFloats(initializer(m, "B", {3}), {0.5f, -0.5f, 0}, false);
    auto *steps = initializer(m, "steps", {2});
    steps->set_data_type(onnx::TensorProto_DataType_INT64);
    steps->add_int64_data(3);
    steps->add_int64_data(-7);
    addNode(m, "mm", "MatMul", {"x", "W"}, {"h"});
    addNode(m, "add", "Add", {"h", "B"}, {"h2"});
    intAttr(addNode(m, "", "Softmax", {"h2"}, {"h3"}), "axis", 1);
    addNode(m, "", "Relu", {"h3"}, {"y"});
    return m;
}

Result<ModelComparison> compareFiles(const QString &a, const QString &b)
{
    auto va = resolveFileVersion(a, QDir::currentPath());
    auto vb = resolveFileVersion(b, QDir::currentPath());
    if (!va || !vb)
        return fail(Error(u"cannot resolve"_s));
    return compareModelVersions(*va, *vb);
}

const TensorDiff *tensor(const ModelComparison &c, const QString &name)
{
    for (const TensorDiff &t : c.tensors.tensors) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

} // namespace

class TestOnnxDiff : public QObject
{
    Q_OBJECT

private slots:
    void realModelsReadAndEqualThemselves();
    void conv2dWeightsEdited();
    void graphChanges();
    void typedAndRawAgree();
    void externalData();
    void hostileFiles_data();
    void hostileFiles();
    void truncatedRealModel();
    void mixedFormatsAreAnError();
    void jsonShape();
};

void TestOnnxDiff::realModelsReadAndEqualThemselves()
{
    REQUIRE_TESTDATA();
    int models = 0, withInitializers = 0;
    QDirIterator it(g_testdata, {u"model.onnx"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        auto m = readOnnx(path);
        QVERIFY2(m, qPrintable(path + u": "_s + (m ? QString() : m.error().toString())));
        QVERIFY2(m->irVersion > 0 && !m->nodes.isEmpty(), qPrintable(path));
        auto d = diffOnnxInitializers(*m, *m);
        QVERIFY2(d, qPrintable(path));
        QCOMPARE(d->summary.unchanged, int(m->initializers.size()));
        QVERIFY(diffOnnxGraphs(*m, *m).identical());
        withInitializers += m->initializers.empty() ? 0 : 1;
        ++models;
    }
    qInfo("%d models, %d with initializers", models, withInitializers);
    QVERIFY2(models > 1000, qPrintable(QString::number(models)));
    QVERIFY(withInitializers >= 50);

    // One in detail: PyTorch's Conv2d export.
    auto conv = readOnnx(g_testdata + u"/pytorch-converted/test_Conv2d/model.onnx"_s);
    QVERIFY(conv);
    QCOMPARE(conv->nodes.size(), 1);
    QCOMPARE(conv->nodes[0].opType, u"Conv"_s);
    QCOMPARE(conv->initializers.size(), size_t(2)); // weight and bias
    QCOMPARE(conv->initializers[0].dtype, u"F32"_s);
    QCOMPARE(conv->initializers[0].shape, (std::vector<qint64>{4, 3, 3, 2})); // kernel 3x2
    QCOMPARE(conv->initializers[0].data.size(), size_t(4 * 3 * 3 * 2 * 4));
    QCOMPARE(conv->initializers[1].shape, (std::vector<qint64>{4}));
    QCOMPARE(conv->inputs.size(), 1); // the weight is an initializer, not an input
}

void TestOnnxDiff::conv2dWeightsEdited()
{
    REQUIRE_TESTDATA();
    QFile f(g_testdata + u"/pytorch-converted/test_Conv2d/model.onnx"_s);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray original = f.readAll();
    onnx::ModelProto m;
    QVERIFY(m.ParseFromArray(original.constData(), int(original.size())));
    onnx::TensorProto *w = m.mutable_graph()->mutable_initializer(0);
    QVERIFY(w->has_raw_data());
    std::vector<float> a(size_t(w->raw_data().size() / 4));
    std::memcpy(a.data(), w->raw_data().data(), w->raw_data().size());
    QCOMPARE(a.size(), size_t(4 * 3 * 3 * 2));
    std::vector<float> b = a;
    b[0] += 0.25f;
    b[7] = -b[7];
    b[a.size() - 1] *= 3; // the last weight (the kernel has 72)
    w->set_raw_data(std::string(reinterpret_cast<const char *>(b.data()), b.size() * 4));
    auto *strides = m.mutable_graph()->mutable_node(0)->mutable_attribute();
    for (onnx::AttributeProto &attr : *strides) {
        if (attr.name() == "strides")
            attr.set_ints(0, 2);
    }

    QTemporaryDir dir;
    test::writeFile(dir.filePath(u"a.onnx"_s), original);
    test::writeFile(dir.filePath(u"b.onnx"_s), serialize(m));
    auto c = compareFiles(dir.filePath(u"a.onnx"_s), dir.filePath(u"b.onnx"_s));
    QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
    QCOMPARE(c->format, ModelFormat::Onnx);
    QVERIFY(!c->identical());
    const TensorDiff *t = tensor(*c, QString::fromStdString(w->name()));
    QVERIFY(t);
    QCOMPARE(t->status, u"changed"_s);
    // By hand, in long double.
    long double dd = 0, aa = 0, bb = 0, ab = 0, mx = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const long double x = a[i], y = b[i];
        dd += (x - y) * (x - y);
        aa += x * x;
        bb += y * y;
        ab += x * y;
        mx = std::max(mx, std::abs(x - y));
    }
    QVERIFY(std::abs(*t->l2Diff - double(std::sqrt(dd))) <= 1e-12 * double(std::sqrt(dd)));
    QVERIFY(std::abs(*t->relL2 - double(std::sqrt(dd / aa))) <= 1e-12);
    QCOMPARE(*t->maxAbsDiff, double(mx));
    QVERIFY(std::abs(*t->cosine - double(ab / std::sqrt(aa * bb))) <= 1e-12);
    QCOMPARE(t->elements, qint64(a.size()));

    QVERIFY(c->graph);
    QCOMPARE(c->graph->nodes.size(), 1);
    const OnnxNodeChange &n = c->graph->nodes[0];
    QCOMPARE(n.status, u"changed"_s);
    QCOMPARE(n.opType, u"Conv"_s);
    QCOMPARE(n.changes.size(), 1);
    QCOMPARE(n.changes[0].first, u"attribute strides"_s);
    QCOMPARE(n.changes[0].second.first, u"[1, 1]"_s);
    QCOMPARE(n.changes[0].second.second, u"[2, 1]"_s);
}

void TestOnnxDiff::graphChanges()
{
    onnx::ModelProto a = baseModel();
    onnx::ModelProto b = baseModel();
    b.set_ir_version(9);
    b.set_producer_version("1.1");
    b.mutable_opset_import(0)->set_version(18);
    auto *ml = b.add_opset_import();
    ml->set_domain("ai.onnx.ml");
    ml->set_version(3);
    b.mutable_metadata_props(0)->set_value("grace");
    // Input: a dimension renamed; output: type changed.
    b.mutable_graph()
        ->mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(0)
        ->set_dim_param("batch");
    b.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto_DataType_DOUBLE);
    // mm: an input renamed (paired by name); the unnamed Softmax: input renamed and axis
    // changed (paired by position); the unnamed Relu: unchanged (paired by signature); a node
    // removed, a node added.
    b.mutable_graph()->mutable_node(0)->set_input(0, "x2");
    b.mutable_graph()->mutable_node(2)->set_input(0, "h2b");
    b.mutable_graph()->mutable_node(2)->mutable_attribute(0)->set_i(-1);
    b.mutable_graph()->mutable_node()->erase(b.mutable_graph()->mutable_node()->begin() + 1);
    addNode(b, "extra", "Identity", {"y"}, {"z"});

    QTemporaryDir dir;
    test::writeFile(dir.filePath(u"a.onnx"_s), serialize(a));
    test::writeFile(dir.filePath(u"b.onnx"_s), serialize(b));
    auto c = compareFiles(dir.filePath(u"a.onnx"_s), dir.filePath(u"b.onnx"_s));
    QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
    const OnnxGraphDiff &g = *c->graph;
    QCOMPARE(g.irVersionA, 8);
    QCOMPARE(g.irVersionB, 9);
    QCOMPARE(g.model.changed.size(), 1);
    QCOMPARE(g.model.changed.value(u"producer_version"_s), (QPair{u"1.0"_s, u"1.1"_s}));
    QCOMPARE(g.opsets.changed.value(u"ai.onnx"_s), (QPair{u"17"_s, u"18"_s}));
    QCOMPARE(g.opsets.added.value(u"ai.onnx.ml"_s), u"3"_s);
    QCOMPARE(g.metadata.changed.value(u"author"_s), (QPair{u"ada"_s, u"grace"_s}));
    QCOMPARE(g.inputs.changed.value(u"x"_s), (QPair{u"F32 [N, 4]"_s, u"F32 [batch, 4]"_s}));
    QCOMPARE(g.outputs.changed.value(u"y"_s), (QPair{u"F32 [N, 3]"_s, u"F64 [N, 3]"_s}));
    QCOMPARE(g.nodesA, 4);
    QCOMPARE(g.nodesB, 4);
    QCOMPARE(g.nodesUnchanged, 1); // the Relu
    QCOMPARE(g.nodes.size(), 4);
    QCOMPARE(g.nodes[0].node, u"mm"_s);
    QCOMPARE(g.nodes[0].status, u"changed"_s);
    QCOMPARE(g.nodes[0].changes.size(), 1);
    QCOMPARE(g.nodes[0].changes[0].first, u"inputs"_s);
    QCOMPARE(g.nodes[0].changes[0].second, (QPair{u"[x, W]"_s, u"[x2, W]"_s}));
    QCOMPARE(g.nodes[1].node, u"add"_s);
    QCOMPARE(g.nodes[1].status, u"removed"_s);
    QCOMPARE(g.nodes[2].node, u"Softmax -> h3"_s);
    QCOMPARE(g.nodes[2].status, u"changed"_s);
    QCOMPARE(g.nodes[2].changes.size(), 2);
    QCOMPARE(g.nodes[2].changes[0].first, u"inputs"_s);
    QCOMPARE(g.nodes[2].changes[0].second, (QPair{u"[h2]"_s, u"[h2b]"_s}));
    QCOMPARE(g.nodes[2].changes[1].first, u"attribute axis"_s);
    QCOMPARE(g.nodes[2].changes[1].second, (QPair{u"1"_s, u"-1"_s}));
    QCOMPARE(g.nodes[3].node, u"extra"_s);
    QCOMPARE(g.nodes[3].status, u"added"_s);
    QCOMPARE(g.nodes[3].opType, u"Identity"_s);
    QCOMPARE(c->tensors.summary.unchanged, 3);
    QVERIFY(!c->identical());

    // The same model saved twice is identical; exit status 0 material.
    test::writeFile(dir.filePath(u"a2.onnx"_s), serialize(a));
    auto same = compareFiles(dir.filePath(u"a.onnx"_s), dir.filePath(u"a2.onnx"_s));
    QVERIFY(same && same->identical());
}

void TestOnnxDiff::typedAndRawAgree()
{
    // The same values as raw_data in a and typed fields in b: unchanged. Then b's values edited.
    onnx::ModelProto a = baseModel(), b = baseModel();
    const auto add = [](onnx::ModelProto &m, bool raw, double bump) {
        addFloats(initializer(m, "f", {2, 2}), {1.5f, -2, float(3 + bump), 0}, raw);
        auto *d = initializer(m, "d", {3});
        d->set_data_type(onnx::TensorProto_DataType_DOUBLE);
        const double dv[] = {0.1, 0.2, 0.3 + bump};
        if (raw)
            d->set_raw_data(std::string(reinterpret_cast<const char *>(dv), sizeof dv));
        else
            for (double v : dv)
                d->add_double_data(v);
        auto *h = initializer(m, "h", {2}); // F16 1.0 and -2.0
        h->set_data_type(onnx::TensorProto_DataType_FLOAT16);
        const quint16 hv[] = {0x3C00, quint16(bump ? 0x4000 : 0xC000)};
        if (raw)
            h->set_raw_data(std::string(reinterpret_cast<const char *>(hv), sizeof hv));
        else
            for (quint16 v : hv)
                h->add_int32_data(v);
        auto *s = initializer(m, "labels", {2});
        s->set_data_type(onnx::TensorProto_DataType_STRING);
        s->add_string_data("cat");
        s->add_string_data(bump ? "doge" : "dog");
        auto *i8 = initializer(m, "i8", {3});
        i8->set_data_type(onnx::TensorProto_DataType_INT8);
        const qint8 iv[] = {-1, 2, qint8(bump ? 5 : -128)};
        if (raw)
            i8->set_raw_data(std::string(reinterpret_cast<const char *>(iv), sizeof iv));
        else
            for (qint8 v : iv)
                i8->add_int32_data(v);
    };
    add(a, true, 0);
    add(b, false, 0);
    auto ma = readOnnxBytes(serialize(a), u"a"_s);
    auto mb = readOnnxBytes(serialize(b), u"b"_s);
    QVERIFY2(ma && mb,
             qPrintable(ma ? (mb ? QString() : mb.error().toString()) : ma.error().toString()));
    auto d = diffOnnxInitializers(*ma, *mb);
    QVERIFY(d);
    for (const TensorDiff &t : d->tensors)
        QVERIFY2(t.status == u"unchanged"_s, qPrintable(t.name + u' ' + t.status));
    QCOMPARE(d->summary.unchanged, 8);

    onnx::ModelProto c = baseModel();
    add(c, false, 1);
    auto mc = readOnnxBytes(serialize(c), u"c"_s);
    QVERIFY(mc);
    d = diffOnnxInitializers(*ma, *mc);
    QVERIFY(d);
    const auto find = [&](const QString &name) {
        for (const TensorDiff &t : d->tensors) {
            if (t.name == name)
                return t;
        }
        return TensorDiff{};
    };
    QCOMPARE(find(u"f"_s).status, u"changed"_s);
    QCOMPARE(*find(u"f"_s).l2Diff, 1.0);
    QCOMPARE(*find(u"f"_s).maxAbsDiff, 1.0);
    // rel_l2 = 1 / sqrt(1.5^2 + 2^2 + 3^2)
    QCOMPARE(*find(u"f"_s).relL2, 1.0 / std::sqrt(2.25 + 4 + 9));
    QCOMPARE(find(u"d"_s).dtypeA, u"F64"_s);
    QVERIFY(std::abs(*find(u"d"_s).l2Diff - 1.0) < 1e-15);
    QCOMPARE(find(u"h"_s).dtypeA, u"F16"_s);
    QCOMPARE(*find(u"h"_s).maxAbsDiff, 4.0); // -2 -> 2
    QCOMPARE(*find(u"h"_s).cosine, (1.0 - 4.0) / 5.0);
    QCOMPARE(find(u"labels"_s).status, u"changed"_s); // strings: bytes only, no figures
    QVERIFY(!find(u"labels"_s).l2Diff);
    QCOMPARE(find(u"i8"_s).status, u"changed"_s);
    QCOMPARE(*find(u"i8"_s).maxAbsDiff, 133.0); // -128 -> 5
}

void TestOnnxDiff::externalData()
{
    QTemporaryDir dir;
    const std::vector<float> w = {1, 2, 3, 4, 5, 6};
    test::writeFile(dir.filePath(u"weights.bin"_s),
                    QByteArray(16, 'x') + QByteArray(reinterpret_cast<const char *>(w.data()),
                                                     qsizetype(w.size() * 4)));
    const auto model = [&](const char *location, const char *length) {
        onnx::ModelProto m = baseModel();
        auto *t = initializer(m, "ext", {2, 3});
        t->set_data_type(onnx::TensorProto_DataType_FLOAT);
        t->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
        const std::pair<const char *, const char *> entries[] = {
            {"location", location}, {"offset", "16"}, {"length", length}};
        for (const auto &[k, v] : entries) {
            auto *e = t->add_external_data();
            e->set_key(k);
            e->set_value(v);
        }
        return serialize(m);
    };
    test::writeFile(dir.filePath(u"m.onnx"_s), model("weights.bin", "24"));
    auto m = readOnnx(dir.filePath(u"m.onnx"_s));
    QVERIFY2(m, qPrintable(m ? QString() : m.error().toString()));
    const OnnxTensor &t = m->initializers.back();
    QCOMPARE(t.name, u"ext"_s);
    QCOMPARE(t.location, u"weights.bin"_s);
    QCOMPARE(QByteArray(t.data.data(), qsizetype(t.data.size())),
             QByteArray(reinterpret_cast<const char *>(w.data()), 24));

    // From memory (a git blob) it is refused, with a hint.
    auto blob = readOnnxBytes(model("weights.bin", "24"), u"m.onnx at HEAD"_s);
    QVERIFY(!blob);
    QVERIFY(blob.error().message.contains(u"external file \"weights.bin\""_s));
    QVERIFY(!blob.error().hint.isEmpty());

    const struct
    {
        const char *location, *length, *expect;
    } bad[] = {
        {"../weights.bin", "24", "outside the model's folder"},
        {"/etc/passwd", "24", "outside the model's folder"},
        {"missing.bin", "24", "cannot open"},
        {"weights.bin", "20", "need 24"},
        {"weights.bin", "4000", "past its end"},
        {"weights.bin", "-5", "not a byte count"},
    };
    for (const auto &c : bad) {
        test::writeFile(dir.filePath(u"bad.onnx"_s), model(c.location, c.length));
        auto r = readOnnx(dir.filePath(u"bad.onnx"_s));
        QVERIFY2(!r, c.location);
        QVERIFY2(r.error().message.contains(QLatin1StringView(c.expect)),
                 qPrintable(r.error().toString()));
    }
}

void TestOnnxDiff::hostileFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expect");
    QTest::newRow("empty") << QByteArray() << u"not an ONNX model"_s;
    QTest::newRow("text") << QByteArray("hello, this is not a model\n") << u"not an ONNX model"_s;
    QTest::newRow("varint overflow") << QByteArray(64, char(0xff)) << u"not an ONNX model"_s;
    QTest::newRow("length past the end")
        << QByteArray::fromHex("0808 3a ffffffff0f 00") << u"not an ONNX model"_s;

    const auto edited = [](auto edit) {
        onnx::ModelProto m = baseModel();
        edit(m);
        return serialize(m);
    };
    QTest::newRow("no graph") << edited([](onnx::ModelProto &m) { m.clear_graph(); })
                              << u"no graph"_s;
    QTest::newRow("raw data short") << edited([](onnx::ModelProto &m) {
        m.mutable_graph()->mutable_initializer(0)->mutable_raw_data()->resize(10);
    }) << u"10 bytes of raw data"_s;
    QTest::newRow("negative dim") << edited([](onnx::ModelProto &m) {
        m.mutable_graph()->mutable_initializer(0)->set_dims(0, -4);
    }) << u"negative dimension"_s;
    QTest::newRow("huge dims") << edited([](onnx::ModelProto &m) {
        auto *t = m.mutable_graph()->mutable_initializer(0);
        t->set_dims(0, qint64(1) << 40);
        t->set_dims(1, qint64(1) << 40);
    }) << u"too many elements"_s;
    QTest::newRow("typed count") << edited([](onnx::ModelProto &m) {
        m.mutable_graph()->mutable_initializer(1)->add_float_data(1);
    }) << u"4 values in float_data"_s;
    QTest::newRow("duplicate initializer") << edited([](onnx::ModelProto &m) {
        *m.mutable_graph()->add_initializer() = m.graph().initializer(1);
    }) << u"two initializers"_s;
    QTest::newRow("unknown type without raw data") << edited([](onnx::ModelProto &m) {
        m.mutable_graph()->mutable_initializer(1)->set_data_type(99);
    }) << u"TYPE99"_s;
    // Subgraphs nested past protobuf's recursion limit.
    QTest::newRow("deep nesting") << edited([](onnx::ModelProto &m) {
        onnx::GraphProto *g = m.mutable_graph();
        for (int i = 0; i < 150; ++i) {
            auto *a = g->add_node()->add_attribute();
            a->set_name("body");
            a->set_type(onnx::AttributeProto_AttributeType_GRAPH);
            g = a->mutable_g();
        }
    }) << u"not an ONNX model"_s;
}

void TestOnnxDiff::hostileFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expect);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"model.onnx"_s);
    test::writeFile(path, bytes);
    auto m = readOnnx(path);
    QVERIFY(!m);
    QVERIFY2(m.error().message.contains(expect), qPrintable(m.error().toString()));
    QCOMPARE(m.error().file, path);
    // Through the façade too (the .onnx name makes it ONNX even when the content does not).
    auto c = compareFiles(path, path);
    QVERIFY(!c);
}

void TestOnnxDiff::truncatedRealModel()
{
    REQUIRE_TESTDATA();
    const QByteArray whole =
        test::readFile(g_testdata + u"/pytorch-operator/test_operator_conv/model.onnx"_s);
    QVERIFY(whole.size() > 1000);
    // Every cut is an Error or, where the cut happens to end a field, a readable model.
    int errors = 0;
    for (qsizetype cut = 0; cut < whole.size(); cut += 7) {
        auto m = readOnnxBytes(whole.left(cut), u"cut.onnx"_s);
        errors += m ? 0 : 1;
        if (!m)
            QCOMPARE(m.error().file, u"cut.onnx"_s);
    }
    QVERIFY(errors > whole.size() / 7 / 2);
}

void TestOnnxDiff::mixedFormatsAreAnError()
{
    QTemporaryDir dir;
    test::writeFile(dir.filePath(u"a.onnx"_s), serialize(baseModel()));
    const QByteArray header = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    QByteArray st(8, 0);
    st[0] = char(header.size());
    test::writeFile(dir.filePath(u"b.safetensors"_s), st + header + QByteArray(4, 0));
    auto c = compareFiles(dir.filePath(u"a.onnx"_s), dir.filePath(u"b.safetensors"_s));
    QVERIFY(!c);
    QVERIFY2(c.error().message.contains(u"is onnx"_s) &&
                 c.error().message.contains(u"is safetensors"_s),
             qPrintable(c.error().toString()));
    // Found by content, whatever the name.
    test::writeFile(dir.filePath(u"model.bin"_s), serialize(baseModel()));
    auto same = compareFiles(dir.filePath(u"a.onnx"_s), dir.filePath(u"model.bin"_s));
    QVERIFY(same);
    QCOMPARE(same->format, ModelFormat::Onnx);
    QVERIFY(same->identical());
    QCOMPARE(same->digestA.xxh128, same->digestB.xxh128);
    QVERIFY(same->digestA.xxh128.startsWith(u"xxh128:"_s));
    QVERIFY(same->digestA.sha256.isEmpty()); // tensor formats: xxh128 only

    // Progress reaches the end; false from it cancels.
    auto va = resolveFileVersion(dir.filePath(u"a.onnx"_s), dir.path());
    QVERIFY(va);
    qint64 last = -1, end = 0;
    auto done = compareModelVersions(*va, *va, [&](qint64 d, qint64 total) {
        last = d;
        end = total;
        return true;
    });
    QVERIFY(done);
    QCOMPARE(last, end);
    auto cancelled = compareModelVersions(*va, *va, [](qint64, qint64) { return false; });
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().message, u"cancelled"_s);
}

void TestOnnxDiff::jsonShape()
{
    onnx::ModelProto b = baseModel();
    b.mutable_graph()->mutable_initializer(1)->set_float_data(0, 1.5f);
    QTemporaryDir dir;
    test::writeFile(dir.filePath(u"a.onnx"_s), serialize(baseModel()));
    test::writeFile(dir.filePath(u"b.onnx"_s), serialize(b));
    auto c = compareFiles(dir.filePath(u"a.onnx"_s), dir.filePath(u"b.onnx"_s));
    QVERIFY(c);
    const QJsonObject o = modelComparisonJson(*c);
    QCOMPARE(o[u"format"_s].toString(), u"onnx"_s);
    QCOMPARE(o[u"identical"_s].toBool(), false);
    const QJsonArray tensors = o[u"tensors"_s].toArray();
    QCOMPARE(tensors.size(), 3);
    for (const QJsonValue &t : tensors) {
        for (const QString &key :
             {u"name"_s, u"status"_s, u"shape_a"_s, u"shape_b"_s, u"dtype_a"_s, u"dtype_b"_s,
              u"l2_diff"_s, u"rel_l2"_s, u"max_abs_diff"_s, u"cosine"_s})
            QVERIFY2(t.toObject().contains(key), qPrintable(key));
    }
    QCOMPARE(tensors[1][u"name"_s].toString(), u"B"_s);
    QCOMPARE(tensors[1][u"status"_s].toString(), u"changed"_s);
    QCOMPARE(tensors[1][u"l2_diff"_s].toDouble(), 1.0);
    QCOMPARE(o[u"summary"_s][u"changed"_s].toInt(), 1);
    const QJsonObject g = o[u"graph"_s].toObject();
    for (const QString &key :
         {u"ir_version"_s, u"opsets"_s, u"inputs"_s, u"outputs"_s, u"nodes"_s, u"metadata"_s})
        QVERIFY2(g.contains(key), qPrintable(key));
    QCOMPARE(g[u"ir_version"_s][u"a"_s].toInt(), 8);
    QVERIFY(o[u"files"_s][u"a"_s][u"xxh128"_s].toString().startsWith(u"xxh128:"_s));
    QCOMPARE(o[u"files"_s][u"same"_s].toBool(), false);
    QVERIFY(modelComparisonText(*c).contains(u"ONNX model diff"_s));
}

QTEST_GUILESS_MAIN(TestOnnxDiff)
#include "tst_onnxdiff.moc"
