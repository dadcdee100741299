// cairn.yaml: a full file read back, and malformed files that must each give an error naming
// the file, line and column.

#include "project/projectfile.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

class TestCairnYaml : public QObject
{
    Q_OBJECT
private slots:
    void demoFile()
    {
        const QString path = test::sourceDir() + QStringLiteral("/resources/demo/cairn.yaml");
        const auto p = parseCairnYaml(path, test::readFile(path), QStringLiteral("/tmp/churn"));
        QVERIFY2(p.has_value(), p ? "" : qPrintable(p.error().first().toString()));
        QCOMPARE(p->name, QStringLiteral("churn-demo"));
        QCOMPARE(p->format, ProjectFormat::Cairn);
        QVERIFY(p->description.startsWith(QStringLiteral("Predict customer churn")));
        QCOMPARE(p->entryPoints.size(), 2);
        const EntryPoint *train = p->entryPoint(u"train");
        QVERIFY(train);
        QCOMPARE(train->parameters.size(), 7);
        const Parameter *lr = train->parameter(u"lr");
        QVERIFY(lr);
        QCOMPARE(lr->type, ParamType::Float);
        QCOMPARE(lr->defaultValue, QStringLiteral("0.3"));
        QCOMPARE(lr->description, QStringLiteral("Learning rate"));
        QCOMPARE(train->parameter(u"epochs")->type, ParamType::Int);
        QCOMPARE(train->parameter(u"data")->type, ParamType::Path);
        // Folded scalar: the two command lines join with a space.
        QVERIFY(train->command.contains(QStringLiteral("--l2 {l2} --batch-size {batch_size}")));
        QCOMPARE(train->location.line, 10);
        QCOMPARE(train->location.column, 3);
        QCOMPARE(p->datasets.size(), 2);
        QCOMPARE(p->dataset(u"reference")->key, QStringList{QStringLiteral("customer_id")});
        QCOMPARE(p->dataset(u"incoming")->paths,
                 QStringList{QStringLiteral("data/incoming/batch-*.csv")});
        QCOMPARE(p->models.size(), 1);
        QCOMPARE(p->model(u"churn-model")->paths.size(), 2);
        QVERIFY(p->drift.has_value());
        QCOMPARE(p->drift->reference, QStringLiteral("reference"));
        QCOMPARE(p->drift->current, QStringLiteral("incoming"));
        QVERIFY(p->warnings.isEmpty());
    }

    void shorthands()
    {
        const QByteArray yaml = "name: tiny\n"
                                "entry_points:\n"
                                "  hello: echo hello\n"
                                "  train:\n"
                                "    command: python t.py {n} {flag}\n"
                                "    parameters:\n"
                                "      n: int\n"
                                "      flag: {type: bool, default: false}\n"
                                "    metrics:\n"
                                "      - {pattern: 'loss: (?<value>[0-9.]+)', name: loss}\n"
                                "      - {pattern: 'acc=(?<value>\\S+)', name: accuracy}\n"
                                "      - '(?<name>\\w+)=(?<value>\\S+) step (?<step>\\d+)'\n"
                                "datasets:\n"
                                "  raw: data/*.csv\n"
                                "  pair: {path: [a.csv, b.csv], key: [id, date]}\n"
                                "models:\n"
                                "  m: models/m.onnx\n";
        const auto p = parseCairnYaml(QStringLiteral("cairn.yaml"), yaml, QStringLiteral("/p"));
        QVERIFY2(p.has_value(), p ? "" : qPrintable(p.error().first().toString()));
        QCOMPARE(p->entryPoint(u"hello")->command, QStringLiteral("echo hello"));
        const EntryPoint *train = p->entryPoint(u"train");
        QVERIFY(train->parameter(u"n")->isRequired());
        QCOMPARE(train->parameter(u"flag")->defaultValue, QStringLiteral("false"));
        QCOMPARE(train->metricPatterns.size(), 3);
        QCOMPARE(train->metricPatterns[1].metric, QStringLiteral("accuracy"));
        QCOMPARE(p->dataset(u"raw")->paths, QStringList{QStringLiteral("data/*.csv")});
        QCOMPARE(p->dataset(u"pair")->key,
                 (QStringList{QStringLiteral("id"), QStringLiteral("date")}));
        QCOMPARE(p->model(u"m")->paths, QStringList{QStringLiteral("models/m.onnx")});
        QVERIFY(!p->drift.has_value());
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");

        QTest::newRow("unknown top key")
            << QByteArray("name: x\nentry_point:\n  a: echo\n") << 2 << 1
            << "unknown key \"entry_point\" in the project file (did you mean \"entry_points\"?)";
        QTest::newRow("typo in entry point key")
            << QByteArray("entry_points:\n  train:\n    comand: python t.py\n") << 3 << 5
            << "unknown key \"comand\" in entry point \"train\" (did you mean \"command\"?)";
        QTest::newRow("missing command")
            << QByteArray("entry_points:\n  train:\n    description: trains\n") << 2 << 3
            << "entry point \"train\" has no command";
        QTest::newRow("default of wrong type")
            << QByteArray("entry_points:\n  t:\n    command: x {e}\n    parameters:\n"
                          "      e: {type: int, default: ten}\n")
            << 5 << 31 << "parameter \"e\" is int but \"ten\" is not an integer";
        QTest::newRow("unknown parameter type")
            << QByteArray(
                   "entry_points:\n  t:\n    command: x {e}\n    parameters:\n      e: integer64\n")
            << 5 << 10 << "has unknown type \"integer64\"";
        QTest::newRow("undeclared placeholder")
            << QByteArray("entry_points:\n  t:\n    command: python t.py {epoch}\n    parameters:\n"
                          "      epochs: int\n")
            << 3 << 14
            << "uses {epoch}, but no parameter \"epoch\" is declared (did you mean {epochs}?)";
        QTest::newRow("unclosed placeholder")
            << QByteArray("entry_points:\n  t: python t.py {epochs\n") << 2 << 6
            << "'{' is never closed";
        QTest::newRow("entry points as a list")
            << QByteArray("entry_points:\n  - train\n") << 2 << 3
            << "\"entry_points\" must be a mapping of keys to values, but it is a list";
        QTest::newRow("syntax error") << QByteArray("name: x\nentry_points: {train: [python\n") << 3
                                      << 1 << "YAML syntax error";
        QTest::newRow("bad indentation")
            << QByteArray("entry_points:\n  train:\n    command: a\n   parameters: {}\n") << 4 << 4
            << "YAML syntax error";
        QTest::newRow("newer version")
            << QByteArray("version: 3\nname: x\n") << 1 << 10 << "uses cairn.yaml version 3";
        QTest::newRow("duplicate key") << QByteArray("entry_points:\n  a: echo 1\n  a: echo 2\n")
                                       << 3 << 3 << "key \"a\" appears twice";
        QTest::newRow("dataset without path") << QByteArray("datasets:\n  train:\n    key: id\n")
                                              << 2 << 3 << "dataset \"train\" has no path";
        QTest::newRow("path outside project") << QByteArray("datasets:\n  train: ../secret.csv\n")
                                              << 2 << 10 << "must stay inside the project folder";
        QTest::newRow("bad metric regex") << QByteArray("entry_points:\n  t:\n    command: x\n    "
                                                        "metrics:\n      - 'loss: (?<value>[0-9'\n")
                                          << 5 << 9 << "not a valid regular expression";
        QTest::newRow("metric regex without value group")
            << QByteArray(
                   "entry_points:\n  t:\n    command: x\n    metrics:\n      - 'loss: ([0-9.]+)'\n")
            << 5 << 9 << "has no `value` group";
        QTest::newRow("metric regex without a name")
            << QByteArray("entry_points:\n  t:\n    command: x\n    metrics:\n      - 'loss: "
                          "(?<value>[0-9.]+)'\n")
            << 5 << 9 << "has neither a `name` group nor a name";
        QTest::newRow("pattern key missing")
            << QByteArray(
                   "entry_points:\n  t:\n    command: x\n    metrics:\n      - {name: loss}\n")
            << 5 << 9 << "a metric pattern needs a `pattern`";
        QTest::newRow("parameter as a list")
            << QByteArray("entry_points:\n  t:\n    command: x\n    parameters:\n      e: [int]\n")
            << 5 << 10 << "must be a type (such as `int`) or a mapping";
        QTest::newRow("model without path")
            << QByteArray("models:\n  m:\n    description: weights\n") << 2 << 3
            << "model \"m\" has no path";
        QTest::newRow("drift without current") << QByteArray("drift:\n  reference: train\n") << 2
                                               << 3 << "\"drift\" has no \"current\"";
        QTest::newRow("drift unknown test")
            << QByteArray("drift:\n  reference: a.csv\n  current: b.csv\n  test: kss\n") << 4 << 9
            << "unknown drift test \"kss\"";
        QTest::newRow("drift bad threshold")
            << QByteArray("drift:\n  reference: a.csv\n  current: b.csv\n  threshold: high\n") << 4
            << 14 << "drift \"threshold\" must be a number";
        QTest::newRow("drift share above one")
            << QByteArray("drift:\n  reference: a.csv\n  current: b.csv\n  drift_share: 1.5\n") << 4
            << 16 << "drift \"drift_share\" must be a number above 0 and at most 1";
        QTest::newRow("drift bad binning")
            << QByteArray("drift:\n  reference: a.csv\n  current: b.csv\n  binning: quantile\n")
            << 4 << 12 << "must be \"evidently\" or \"reference\"";
        QTest::newRow("drift bad column type")
            << QByteArray(
                   "drift:\n  reference: a.csv\n  current: b.csv\n  column_types: {age: ordinal}\n")
            << 4 << 23 << "column type \"ordinal\" is not one Cairn knows";
        QTest::newRow("retrain unknown entry point")
            << QByteArray("entry_points:\n  train: python t.py\ndrift:\n  reference: a.csv\n  "
                          "current: b.csv\n"
                          "  retrain: {entry_point: trian}\n")
            << 6 << 26 << "the retrain entry point \"trian\" is not declared";
        QTest::newRow("retrain unknown parameter")
            << QByteArray(
                   "entry_points:\n  train:\n    command: python t.py {data}\n    parameters: "
                   "{data: path}\n"
                   "drift:\n  reference: a.csv\n  current: b.csv\n"
                   "  retrain:\n    entry_point: train\n    parameters: {dta: \"{current}\"}\n")
            << 10 << 18 << "entry point \"train\" has no parameter \"dta\"";
        QTest::newRow("retrain unknown placeholder")
            << QByteArray(
                   "entry_points:\n  train:\n    command: python t.py {data}\n    parameters: "
                   "{data: path}\n"
                   "drift:\n  reference: a.csv\n  current: b.csv\n"
                   "  retrain:\n    entry_point: train\n    parameters: {data: \"{batch}\"}\n")
            << 10 << 24 << "has a placeholder Cairn does not know";
        QTest::newRow("not utf8") << QByteArray("name: caf\xe9\n") << 1 << 10 << "not valid UTF-8";
        QTest::newRow("empty file") << QByteArray("") << 1 << 1 << "the project file is empty";
        QTest::newRow("scalar document")
            << QByteArray("just text\n") << 1 << 1 << "the project file must be a mapping";
        QTest::newRow("bad entry point name")
            << QByteArray("entry_points:\n  'train model': echo\n") << 2 << 3
            << "may only use letters";
    }
    void errors()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        const QString file = QStringLiteral("/projects/p/cairn.yaml");
        const auto p = parseCairnYaml(file, yaml, QStringLiteral("/projects/p"));
        QVERIFY2(!p.has_value(), "a malformed file must not load");
        const Error &e = p.error().first();
        QVERIFY2(e.message.contains(message), qPrintable(e.toString()));
        if (QByteArray(QTest::currentDataTag()).startsWith("drift unknown test"))
            QCOMPARE(e.hint, QStringLiteral("Did you mean \"ks\"?"));
        QCOMPARE(e.file, file);
        QCOMPARE(e.line, line);
        QCOMPARE(e.column, column);
        // The printed form starts with file:line:column, as compilers print it.
        QVERIFY(
            e.toString().startsWith(QStringLiteral("%1:%2:%3: ").arg(file).arg(line).arg(column)));
    }

    void driftSettings()
    {
        const QByteArray yaml = "entry_points:\n"
                                "  train:\n"
                                "    command: python train.py --data {data} --ref {ref}\n"
                                "    parameters: {data: path, ref: path}\n"
                                "datasets:\n"
                                "  reference: data/ref.csv\n"
                                "drift:\n"
                                "  reference: reference\n"
                                "  current: data/incoming/*.csv\n"
                                "  test: psi\n"
                                "  threshold: 0.2\n"
                                "  drift_share: 0.3\n"
                                "  binning: reference\n"
                                "  column_types: {zip: categorical, score: numerical}\n"
                                "  ignore: [customer_id]\n"
                                "  retrain:\n"
                                "    entry_point: train\n"
                                "    parameters: {data: \"{current}\", ref: \"{reference}\"}\n";
        const auto p = parseCairnYaml(QStringLiteral("/p/cairn.yaml"), yaml, QStringLiteral("/p"));
        QVERIFY2(p.has_value(), p ? "" : qPrintable(p.error().first().toString()));
        QVERIFY(p->drift.has_value());
        const DriftSettings &d = *p->drift;
        QCOMPARE(d.reference, QStringLiteral("reference"));
        QCOMPARE(d.current, QStringLiteral("data/incoming/*.csv"));
        QCOMPARE(d.test, QStringLiteral("psi"));
        QCOMPARE(d.threshold, std::optional<double>(0.2));
        QCOMPARE(d.driftShare, 0.3);
        QCOMPARE(d.binning, QStringLiteral("reference"));
        QCOMPARE(d.columnTypes.size(), 2);
        QCOMPARE(d.columnTypes.first(), (QPair<QString, QString>{"zip", "categorical"}));
        QCOMPARE(d.ignore, QStringList{"customer_id"});
        QVERIFY(d.retrain.has_value());
        QCOMPARE(d.retrain->entryPoint, QStringLiteral("train"));
        QCOMPARE(d.retrain->parameters.size(), 2);
        QCOMPARE(d.retrain->parameters[0], (QPair<QString, QString>{"data", "{current}"}));
        QCOMPARE(d.retrain->parameters[1], (QPair<QString, QString>{"ref", "{reference}"}));
    }

    // Every problem is reported, not just the first.
    void allErrorsReported()
    {
        const QByteArray yaml = "nme: x\n"
                                "entry_points:\n"
                                "  a:\n"
                                "    command: run {x}\n"
                                "  b:\n"
                                "    comand: y\n";
        const auto p = parseCairnYaml(QStringLiteral("cairn.yaml"), yaml, QStringLiteral("/p"));
        QVERIFY(!p.has_value());
        QCOMPARE(p.error().size(), 4); // nme, {x}, comand, b without command
        QStringList lines;
        for (const Error &e : p.error())
            lines << QString::number(e.line);
        QCOMPARE(lines, (QStringList{"1", "4", "6", "5"}));
    }

    void loadFromFolder()
    {
        QTemporaryDir dir;
        // No project file: a valid, empty project named after the folder.
        auto empty = loadProject(dir.path());
        QVERIFY(empty.has_value());
        QCOMPARE(empty->format, ProjectFormat::None);
        QVERIFY(empty->entryPoints.isEmpty());

        // cairn.yaml wins over MLproject and dvc.yaml.
        test::writeFile(dir.filePath(QStringLiteral("MLproject")),
                        "name: ml\nentry_points:\n  main:\n    command: echo\n");
        test::writeFile(dir.filePath(QStringLiteral("dvc.yaml")), "stages:\n  s:\n    cmd: echo\n");
        QCOMPARE(loadProject(dir.path())->format, ProjectFormat::MLproject);
        test::writeFile(dir.filePath(QStringLiteral("cairn.yaml")), "name: mine\n");
        const auto p = loadProject(dir.path());
        QCOMPARE(p->format, ProjectFormat::Cairn);
        QCOMPARE(p->name, QStringLiteral("mine"));

        // A missing folder and a file are clear errors.
        auto missing = loadProject(dir.filePath(QStringLiteral("nope")));
        QVERIFY(!missing);
        QVERIFY(missing.error().first().message.contains(QStringLiteral("does not exist")));
        auto file = loadProject(dir.filePath(QStringLiteral("cairn.yaml")));
        QVERIFY(!file);
        QVERIFY(file.error().first().message.contains(QStringLiteral("not a project folder")));
    }

    void templateParses()
    {
        const auto p = parseCairnYaml(
            QStringLiteral("cairn.yaml"),
            cairnYamlTemplate(QStringLiteral("my \"quoted\" name")).toUtf8(), QStringLiteral("/p"));
        QVERIFY2(p.has_value(), p ? "" : qPrintable(p.error().first().toString()));
        QCOMPARE(p->name, QStringLiteral("my \"quoted\" name"));
        QCOMPARE(p->entryPoints.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestCairnYaml)
#include "tst_cairnyaml.moc"
