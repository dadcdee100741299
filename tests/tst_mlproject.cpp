// MLproject files from the MLflow repository (tests/fixtures/mlflow) read and turned into the
// commands `mlflow run` would run.

#include "project/command.h"
#include "project/projectfile.h"
#include "project/pyyaml.h"
#include "testsupport.h"

#include <QDir>
#include <QTest>

using namespace cairn;

class TestMLproject : public QObject
{
    Q_OBJECT

    static Project load(const QString &dir)
    {
        const auto p = loadProject(test::fixture(QStringLiteral("mlflow/") + dir));
        if (!p)
            qFatal("%s", qPrintable(p.error().first().toString()));
        return *p;
    }
    static QString command(const Project &p, const QString &ep, const ParamValues &values = {})
    {
        const auto c = buildLaunchCommand(p, ep, values);
        if (!c)
            return QStringLiteral("ERROR: ") + c.error().first().message;
        return c->shellCommand;
    }

private slots:
    void everyFixtureLoads_data()
    {
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("entryPoints");
        QTest::newRow("elasticnet") << "examples/sklearn_elasticnet_wine"
                                    << "tutorial" << QStringList{"main"};
        QTest::newRow("hyperparam")
            << "examples/hyperparam"
            << "HyperparameterSearch" << QStringList{"train", "random", "hyperopt", "main"};
        QTest::newRow("multistep")
            << "examples/multistep_workflow"
            << "multistep_example"
            << QStringList{"load_raw_data", "etl_data", "als", "train_keras", "main"};
        QTest::newRow("docker") << "examples/docker"
                                << "docker-example" << QStringList{"main"};
        QTest::newRow("example_project")
            << "tests/resources/example_project"
            << "example_project"
            << QStringList{"main",  "greeter",       "line_count",      "download_uri",
                           "sleep", "test_tracking", "check_conda_env", "test_artifact_path"};
        QTest::newRow("docker_project") << "tests/resources/example_docker_project"
                                        << "docker-example" << QStringList{"main", "test_tracking"};
        QTest::newRow("virtualenv") << "tests/resources/example_virtualenv_project"
                                    << "virtualenv-example" << QStringList{"main", "test"};
    }
    void everyFixtureLoads()
    {
        QFETCH(QString, dir);
        QFETCH(QString, name);
        QFETCH(QStringList, entryPoints);
        const Project p = load(dir);
        QCOMPARE(p.format, ProjectFormat::MLproject);
        QCOMPARE(p.name, name); // example_project has no name: the folder's
        QStringList names;
        for (const EntryPoint &e : p.entryPoints)
            names << e.name;
        QCOMPARE(names, entryPoints);
    }

    void typedParameters()
    {
        const Project p = load(QStringLiteral("examples/hyperparam"));
        const EntryPoint *train = p.entryPoint(u"train");
        QCOMPARE(train->parameters.size(), 6);
        QCOMPARE(train->parameter(u"epochs")->type, ParamType::Int);
        QCOMPARE(train->parameter(u"learning_rate")->type, ParamType::Float);
        // PyYAML reads `1e-1` (no dot) as a string and `.0` as the float 0.0.
        QCOMPARE(train->parameter(u"learning_rate")->defaultValue, QStringLiteral("1e-1"));
        QCOMPARE(train->parameter(u"momentum")->defaultValue, QStringLiteral("0.0"));
        const Project ex = load(QStringLiteral("tests/resources/example_project"));
        QCOMPARE(ex.entryPoint(u"download_uri")->parameter(u"uri")->type, ParamType::Uri);
        QCOMPARE(ex.entryPoint(u"test_tracking")->parameter(u"use_start_run")->type,
                 ParamType::Bool);
        QVERIFY(ex.entryPoint(u"test_artifact_path")->parameter(u"model")->isRequired());
        QCOMPARE(ex.entryPoint(u"test_artifact_path")->parameter(u"model")->type, ParamType::Path);
        QCOMPARE(ex.entryPoint(u"greeter")->parameter(u"name")->type, ParamType::String);
    }

    void commands()
    {
        const Project wine = load(QStringLiteral("examples/sklearn_elasticnet_wine"));
        QCOMPARE(command(wine, QStringLiteral("main")), QStringLiteral("python train.py 0.5 0.1"));
        QCOMPARE(command(wine, QStringLiteral("main"), {{"alpha", "0.42"}}),
                 QStringLiteral("python train.py 0.42 0.1"));

        // The multi-line command folds into one line; the URL needs no quoting.
        const Project hyper = load(QStringLiteral("examples/hyperparam"));
        QCOMPARE(
            command(hyper, QStringLiteral("train")),
            QStringLiteral("python train.py https://raw.githubusercontent.com/mlflow/mlflow/master/"
                           "tests/datasets/winequality-white.csv --batch-size 16 --epochs 32 "
                           "--learning-rate 1e-1 --momentum 0.0"));

        // Values are shell-quoted; undeclared parameters are appended as --key value.
        const Project ex = load(QStringLiteral("tests/resources/example_project"));
        QCOMPARE(command(ex, QStringLiteral("greeter"),
                         {{"name", "Ada Lovelace"}, {"extra", "x;y"}, {"n", "3"}}),
                 QStringLiteral("python greeter.py hi 'Ada Lovelace' --extra 'x;y' --n 3"));

        // A path parameter must exist and becomes absolute.
        const QString mlproject = QDir(ex.rootDir).filePath(QStringLiteral("MLproject"));
        QCOMPARE(command(ex, QStringLiteral("line_count"), {{"path", "MLproject"}}),
                 QStringLiteral("cat %1 | wc -l").arg(mlproject));
        QVERIFY(command(ex, QStringLiteral("line_count"), {{"path", "no-such-file"}})
                    .contains(QStringLiteral("does not exist")));
        // A uri parameter needs a scheme.
        QVERIFY(command(ex, QStringLiteral("download_uri"), {{"uri", "example.com/x"}})
                    .startsWith(QStringLiteral("ERROR: parameter \"uri\" is uri")));
        QCOMPARE(command(ex, QStringLiteral("download_uri"), {{"uri", "https://example.com/x"}}),
                 QStringLiteral("curl https://example.com/x | wc -l"));
    }

    void missingAndInvalidValues()
    {
        const Project multi = load(QStringLiteral("examples/multistep_workflow"));
        const auto c = buildLaunchCommand(multi, QStringLiteral("train_keras"), {});
        QVERIFY(!c);
        QCOMPARE(c.error().size(), 1);
        QCOMPARE(
            c.error().first().message,
            QStringLiteral("no value given for parameters \"ratings_data\", \"als_model_uri\" of "
                           "entry point \"train_keras\", which have no default"));
        const Project docker = load(QStringLiteral("examples/docker"));
        const auto bad = buildLaunchCommand(docker, QStringLiteral("main"), {{"alpha", "abc"}});
        QVERIFY(!bad);
        QVERIFY(bad.error().first().message.contains(QStringLiteral("\"abc\" is not a number")));
        const auto unknown = buildLaunchCommand(docker, QStringLiteral("mian"), {});
        QVERIFY(!unknown);
        QVERIFY(unknown.error().first().message.contains(QStringLiteral("did you mean \"main\"")));
    }

    void warnings()
    {
        const Project docker = load(QStringLiteral("examples/docker"));
        QCOMPARE(docker.warnings.size(), 1);
        QVERIFY(docker.warnings.first().message.contains(QStringLiteral("docker_env is not used")));
        QCOMPARE(docker.warnings.first().line, 3);
        const Project hyper = load(QStringLiteral("examples/hyperparam"));
        QVERIFY(hyper.warnings.isEmpty());
    }

    void undeclaredScriptEntryPoint()
    {
        // As in MLflow, an entry point that is not declared but names a .py file runs it.
        const Project ex = load(QStringLiteral("tests/resources/example_virtualenv_project"));
        QTemporaryDir dir;
        test::writeFile(dir.filePath(QStringLiteral("MLproject")), "name: s\n");
        test::writeFile(dir.filePath(QStringLiteral("my script.py")), "print(1)\n");
        const auto p = loadProject(dir.path());
        QVERIFY(p);
        const auto c = buildLaunchCommand(*p, QStringLiteral("my script.py"), {{"k", "v"}});
        QVERIFY(c);
        QCOMPARE(c->shellCommand, QStringLiteral("python 'my script.py' --k v"));
        QVERIFY(!buildLaunchCommand(*p, QStringLiteral("../escape.py"), {}));
        // An extra parameter's name goes into the command: it must be a plain word.
        const auto inject =
            buildLaunchCommand(*p, QStringLiteral("my script.py"), {{"x;rm -rf ~;y", "1"}});
        QVERIFY(!inject);
        QVERIFY(inject.error().first().message.contains(
            QStringLiteral("is not a valid parameter name")));
    }

    void pythonInterpreterSubstitution()
    {
        const Project ex = load(QStringLiteral("tests/resources/example_project"));
        CommandOptions o;
        o.pythonInterpreter = QStringLiteral("/opt/py 3/bin/python");
        const auto c = buildLaunchCommand(ex, QStringLiteral("greeter"),
                                          {{"name", "python rocks; python"}}, o);
        QVERIFY(c);
        // The program is replaced (and quoted); the value that reads "python" is not.
        QCOMPARE(c->shellCommand,
                 QStringLiteral("'/opt/py 3/bin/python' greeter.py hi 'python rocks; python'"));
        const auto echo = buildLaunchCommand(ex, QStringLiteral("main"), {}, o);
        QCOMPARE(echo->shellCommand, QStringLiteral("echo 'Main entry point'"));
    }

    void pythonStr_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("python");
        QTest::newRow("float") << "0.1"
                               << "0.1";
        QTest::newRow("dot zero") << ".0"
                                  << "0.0";
        QTest::newRow("no dot exponent") << "1e-1"
                                         << "1e-1";
        QTest::newRow("exponent with dot") << "1.0e-5"
                                           << "1e-05";
        QTest::newRow("big") << "1.0e+16"
                             << "1e+16";
        QTest::newRow("integral float") << "3."
                                        << "3.0";
        QTest::newRow("trailing zeros") << "1.500"
                                        << "1.5";
        QTest::newRow("int") << "100000"
                             << "100000";
        QTest::newRow("int underscores") << "1_000"
                                         << "1000";
        QTest::newRow("octal") << "010"
                               << "8";
        QTest::newRow("hex") << "0x1F"
                             << "31";
        QTest::newRow("true") << "true"
                              << "True";
        QTest::newRow("yes") << "yes"
                             << "True";
        QTest::newRow("Off") << "Off"
                             << "False";
        QTest::newRow("string") << "tpe.suggest"
                                << "tpe.suggest";
        QTest::newRow("inf") << "-.inf"
                             << "-inf";
        QTest::newRow("small") << "0.0001"
                               << "0.0001";
        QTest::newRow("smaller") << "0.00001"
                                 << "1e-05";
    }
    void pythonStr()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, python);
        QCOMPARE(pyyamlPlainScalarAsPythonStr(yaml), python);
    }

    // The same values through real PyYAML, when it is installed (python3-yaml).
    void pythonStrMatchesPyYaml()
    {
        const QStringList values = {"0.1",           ".0",      "1e-1",    "1.0e-5", "3.",
                                    "1.500",         "010",     "0x1F",    "true",   "Off",
                                    "123456789.125", "2.5e+20", "0.00001", "7"};
        const auto probe =
            test::runProcess(test::python(), {QStringLiteral("-c"), QStringLiteral("import yaml")});
        if (probe.exitCode != 0)
            QSKIP("python3-yaml is not installed; the table above still checks the rules");
        QString script = QStringLiteral(
            "import yaml,sys\nfor v in sys.argv[1:]: print(str(yaml.safe_load('x: ' + v)['x']))");
        QStringList args{QStringLiteral("-c"), script};
        args += values;
        const auto r = test::runProcess(test::python(), args);
        QCOMPARE(r.exitCode, 0);
        const QStringList expected =
            QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(expected.size(), values.size());
        for (int i = 0; i < values.size(); ++i)
            QCOMPARE(pyyamlPlainScalarAsPythonStr(values[i]).value_or(QStringLiteral("None")),
                     expected[i]);
    }
};

QTEST_GUILESS_MAIN(TestMLproject)
#include "tst_mlproject.moc"
