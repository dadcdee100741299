// dvc.yaml pipelines: each stage becomes an entry point; foreach and matrix stages expand as
// DVC names them; ${...} resolves from vars and params.yaml.

#include "project/command.h"
#include "project/projectfile.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

class TestDvcYaml : public QObject
{
    Q_OBJECT
private slots:
    void stages()
    {
        QTemporaryDir dir;
        test::writeFile(dir.filePath(QStringLiteral("params.yaml")),
                        "train:\n  lr: 0.01\n  epochs: 5\nmodels: [small, large]\n");
        test::writeFile(dir.filePath(QStringLiteral("dvc.yaml")),
                        "vars:\n"
                        "  - out: results\n"
                        "stages:\n"
                        "  prepare:\n"
                        "    cmd: python src/prepare.py data/raw.csv\n"
                        "    deps: [src/prepare.py, data/raw.csv]\n"
                        "    outs: [data/prepared]\n"
                        "  train:\n"
                        "    desc: Train it\n"
                        "    cmd:\n"
                        "      - python src/train.py --lr ${train.lr} --epochs ${train.epochs}\n"
                        "      - echo ${out}\n"
                        "    deps: [data/prepared]\n"
                        "    outs:\n"
                        "      - models/model.pkl:\n"
                        "          cache: false\n"
                        "  evaluate:\n"
                        "    foreach: ${models}\n"
                        "    do:\n"
                        "      cmd: python eval.py ${item}\n"
                        "  per_region:\n"
                        "    foreach:\n"
                        "      us: {n: 3}\n"
                        "      eu: {n: 5}\n"
                        "    do:\n"
                        "      cmd: python region.py ${key} ${item.n}\n"
                        "      wdir: regions\n"
                        "  grid:\n"
                        "    matrix:\n"
                        "      lr: [0.1, 0.01]\n"
                        "      opt: [sgd, adam]\n"
                        "    cmd: python grid.py ${item.lr} ${item.opt}\n");
        const auto p = loadProject(dir.path());
        QVERIFY2(p.has_value(), p ? "" : qPrintable(p.error().first().toString()));
        QCOMPARE(p->format, ProjectFormat::Dvc);
        QStringList names;
        for (const EntryPoint &e : p->entryPoints)
            names << e.name;
        QCOMPARE(names, (QStringList{"prepare", "train", "evaluate@small", "evaluate@large",
                                     "per_region@us", "per_region@eu", "grid@0.1-sgd",
                                     "grid@0.1-adam", "grid@0.01-sgd", "grid@0.01-adam"}));
        auto cmd = [&](const QString &ep) {
            const auto c = buildLaunchCommand(*p, ep, {});
            return c ? c->shellCommand : QStringLiteral("ERROR ") + c.error().first().message;
        };
        QCOMPARE(cmd(QStringLiteral("train")),
                 QStringLiteral("python src/train.py --lr 0.01 --epochs 5 && echo results"));
        QCOMPARE(p->entryPoint(u"train")->description, QStringLiteral("Train it"));
        QCOMPARE(cmd(QStringLiteral("evaluate@large")), QStringLiteral("python eval.py large"));
        QCOMPARE(cmd(QStringLiteral("per_region@eu")), QStringLiteral("python region.py eu 5"));
        QCOMPARE(cmd(QStringLiteral("grid@0.01-adam")), QStringLiteral("python grid.py 0.01 adam"));
        const auto region = buildLaunchCommand(*p, QStringLiteral("per_region@us"), {});
        QCOMPARE(region->workingDirectory, dir.filePath(QStringLiteral("regions")));

        // deps and outs become datasets and models; code files are left out.
        QStringList datasets;
        for (const DatasetSpec &d : p->datasets)
            datasets << d.name;
        QCOMPARE(datasets, (QStringList{"data/raw.csv", "data/prepared"}));
        QCOMPARE(p->models.size(), 1);
        QCOMPARE(p->models.first().name, QStringLiteral("models/model.pkl"));
        QVERIFY(p->warnings.isEmpty());
    }

    void unresolvedAndErrors()
    {
        QTemporaryDir dir;
        test::writeFile(dir.filePath(QStringLiteral("dvc.yaml")), "stages:\n"
                                                                  "  a:\n"
                                                                  "    cmd: run ${nowhere.x}\n"
                                                                  "  b:\n"
                                                                  "    deps: [x]\n");
        const auto p = loadProject(dir.path());
        QVERIFY(!p.has_value());
        const Error &e = p.error().first();
        QCOMPARE(e.message, QStringLiteral("stage \"b\" has no `cmd`"));
        QCOMPARE(e.line, 4);
        QCOMPARE(e.column, 3);

        test::writeFile(dir.filePath(QStringLiteral("dvc.yaml")),
                        "stages:\n  a:\n    cmd: run ${nowhere.x} {literal}\n");
        const auto q = loadProject(dir.path());
        QVERIFY(q.has_value());
        QCOMPARE(q->warnings.size(), 1);
        QVERIFY(q->warnings.first().message.contains(
            QStringLiteral("${nowhere.x} could not be resolved")));
        // Braces in a DVC command are literal, not Cairn placeholders.
        QCOMPARE(buildLaunchCommand(*q, QStringLiteral("a"), {})->shellCommand,
                 QStringLiteral("run ${nowhere.x} {literal}"));
    }
};

QTEST_GUILESS_MAIN(TestDvcYaml)
#include "tst_dvcyaml.moc"
