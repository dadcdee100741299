// Structural diff of model sidecars (MLflow's MLmodel in YAML, a config.json): every change with
// its path, kind and values; parse errors with file, line and column; hostile YAML (alias bombs,
// deep nesting) as Errors; and the size and hashes of any file, through the façade as well.

#include "diff/modelcompare.h"
#include "diff/structdiff.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::diff;
using namespace Qt::StringLiterals;

namespace {

const QByteArray g_mlmodelA = R"(artifact_path: model
flavors:
  python_function:
    env: conda.yaml
    loader_module: mlflow.sklearn
    python_version: 3.11.4
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.3.0
mlflow_version: 2.5.0
signature:
  inputs:
  - {name: age, type: long}
  - {name: income, type: double}
  - {name: city, type: string}
  outputs:
  - {type: long}
)";

const QByteArray g_mlmodelB = R"(artifact_path: model
flavors:
  python_function:
    env: conda.yaml
    loader_module: mlflow.pyfunc.model
    python_version: 3.11.4
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.3.0
    serialization_format: cloudpickle
mlflow_version: 2.5.0
signature:
  inputs:
  - {name: age, type: long}
  - {name: income, type: double}
  outputs:
  - {type: long}
"a.b": 1
)";

QString render(const QList<StructChange> &changes)
{
    QStringList out;
    for (const StructChange &c : changes)
        out << u"%1 %2 %3 %4"_s.arg(c.kind, c.path, c.oldValue, c.newValue);
    return out.join(u'\n');
}

} // namespace

class TestStructDiff : public QObject
{
    Q_OBJECT

private slots:
    void mlmodel();
    void realMlmodels();
    void json();
    void parseErrors();
    void hostileYaml();
    void digests();
    void facade();
};

void TestStructDiff::mlmodel()
{
    auto d =
        diffStructured(g_mlmodelA, u"a/MLmodel"_s, g_mlmodelB, u"b/MLmodel"_s, StructFormat::Yaml);
    QVERIFY2(d, qPrintable(d ? QString() : d.error().toString()));
    QCOMPARE(render(*d), u"changed flavors.python_function.loader_module \"mlflow.sklearn\" "
                         "\"mlflow.pyfunc.model\"\n"
                         "added flavors.sklearn.serialization_format  \"cloudpickle\"\n"
                         "removed signature.inputs[2] {\"name\":\"city\",\"type\":\"string\"} \n"
                         "added [\"a.b\"]  \"1\""_s);
    const QJsonArray json = structChangesJson(*d);
    QCOMPARE(json[0][u"path"_s].toString(), u"flavors.python_function.loader_module"_s);
    QCOMPARE(json[0][u"old"_s].toString(), u"mlflow.sklearn"_s);
    QVERIFY(json[1][u"old"_s].isNull());
    QCOMPARE(json[1][u"new"_s].toString(), u"cloudpickle"_s);
    QCOMPARE(json[2][u"old"_s][u"name"_s].toString(), u"city"_s);
    QVERIFY(json[2][u"new"_s].isNull());
    QVERIFY(structChangesText(*d).contains(u"~ flavors.python_function.loader_module"_s));
    auto same = diffStructured(g_mlmodelA, u"a"_s, g_mlmodelA, u"b"_s, StructFormat::Yaml);
    QVERIFY(same && same->isEmpty());
}

void TestStructDiff::realMlmodels()
{
    // MLflow's own MLmodel files from 2.7.1 and 2.8.1 (tests/fixtures/mlflow, see its README).
    const QString dir = test::fixture(u"mlflow/tests/resources/pyfunc_models"_s);
    auto d = diffStructured(test::readFile(dir + u"/2.7.1/MLmodel"_s), u"2.7.1/MLmodel"_s,
                            test::readFile(dir + u"/2.8.1/MLmodel"_s), u"2.8.1/MLmodel"_s,
                            StructFormat::Yaml);
    QVERIFY2(d, qPrintable(d ? QString() : d.error().toString()));
    QCOMPARE(render(*d), u"changed mlflow_version \"2.7.1\" \"2.8.1\"\n"
                         "changed model_uuid \"1f82a364e20f4061984040cf41c3052e\" "
                         "\"a369e776349942f4b3040003169aa534\"\n"
                         "changed utc_time_created \"2023-12-07 02:45:13.335946\" "
                         "\"2023-12-07 02:46:07.555576\"\n"
                         "added model_size_bytes  \"737\""_s);

    // A signature as MLflow writes it: JSON inside a quoted YAML string.
    const QByteArray a = R"(signature:
  inputs: '[{"type": "double", "name": "age"}, {"type": "double", "name": "chol"}, {"type": "string", "name": "sex"}]'
  outputs: '[{"type": "long"}]'
  note: '[not json'
)";
    const QByteArray b = R"(signature:
  inputs: '[{"type": "double", "name": "age"}, {"type": "float", "name": "chol"}]'
  outputs: '[{"type": "long"}]'
  note: '[still not json'
)";
    d = diffStructured(a, u"a"_s, b, u"b"_s, StructFormat::Yaml);
    QVERIFY(d);
    QCOMPARE(render(*d), u"changed signature.inputs[1].type \"double\" \"float\"\n"
                         "removed signature.inputs[2] {\"name\":\"sex\",\"type\":\"string\"} \n"
                         "changed signature.note \"[not json\" \"[still not json\""_s);
}

void TestStructDiff::json()
{
    auto d = diffStructured(R"({"lr": 0.1, "layers": [64, 32], "act": "relu", "x": {"y": null}})",
                            u"a.json"_s,
                            R"({"lr": 0.01, "layers": [64, 32, 16], "act": "relu", "x": 3})",
                            u"b.json"_s, StructFormat::Json);
    QVERIFY(d);
    QCOMPARE(render(*d), u"added layers[2]  16\n" // keys in sorted order
                         "changed lr 0.1 0.01\n"
                         "changed x {\"y\":null} 3"_s);
    // A top-level array and a type change of the whole document.
    d = diffStructured("[1, 2]", u"a"_s, "{}", u"b"_s, StructFormat::Json);
    QVERIFY(d);
    QCOMPARE(render(*d), u"changed  [1,2] {}"_s);
}

void TestStructDiff::parseErrors()
{
    auto j = diffStructured("{\"a\": 1}", u"a.json"_s, "{\n  \"a\": 1,\n  \"b\" 2\n}", u"b.json"_s,
                            StructFormat::Json);
    QVERIFY(!j);
    QCOMPARE(j.error().file, u"b.json"_s);
    QCOMPARE(j.error().line, 3);
    QVERIFY(j.error().column > 1);
    auto y = diffStructured("a: [1, 2\nb: 3\n", u"MLmodel"_s, "a: 1\n", u"b"_s, StructFormat::Yaml);
    QVERIFY(!y);
    QCOMPARE(y.error().file, u"MLmodel"_s);
    QVERIFY(y.error().line >= 1);
    QVERIFY(y.error().message.contains(u"YAML"_s));
}

void TestStructDiff::hostileYaml()
{
    // A billion laughs: nine levels of nine aliases.
    QByteArray bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; ++i) {
        const QByteArray prev = "*a" + QByteArray::number(i - 1);
        bomb += "a" + QByteArray::number(i) + ": &a" + QByteArray::number(i) + " [" + prev;
        for (int k = 1; k < 9; ++k)
            bomb += ", " + prev;
        bomb += "]\n";
    }
    auto d = diffStructured(bomb, u"bomb.yaml"_s, "a: 1", u"b"_s, StructFormat::Yaml);
    QVERIFY(!d);
    QVERIFY2(d.error().message.contains(u"more than"_s), qPrintable(d.error().toString()));
    const QByteArray deep = QByteArray(1000, '[') + QByteArray(1000, ']');
    d = diffStructured(deep, u"deep.yaml"_s, "a: 1", u"b"_s, StructFormat::Yaml);
    QVERIFY(!d); // yaml-cpp's own depth limit or ours
}

void TestStructDiff::digests()
{
    const FileDigest abc = digestBytes("abc");
    QCOMPARE(abc.size, 3);
    QCOMPARE(abc.sha256,
             u"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_s);
    QVERIFY(abc.xxh128.startsWith(u"xxh128:"_s));
    QCOMPARE(abc.xxh128.size(), 7 + 32);
    QVERIFY(digestBytes("abd").xxh128 != abc.xxh128);
    QTemporaryDir dir;
    test::writeFile(dir.filePath(u"f"_s), "abc");
    auto f = digestFile(dir.filePath(u"f"_s));
    QVERIFY(f);
    QCOMPARE(f->xxh128, abc.xxh128);
    QCOMPARE(f->sha256, abc.sha256);
}

void TestStructDiff::facade()
{
    QTemporaryDir dir;
    test::writeFile(dir.filePath(u"a/MLmodel"_s), g_mlmodelA);
    test::writeFile(dir.filePath(u"b/MLmodel"_s), g_mlmodelB);
    test::writeFile(dir.filePath(u"a.bin"_s), QByteArray(100, 'a'));
    test::writeFile(dir.filePath(u"b.bin"_s), QByteArray(100, 'b'));
    const auto compare = [&](const QString &x, const QString &y) {
        auto a = resolveFileVersion(dir.filePath(x), dir.path());
        auto b = resolveFileVersion(dir.filePath(y), dir.path());
        return compareModelVersions(*a, *b);
    };
    auto yaml = compare(u"a/MLmodel"_s, u"b/MLmodel"_s);
    QVERIFY(yaml);
    QCOMPARE(yaml->format, ModelFormat::Yaml);
    QCOMPARE(yaml->changes.size(), 4);
    QVERIFY(!yaml->identical());
    const QJsonObject o = modelComparisonJson(*yaml);
    QCOMPARE(o[u"format"_s].toString(), u"yaml"_s);
    QCOMPARE(o[u"changes"_s].toArray().size(), 4);
    QVERIFY(o[u"tensors"_s].toArray().isEmpty());

    auto opaque = compare(u"a.bin"_s, u"b.bin"_s);
    QVERIFY(opaque);
    QCOMPARE(opaque->format, ModelFormat::Opaque);
    QVERIFY(!opaque->identical());
    QCOMPARE(opaque->digestA.size, 100);
    QCOMPARE(opaque->digestA.sha256, digestBytes(QByteArray(100, 'a')).sha256);
    QVERIFY(!digestBytes("abc", false).xxh128.isEmpty());
    QVERIFY(digestBytes("abc", false).sha256.isEmpty());
    QVERIFY(modelComparisonText(*opaque).contains(u"different content"_s));
    auto same = compare(u"a.bin"_s, u"a.bin"_s);
    QVERIFY(same && same->identical());

    auto mixed = compare(u"a/MLmodel"_s, u"a.bin"_s);
    QVERIFY(!mixed);
    QVERIFY(mixed.error().message.contains(u"is yaml"_s));
}

QTEST_GUILESS_MAIN(TestStructDiff)
#include "tst_structdiff.moc"
