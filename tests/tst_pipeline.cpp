// Pipelines: the `pipelines:` block of cairn.yaml (and retrain with a pipeline), a chain of
// steps run in order as runs, a failing step stopping the chain, cancel, lost supervisors, and
// `cairn-cli pipeline`.

#include "pipeline/pipeline.h"
#include "project/projectfile.h"
#include "registry/registry.h"
#include "runs/launcher.h"
#include "runs/runstore.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cairn;
using namespace cairn::pipeline;

namespace {

// Entry points, datasets and a model the pipelines below refer to; the `pipelines:` block
// starts at line 16, its first step at line 21.
const QByteArray kHead = "name: p\n"
                         "entry_points:\n"
                         "  train:\n"
                         "    command: sh t.sh {data} {epochs}\n"
                         "    parameters:\n"
                         "      data: {type: path, default: d.csv}\n"
                         "      epochs: {type: int, default: 3}\n"
                         "  score: sh s.sh\n"
                         "datasets:\n"
                         "  ref:\n"
                         "    path: data/ref.csv\n"
                         "    checks: {rows: {min: 1}}\n"
                         "  plain: data/plain.csv\n"
                         "models:\n"
                         "  m: models/m.json\n"
                         "pipelines:\n"
                         "  retrain:\n"
                         "    parameters:\n"
                         "      data: {type: path, default: data/ref.csv}\n"
                         "    steps:\n";

} // namespace

class TestPipeline : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;
    Project m_project;

    std::unique_ptr<Database> db()
    {
        auto d = openProjectDatabase(m_root);
        if (!d)
            qFatal("%s", qPrintable(d.error().toString()));
        return std::move(*d);
    }
    PipelineRunRecord prepare(const QString &name, const ParamValues &values = {})
    {
        auto d = db();
        auto r = preparePipeline(m_project, *d, name, values);
        if (!r)
            qFatal("%s", qPrintable(r.error().first().toString()));
        return *r;
    }
    QByteArray log(qint64 runId) const
    {
        return test::readFile(runDirectory(m_root, runId) + QStringLiteral("/output.log"));
    }
    RunRecord runOf(const StepRecord &step)
    {
        auto d = db();
        auto r = RunStore(*d).get(step.runId.value_or(0));
        if (!r)
            qFatal("%s", qPrintable(r.error().toString()));
        return *r;
    }
    static qint64 pipelineRunCount(Database &d)
    {
        auto ids = listPipelineRuns(d, -1);
        return ids ? ids->size() : -1;
    }
    static QList<StepStatus> statuses(const PipelineRunRecord &r)
    {
        QList<StepStatus> out;
        for (const StepRecord &s : r.steps)
            out.append(s.status);
        return out;
    }
    test::ProcessResult cli(const QStringList &args)
    {
        return test::runProcess(test::cliPath(), args, m_root, 180000);
    }

private slots:
    void initTestCase()
    {
        test::isolateUserDirs();
        QVERIFY2(QFile::exists(test::cliPath()), qPrintable(test::cliPath()));
        qputenv("CAIRN_CLI", test::cliPath().toLocal8Bit()); // the built-in steps run it
        m_root = QDir(m_tmp.path()).canonicalPath();
        test::writeFile(m_root + QStringLiteral("/cairn.yaml"),
                        "name: pipes\n"
                        "entry_points:\n"
                        "  prep:\n"
                        "    command: \"echo prep {data} > out/prep.txt; echo prepared {data}\"\n"
                        "    parameters:\n"
                        "      data: {type: path, default: data/ref.csv}\n"
                        "  fail: \"echo about to fail; exit 3\"\n"
                        "  last: \"echo last > out/last.txt; echo last step\"\n"
                        "  nap: \"echo napping; sleep 60\"\n"
                        "  count:\n"
                        "    command: echo {n}\n"
                        "    parameters: {n: int}\n"
                        "datasets:\n"
                        "  ref:\n"
                        "    path: data/ref*.csv\n"
                        "    checks: {rows: {min: 1}}\n"
                        "  small:\n"
                        "    path: data/small.csv\n"
                        "    checks: {rows: {min: 100}}\n"
                        "models:\n"
                        "  m: models/m.json\n"
                        "pipelines:\n"
                        "  chain:\n"
                        "    parameters:\n"
                        "      data: {type: path, default: data/ref.csv}\n"
                        "    steps:\n"
                        "      - run: prep\n"
                        "        parameters: {data: \"{data}\"}\n"
                        "      - validate: \"{data}\"\n"
                        "      - run: last\n"
                        "  broken:\n"
                        "    steps:\n"
                        "      - run: prep\n"
                        "      - run: fail\n"
                        "      - run: last\n"
                        "  badcheck:\n"
                        "    steps:\n"
                        "      - validate: small\n"
                        "      - run: last\n"
                        "  sleepy:\n"
                        "    steps:\n"
                        "      - run: nap\n"
                        "      - run: last\n"
                        "  nomodel:\n"
                        "    steps:\n"
                        "      - run: last\n"
                        "      - gate: m\n"
                        "      - register: m\n"
                        "  check:\n"
                        "    parameters: {data: string}\n"
                        "    steps:\n"
                        "      - validate: \"{data}\"\n"
                        "  counting:\n"
                        "    parameters: {n: {type: string, default: \"3\"}}\n"
                        "    steps:\n"
                        "      - run: count\n"
                        "        parameters: {n: \"{n}\"}\n");
        test::writeFile(m_root + QStringLiteral("/data/ref.csv"), "a,b\n1,2\n3,4\n5,6\n");
        test::writeFile(m_root + QStringLiteral("/data/small.csv"), "a,b\n1,2\n3,4\n5,6\n");
        test::writeFile(m_root + QStringLiteral("/data/ref-new.csv"), "a,b\n7,8\n");
        QDir(m_root).mkpath(QStringLiteral("out"));
        auto p = loadProject(m_root);
        QVERIFY2(p, p ? "" : qPrintable(p.error().first().toString()));
        m_project = *p;
    }

    void yamlValid()
    {
        const QByteArray yaml = kHead + "      - validate: \"{data}\"\n"
                                        "      - run: train\n"
                                        "        parameters: {data: \"{data}\", epochs: 5}\n"
                                        "      - run: score\n"
                                        "      - gate: m\n"
                                        "      - register: m\n"
                                        "      - promote: m\n"
                                        "        to: staging\n"
                                        "drift:\n"
                                        "  reference: ref\n"
                                        "  current: data/new.csv\n"
                                        "  retrain:\n"
                                        "    pipeline: retrain\n"
                                        "    parameters: {data: \"{current}\"}\n";
        const auto p = parseCairnYaml(QStringLiteral("/p/cairn.yaml"), yaml, QStringLiteral("/p"));
        QVERIFY2(p, p ? "" : qPrintable(p.error().first().toString()));
        QCOMPARE(p->pipelines.size(), 1);
        const PipelineSpec *spec = p->pipeline(u"retrain");
        QVERIFY(spec);
        QCOMPARE(spec->location.line, 17);
        QCOMPARE(spec->parameters.size(), 1);
        QCOMPARE(spec->parameters[0].defaultValue, QStringLiteral("data/ref.csv"));
        QCOMPARE(spec->steps.size(), 6);
        QCOMPARE(spec->steps[0].kind, PipelineStep::Kind::Validate);
        QCOMPARE(spec->steps[0].target, QStringLiteral("{data}"));
        QCOMPARE(spec->steps[1].kind, PipelineStep::Kind::Run);
        QCOMPARE(spec->steps[1].parameters,
                 (QList<QPair<QString, QString>>{{"data", "{data}"}, {"epochs", "5"}}));
        QCOMPARE(spec->steps[1].location.line, 22);
        QCOMPARE(spec->steps[3].kind, PipelineStep::Kind::Gate);
        QCOMPARE(spec->steps[5].kind, PipelineStep::Kind::Promote);
        QCOMPARE(spec->steps[5].alias, QStringLiteral("staging"));
        QCOMPARE(spec->steps[5].displayName(), QStringLiteral("promote m \u2192 staging"));
        QVERIFY(p->drift && p->drift->retrain);
        QCOMPARE(p->drift->retrain->pipeline, QStringLiteral("retrain"));
        QVERIFY(p->drift->retrain->entryPoint.isEmpty());
        QCOMPARE(p->drift->retrain->parameters.first().second, QStringLiteral("{current}"));
    }

    void yamlErrors_data()
    {
        QTest::addColumn<QByteArray>("steps");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown step key")
            << QByteArray("      - run: train\n        paramters: {}\n") << 22 << 9
            << "unknown key \"paramters\" in a step of pipeline \"retrain\" (did you mean "
               "\"parameters\"?)";
        QTest::newRow("unknown entry point")
            << QByteArray("      - run: trian\n") << 21 << 14
            << "pipeline \"retrain\" runs the entry point \"trian\", which is not declared";
        QTest::newRow("unknown model") << QByteArray("      - gate: mm\n") << 21 << 15
                                       << "names the model \"mm\", which is not declared";
        QTest::newRow("unknown dataset")
            << QByteArray("      - validate: refs\n") << 21 << 19
            << "validates \"refs\", which is neither a declared dataset nor a file path";
        QTest::newRow("dataset without checks") << QByteArray("      - validate: plain\n") << 21
                                                << 19 << "dataset \"plain\" declares no checks";
        QTest::newRow("unknown entry point parameter")
            << QByteArray("      - run: train\n        parameters: {dta: x}\n") << 22 << 22
            << "entry point \"train\" has no parameter \"dta\"";
        QTest::newRow("unknown placeholder")
            << QByteArray("      - run: train\n        parameters: {data: \"{dat}\"}\n") << 22 << 28
            << "parameter \"data\" uses {dat}, but pipeline \"retrain\" has no parameter \"dat\" "
               "(did you mean {data}?)";
        QTest::newRow("bad value")
            << QByteArray("      - run: train\n        parameters: {epochs: many}\n") << 22 << 30
            << "parameter \"epochs\" is int";
        QTest::newRow("promote without to")
            << QByteArray("      - promote: m\n") << 21 << 9
            << "a step of pipeline \"retrain\" promotes m but says not to which alias";
        QTest::newRow("bad alias") << QByteArray("      - promote: m\n        to: Prod\n") << 22
                                   << 13 << "alias \"Prod\" must start with a lower-case letter";
        QTest::newRow("latest alias") << QByteArray("      - promote: m\n        to: latest\n")
                                      << 22 << 13 << "\"latest\" is not an alias";
        QTest::newRow("two kinds") << QByteArray("      - run: train\n        gate: m\n") << 22 << 9
                                   << "has two kinds, \"run\" and \"gate\"";
        QTest::newRow("no kind") << QByteArray("      - to: staging\n") << 21 << 9
                                 << "says neither run, validate, gate, register nor promote";
        QTest::newRow("parameters on a gate")
            << QByteArray("      - gate: m\n        parameters: {a: b}\n") << 22 << 9
            << "only a `run:` step takes parameters";
        QTest::newRow("empty steps")
            << QByteArray("") << 20 << 12 << "pipeline \"retrain\" has no steps";
        QTest::newRow("retrain with both")
            << QByteArray("      - run: score\ndrift:\n  reference: ref\n  current: data/n.csv\n"
                          "  retrain: {entry_point: train, pipeline: retrain}\n")
            << 25 << 33 << "drift \"retrain\" has both \"entry_point\" and \"pipeline\"";
        QTest::newRow("retrain unknown pipeline")
            << QByteArray("      - run: score\ndrift:\n  reference: ref\n  current: data/n.csv\n"
                          "  retrain: {pipeline: retrian}\n")
            << 25 << 23 << "the retrain pipeline \"retrian\" is not declared";
        QTest::newRow("retrain pipeline parameter")
            << QByteArray("      - run: score\ndrift:\n  reference: ref\n  current: data/n.csv\n"
                          "  retrain: {pipeline: retrain, parameters: {dat: \"{current}\"}}\n")
            << 25 << 45 << "pipeline \"retrain\" has no parameter \"dat\"";
    }
    void yamlErrors()
    {
        QFETCH(QByteArray, steps);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        QByteArray yaml = kHead + steps;
        if (steps.isEmpty())
            yaml.replace("    steps:\n", "    steps: []\n");
        const auto p = parseCairnYaml(QStringLiteral("/p/cairn.yaml"), yaml, QStringLiteral("/p"));
        QVERIFY(!p);
        const Error &e = p.error().first();
        QVERIFY2(e.message.contains(message), qPrintable(e.toString()));
        QCOMPARE(e.file, QStringLiteral("/p/cairn.yaml"));
        QCOMPARE(e.line, line);
        QCOMPARE(e.column, column);
    }

    void stepsRunInOrder()
    {
        const PipelineRunRecord prepared =
            prepare(QStringLiteral("chain"), {{"data", "data/ref-new.csv"}});
        QCOMPARE(prepared.status, QStringLiteral("queued"));
        QCOMPARE(prepared.steps.size(), 3);
        QCOMPARE(prepared.steps[1].name, QStringLiteral("validate data/ref-new.csv"));
        QCOMPARE(statuses(prepared), QList<StepStatus>(3, StepStatus::Pending));

        QList<QPair<int, StepStatus>> seen;
        QByteArray echoed;
        auto r = runPipeline(
            m_root, prepared.id,
            [&](const StepRecord &s) {
                seen.append({s.position, s.status});
            },
            [&](QByteArrayView chunk) { echoed += chunk.toByteArray(); });
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QVERIFY2(r->status == QStringLiteral("finished"), qPrintable(r->error));
        QVERIFY(r->error.isEmpty());
        QVERIFY(r->started && r->ended);
        QCOMPARE(statuses(*r), QList<StepStatus>(3, StepStatus::Finished));
        // Every step is a run with its own log, in order.
        qint64 previous = 0;
        for (const StepRecord &s : r->steps) {
            QVERIFY(s.runId);
            QVERIFY(*s.runId > previous);
            previous = *s.runId;
            QCOMPARE(runOf(s).status, RunStatus::Finished);
        }
        QCOMPARE(log(*r->steps[0].runId), QByteArray("prepared data/ref-new.csv\n"));
        QCOMPARE(test::readFile(m_root + "/out/prep.txt"), QByteArray("prep data/ref-new.csv\n"));
        QVERIFY(log(*r->steps[1].runId).contains("rules passed"));
        QCOMPARE(r->steps[1].message, QStringLiteral("All 1 rules passed."));
        QCOMPARE(runOf(r->steps[1]).entryPoint, QStringLiteral("cairn validate"));
        // `--` ends cairn-cli's options: a target starting with '-' stays a target.
        QVERIFY2(
            runOf(r->steps[1]).command.endsWith(QStringLiteral(" validate -- data/ref-new.csv")),
            qPrintable(runOf(r->steps[1]).command));
        QCOMPARE(log(*r->steps[2].runId), QByteArray("last step\n"));
        QVERIFY(echoed.contains("prepared data/ref-new.csv") && echoed.contains("last step"));
        QCOMPARE(seen.first(), (QPair<int, StepStatus>{0, StepStatus::Running}));
        QCOMPARE(seen.last(), (QPair<int, StepStatus>{2, StepStatus::Finished}));

        // Read back as the GUI does.
        auto d = db();
        auto back = pipelineRun(*d, prepared.id);
        QVERIFY(back);
        QCOMPARE(back->status, QStringLiteral("finished"));
        QCOMPARE(back->params, (ParamValues{{"data", "data/ref-new.csv"}}));
        QCOMPARE(back->steps[0].runId, r->steps[0].runId);
        // Started once only.
        QVERIFY(!runPipeline(m_root, prepared.id));
    }

    void badValuesStartNothing()
    {
        auto d = db();
        const auto bad = preparePipeline(m_project, *d, QStringLiteral("chain"), {{"dta", "x"}});
        QVERIFY(!bad);
        QVERIFY(bad.error().first().message.contains(QStringLiteral("did you mean \"data\"")));
        const auto unknown = preparePipeline(m_project, *d, QStringLiteral("chian"), {});
        QVERIFY(!unknown);
        QVERIFY(unknown.error().first().message.contains(QStringLiteral("did you mean \"chain\"")));
        // A value that reaches a step through a placeholder is checked before anything starts.
        const auto count = RunStore(*d).count();
        const auto typed = preparePipeline(m_project, *d, QStringLiteral("counting"), {{"n", "x"}});
        QVERIFY(!typed);
        QVERIFY2(typed.error().first().message.startsWith(
                     QStringLiteral("step 1 (count): parameter \"n\" is int")),
                 qPrintable(typed.error().first().message));
        QCOMPARE(RunStore(*d).count(), count);
        QVERIFY(preparePipeline(m_project, *d, QStringLiteral("counting"), {{"n", "4"}}));
    }

    // A validate target that comes from a parameter is checked as a literal one is.
    void validateTargetsFromParameters_data()
    {
        QTest::addColumn<QString>("pipeline");
        QTest::addColumn<QString>("data");
        QTest::addColumn<QString>("message"); // empty: accepted
        QTest::newRow("outside") << "check"
                                 << "../outside.csv"
                                 << "step 1 (validate ../outside.csv): the file a validate step "
                                    "checks must be inside the project folder";
        QTest::newRow("outside after a run")
            << "chain"
            << "../outside.csv"
            << "step 2 (validate ../outside.csv): the file a validate step checks must be inside "
               "the project folder";
        QTest::newRow("absolute") << "check"
                                  << "/etc/passwd"
                                  << "must be inside the project folder";
        QTest::newRow("option") << "check"
                                << "-h"
                                << "step 1 (validate -h): the step validates \"-h\", which is "
                                   "neither a declared dataset nor a file path";
        QTest::newRow("option after a run")
            << "chain"
            << "--help"
            << "which is neither a declared dataset nor a file path";
        QTest::newRow("unknown dataset") << "check"
                                         << "refs"
                                         << "which is neither a declared dataset nor a file path";
        QTest::newRow("missing file")
            << "check"
            << "data/nope.csv"
            << "step 1 (validate data/nope.csv): the step validates \"data/nope.csv\", which "
               "does not exist";
        QTest::newRow("file of no dataset") << "check"
                                            << "cairn.yaml"
                                            << "which is no file of a declared dataset";
        QTest::newRow("dataset") << "check"
                                 << "ref"
                                 << "";
        QTest::newRow("dataset at a revision") << "check"
                                               << "ref@HEAD"
                                               << "";
        QTest::newRow("file of a dataset") << "check"
                                           << "data/small.csv"
                                           << "";
        // An earlier run step may write it.
        QTest::newRow("missing file after a run") << "chain"
                                                  << "data/later.csv"
                                                  << "";
    }
    void validateTargetsFromParameters()
    {
        QFETCH(QString, pipeline);
        QFETCH(QString, data);
        QFETCH(QString, message);
        auto d = db();
        const auto count = pipelineRunCount(*d);
        const auto r = preparePipeline(m_project, *d, pipeline, {{QStringLiteral("data"), data}});
        if (message.isEmpty()) {
            QVERIFY2(r, r ? "" : qPrintable(r.error().first().toString()));
            return;
        }
        QVERIFY(!r);
        QStringList messages;
        for (const Error &e : r.error())
            messages.append(e.message);
        QVERIFY2(messages.join(u'\n').contains(message), qPrintable(messages.join(u'\n')));
        QCOMPARE(pipelineRunCount(*d), count); // nothing recorded
    }

    void failingStepStopsTheChain()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("broken"));
        auto r = runPipeline(m_root, prepared.id);
        QVERIFY(r);
        QCOMPARE(r->status, QStringLiteral("failed"));
        QCOMPARE(statuses(*r), (QList<StepStatus>{StepStatus::Finished, StepStatus::Failed,
                                                  StepStatus::Skipped}));
        QCOMPARE(r->steps[1].message, QStringLiteral("exit code 3"));
        QCOMPARE(r->error, QStringLiteral("step 2 (fail) failed: exit code 3"));
        QVERIFY(!r->steps[2].runId); // never started
        QCOMPARE(log(*r->steps[1].runId), QByteArray("about to fail\n"));
    }

    void failingValidationStopsTheChain()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("badcheck"));
        auto r = runPipeline(m_root, prepared.id);
        QVERIFY(r);
        QCOMPARE(r->status, QStringLiteral("failed"));
        QCOMPARE(statuses(*r), (QList<StepStatus>{StepStatus::Failed, StepStatus::Skipped}));
        // The reason is the failed rule, as the validate step's log says it.
        QVERIFY2(r->steps[0].message.startsWith(QStringLiteral("FAIL")),
                 qPrintable(r->steps[0].message));
        QVERIFY2(r->steps[0].message.contains(QStringLiteral("100")),
                 qPrintable(r->steps[0].message));
        QVERIFY(r->error.startsWith(QStringLiteral("step 1 (validate small) failed: FAIL")));
        QCOMPARE(runOf(r->steps[0]).exitCode, 1);
    }

    void gateWithoutATrainingStepFails()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("nomodel"));
        auto r = runPipeline(m_root, prepared.id);
        QVERIFY(r);
        QCOMPARE(r->status, QStringLiteral("failed"));
        QCOMPARE(statuses(*r), (QList<StepStatus>{StepStatus::Finished, StepStatus::Failed,
                                                  StepStatus::Skipped}));
        QCOMPARE(r->steps[1].message,
                 QStringLiteral("no step of this pipeline wrote m's files (models/m.json)"));
        QVERIFY(!r->steps[1].runId);
    }

    void trainGateRegisterPromote()
    {
        const QString root = m_root + QStringLiteral("/release");
        test::writeFile(root + QStringLiteral("/cairn.yaml"),
                        "name: release\n"
                        "entry_points:\n"
                        "  train:\n"
                        "    command: sh train.sh {auc}\n"
                        "    parameters: {auc: float}\n"
                        "models:\n"
                        "  m:\n"
                        "    path: models/m.json\n"
                        "    gate: [auc >= 0.75]\n"
                        "pipelines:\n"
                        "  release:\n"
                        "    parameters: {auc: {type: float, default: 0.8}}\n"
                        "    steps:\n"
                        "      - run: train\n"
                        "        parameters: {auc: \"{auc}\"}\n"
                        "      - gate: m\n"
                        "      - register: m\n"
                        "      - promote: m\n"
                        "        to: staging\n");
        test::writeFile(root + QStringLiteral("/train.sh"),
                        "mkdir -p models\n"
                        "echo \"cairn:metric {\\\"auc\\\": $1}\"\n"
                        "echo \"auc $1\" > models/m.json\n");
        auto project = loadProject(root);
        QVERIFY2(project, project ? "" : qPrintable(project.error().first().toString()));
        auto d = openProjectDatabase(root);
        QVERIFY(d);
        auto prepared = preparePipeline(*project, **d, QStringLiteral("release"), {});
        QVERIFY(prepared);
        auto r = runPipeline(root, prepared->id);
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QVERIFY2(r->status == QStringLiteral("finished"), qPrintable(r->error));
        QCOMPARE(statuses(*r), QList<StepStatus>(4, StepStatus::Finished));
        const qint64 trainRun = *r->steps[0].runId;
        auto gateRun = RunStore(**d).get(*r->steps[1].runId);
        QCOMPARE(gateRun->entryPoint, QStringLiteral("cairn gate"));
        QVERIFY2(gateRun->command.endsWith(QStringLiteral(" gate --model=m -- %1").arg(trainRun)),
                 qPrintable(gateRun->command));
        QCOMPARE(r->steps[1].message, QStringLiteral("gate passed"));
        QCOMPARE(r->steps[2].message, QStringLiteral("version 1"));
        QCOMPARE(r->steps[3].name, QStringLiteral("promote m \u2192 staging"));
        QCOMPARE(r->steps[3].message, QStringLiteral("version 1 \u2192 staging"));
        auto staged = registry::versionByAlias(**d, QStringLiteral("m"), QStringLiteral("staging"));
        QVERIFY(staged && *staged);
        QCOMPARE((*staged)->version, 1);
        QCOMPARE((*staged)->runId, trainRun);

        // A model below the gate stops the chain before it is registered.
        auto low = preparePipeline(*project, **d, QStringLiteral("release"), {{"auc", "0.6"}});
        QVERIFY(low);
        auto failed = runPipeline(root, low->id);
        QVERIFY(failed);
        QCOMPARE(failed->status, QStringLiteral("failed"));
        QCOMPARE(statuses(*failed), (QList<StepStatus>{StepStatus::Finished, StepStatus::Failed,
                                                       StepStatus::Skipped, StepStatus::Skipped}));
        // The failed condition, as the gate step's log says it.
        QCOMPARE(failed->steps[1].message, QStringLiteral("FAIL auc >= 0.75: auc 0.6000 < 0.75"));
        QCOMPARE(failed->error,
                 QStringLiteral("step 2 (gate m) failed: FAIL auc >= 0.75: auc 0.6000 < 0.75"));
        auto models = registry::listModels(**d);
        QVERIFY(models);
        QCOMPARE(models->first().versions.size(), 1); // nothing registered

        // Trained again to version 1's content (changed since the failed run): the chain goes
        // on with version 1, which already holds staging.
        auto again = preparePipeline(*project, **d, QStringLiteral("release"), {});
        QVERIFY(again);
        auto same = runPipeline(root, again->id);
        QVERIFY(same);
        QVERIFY2(same->status == QStringLiteral("finished"), qPrintable(same->error));
        QCOMPARE(same->steps[1].message, QStringLiteral("gate passed"));
        QCOMPARE(same->steps[2].message, QStringLiteral("already registered as version 1"));
        QVERIFY(!same->steps[2].runId); // nothing to run
        QCOMPARE(same->steps[3].message, QStringLiteral("version 1 already holds staging"));
        QVERIFY(!same->steps[3].runId);

        // Trained again with byte-identical files: the gate uses the run that recorded them.
        auto unchanged = preparePipeline(*project, **d, QStringLiteral("release"), {});
        QVERIFY(unchanged);
        auto rerun = runPipeline(root, unchanged->id);
        QVERIFY(rerun);
        QVERIFY2(rerun->status == QStringLiteral("finished"), qPrintable(rerun->error));
        QCOMPARE(statuses(*rerun), QList<StepStatus>(4, StepStatus::Finished));
        // The registry judges the run that wrote that content: the one before.
        const qint64 retrainRun = *rerun->steps[0].runId;
        const qint64 wroteRun = *same->steps[0].runId;
        const QString note =
            QStringLiteral(" (run %1 left m's files as they were; run %2 wrote them)")
                .arg(retrainRun)
                .arg(wroteRun);
        QCOMPARE(rerun->steps[1].message, QStringLiteral("gate passed") + note);
        auto regate = RunStore(**d).get(*rerun->steps[1].runId);
        QVERIFY2(regate->command.endsWith(QStringLiteral(" gate --model=m -- %1").arg(wroteRun)),
                 qPrintable(regate->command));
        QCOMPARE(rerun->steps[2].message, QStringLiteral("already registered as version 1") + note);
        QCOMPARE(rerun->steps[3].message, QStringLiteral("version 1 already holds staging"));
        models = registry::listModels(**d);
        QCOMPARE(models->first().versions.size(), 1);

        // A new content is registered and promoted as before.
        auto fresh = preparePipeline(*project, **d, QStringLiteral("release"), {{"auc", "0.9"}});
        QVERIFY(fresh);
        auto next = runPipeline(root, fresh->id);
        QVERIFY2(next->status == QStringLiteral("finished"), qPrintable(next->error));
        QCOMPARE(next->steps[2].message, QStringLiteral("version 2"));
        QCOMPARE(next->steps[3].message, QStringLiteral("version 2 \u2192 staging"));
    }

    void cancelStopsTheRunningStep()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("sleepy"));
        auto pid = startPipelineSupervisor(m_root, prepared.id);
        QVERIFY2(pid, pid ? "" : qPrintable(pid.error().toString()));
        auto d = db();
        auto current = [&] {
            auto r = pipelineRun(*d, prepared.id);
            return r ? *r : PipelineRunRecord{};
        };
        QTRY_VERIFY_WITH_TIMEOUT(current().steps.value(0).runId &&
                                     log(*current().steps[0].runId).contains("napping"),
                                 30000);
        QCOMPARE(current().status, QStringLiteral("running"));
        QVERIFY(cancelPipeline(*d, prepared.id));
        QTRY_COMPARE_WITH_TIMEOUT(current().status, QStringLiteral("cancelled"), 30000);
        const PipelineRunRecord r = current();
        QCOMPARE(statuses(r), (QList<StepStatus>{StepStatus::Cancelled, StepStatus::Skipped}));
        QCOMPARE(r.error, QStringLiteral("step 1 (nap) was cancelled"));
        QCOMPARE(runOf(r.steps[0]).status, RunStatus::Cancelled);
        QVERIFY(!r.steps[1].runId);
        // An ended pipeline cannot be cancelled again.
        QVERIFY(!cancelPipeline(*d, prepared.id));
        // A queued one is cancelled before anything starts.
        const PipelineRunRecord queued = prepare(QStringLiteral("sleepy"));
        QVERIFY(cancelPipeline(*d, queued.id));
        QCOMPARE(current().status, QStringLiteral("cancelled"));
        auto q = pipelineRun(*d, queued.id);
        QCOMPARE(q->status, QStringLiteral("cancelled"));
        QCOMPARE(statuses(*q), QList<StepStatus>(2, StepStatus::Skipped));
        QVERIFY(!runPipeline(m_root, queued.id));
    }

    void supervisorThatCannotStart()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("sleepy"));
        const QByteArray cliEnv = qgetenv("CAIRN_CLI");
        const QByteArray pathEnv = qgetenv("PATH");
        qputenv("CAIRN_CLI", "/nonexistent/cairn-cli");
        qputenv("PATH", "/nonexistent");
        const auto pid = startPipelineSupervisor(m_root, prepared.id);
        qputenv("CAIRN_CLI", cliEnv);
        qputenv("PATH", pathEnv);
        QVERIFY(!pid);
        QVERIFY(pid.error().message.contains(QStringLiteral("cannot find cairn-cli")));
        // It does not wait as queued for a supervisor that will never come.
        auto d = db();
        auto r = pipelineRun(*d, prepared.id);
        QCOMPARE(r->status, QStringLiteral("failed"));
        QCOMPARE(r->error, pid.error().message);
        QCOMPARE(statuses(*r), QList<StepStatus>(2, StepStatus::Skipped));
    }

    void goneSupervisorIsLost()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("sleepy"));
        auto d = db();
        // As a supervisor that died after its first step started would have left it.
        auto s = d->prepare(u"UPDATE pipeline_runs SET status = 'running', started_ms = 1, "
                            "supervisor_pid = 999999999, supervisor_start = 1 WHERE id = ?1");
        QVERIFY(s);
        QVERIFY(s->bind(1, prepared.id).exec());
        auto step = d->prepare(u"UPDATE pipeline_steps SET status = 'running' WHERE "
                               "pipeline_run_id = ?1 AND position = 0");
        QVERIFY(step->bind(1, prepared.id).exec());
        auto r = pipelineRun(*d, prepared.id);
        QVERIFY(r);
        QCOMPARE(r->status, QStringLiteral("lost"));
        QVERIFY2(r->error.contains(QStringLiteral("supervisor")), qPrintable(r->error));
        QCOMPARE(statuses(*r), (QList<StepStatus>{StepStatus::Failed, StepStatus::Skipped}));
        QVERIFY(r->ended);
        auto all = listPipelineRuns(*d);
        QVERIFY(all);
        QCOMPARE(all->first().id, prepared.id); // newest first
    }

    // A queued pipeline run whose supervisor is gone, or never came, does not wait for ever.
    void queuedWithoutSupervisorIsLost()
    {
        auto d = db();
        auto status = [&](qint64 id) {
            auto r = pipelineRun(*d, id);
            return r ? r->status : r.error().message;
        };
        // A supervisor that is still there (this process, before it claims the run).
        const PipelineRunRecord waiting = prepare(QStringLiteral("sleepy"));
        QVERIFY(recordPipelineSupervisor(*d, waiting.id, QCoreApplication::applicationPid()));
        QCOMPARE(status(waiting.id), QStringLiteral("queued"));
        QVERIFY(cancelPipeline(*d, waiting.id)); // still cancellable before the claim

        // A recorded supervisor that has ended.
        const PipelineRunRecord died = prepare(QStringLiteral("sleepy"));
        QVERIFY(recordPipelineSupervisor(*d, died.id, 999999999));
        auto r = pipelineRun(*d, died.id);
        QCOMPARE(r->status, QStringLiteral("lost"));
        QVERIFY2(r->error.contains(
                     QStringLiteral("supervisor (process 999999999) ended before it started")),
                 qPrintable(r->error));
        QCOMPARE(statuses(*r), QList<StepStatus>(2, StepStatus::Skipped));
        QVERIFY(r->ended);

        // None recorded: lost once it has waited kUnsupervisedQueuedSecs, not before.
        const PipelineRunRecord orphan = prepare(QStringLiteral("sleepy"));
        QCOMPARE(status(orphan.id), QStringLiteral("queued"));
        auto s = d->prepare(u"UPDATE pipeline_runs SET created_ms = ?2 WHERE id = ?1");
        QVERIFY(s);
        QVERIFY(s->bind(1, orphan.id)
                    .bind(2, QDateTime::currentMSecsSinceEpoch() -
                                 (kUnsupervisedQueuedSecs + 1) * qint64(1000))
                    .exec());
        r = pipelineRun(*d, orphan.id);
        QCOMPARE(r->status, QStringLiteral("lost"));
        QCOMPARE(r->error, QStringLiteral("its supervisor never started"));
        QVERIFY(!runPipeline(m_root, orphan.id)); // it cannot start any more
    }

    // startPipelineSupervisor records the process it started: one that dies before it claims
    // the run (here: a cairn-cli that cannot open the database) leaves it lost.
    void detachedSupervisorThatDiesIsLost()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("sleepy"));
        const QString fake = m_root + QStringLiteral("/fake-cli.sh");
        test::writeFile(fake, "#!/bin/sh\necho 'error: cannot open the database' >&2\nexit 1\n");
        QFile::setPermissions(fake, QFile::permissions(fake) | QFileDevice::ExeOwner);
        const QByteArray cliEnv = qgetenv("CAIRN_CLI");
        qputenv("CAIRN_CLI", fake.toLocal8Bit());
        const auto pid = startPipelineSupervisor(m_root, prepared.id);
        qputenv("CAIRN_CLI", cliEnv);
        QVERIFY2(pid, pid ? "" : qPrintable(pid.error().toString()));
        auto d = db();
        auto current = [&] {
            auto r = pipelineRun(*d, prepared.id);
            return r ? *r : PipelineRunRecord{};
        };
        QTRY_COMPARE_WITH_TIMEOUT(current().status, QStringLiteral("lost"), 30000);
        const QString error = current().error;
        QVERIFY2(error.contains(QStringLiteral("(process %1) ended before it started").arg(*pid)),
                 qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("supervisor.log says why")), qPrintable(error));
    }

    // A cancel (Ctrl-C in cairn-cli's foreground command) before the run is claimed.
    void cancelBeforeTheClaim()
    {
        const PipelineRunRecord prepared = prepare(QStringLiteral("sleepy"));
        PipelineSignalGuard guard;
        ::raise(SIGINT);
        auto r = runPipeline(m_root, prepared.id);
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->status, QStringLiteral("cancelled"));
        QCOMPARE(r->error, QStringLiteral("cancelled before it started"));
        QCOMPARE(statuses(*r), QList<StepStatus>(2, StepStatus::Skipped));
        QVERIFY(!r->steps[0].runId);
    }

    void ctrlCCancelsAForegroundPipeline()
    {
        QProcess p;
        p.setWorkingDirectory(m_root);
        p.start(test::cliPath(), {"pipeline", "sleepy"});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT((p.waitForReadyRead(100), p.peek(100).contains("napping")), 30000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 130);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("[1/2] nap \xe2\x80\xa6 run #"), err.constData());
        QVERIFY(err.contains("was cancelled"));
        QVERIFY(!err.contains("[2/2]")); // the chain stopped
        const auto list = cli({"pipeline", "--list", "--json"});
        const QJsonObject newest = QJsonDocument::fromJson(list.out).array().first().toObject();
        QCOMPARE(newest.value("status").toString(), QStringLiteral("cancelled"));
        QCOMPARE(newest.value("steps").toArray()[1].toObject().value("status").toString(),
                 QStringLiteral("skipped"));
    }

    void cliExitCodes()
    {
        const auto ok = cli({"pipeline", "chain", "-P", "data=data/ref.csv"});
        QVERIFY2(ok.exitCode == 0, ok.err.constData());
        QVERIFY(ok.out.contains("prepared data/ref.csv"));
        QVERIFY2(ok.err.contains("[1/3] prep \xe2\x80\xa6 run #"), ok.err.constData());
        QVERIFY(ok.err.contains("[3/3] last \xe2\x80\xa6 run #"));
        QVERIFY(ok.err.contains(" finished (exit 0)"));
        QVERIFY(ok.err.contains(" finished (All 1 rules passed.)"));
        QVERIFY(ok.err.contains("pipeline chain finished"));

        const auto failed = cli({"pipeline", "broken"});
        QCOMPARE(failed.exitCode, 1);
        QVERIFY2(failed.err.contains("[2/3] fail \xe2\x80\xa6 run #"), failed.err.constData());
        QVERIFY(failed.err.contains("failed: exit code 3"));
        QVERIFY(failed.err.contains("step 2 (fail) failed: exit code 3"));

        QCOMPARE(cli({"pipeline"}).exitCode, 2); // several pipelines: name one
        const auto unknown = cli({"pipeline", "chian"});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("did you mean \"chain\""));
        QCOMPARE(cli({"pipeline", "chain", "-P", "nope=1"}).exitCode, 2);
        QCOMPARE(cli({"pipeline", "--show", "abc"}).exitCode, 2);

        const auto detached = cli({"pipeline", "chain", "--detach"});
        QCOMPARE(detached.exitCode, 0);
        const qint64 id = QString::fromUtf8(detached.out).trimmed().toLongLong();
        QVERIFY(id > 0);
        auto d = db();
        QTRY_COMPARE_WITH_TIMEOUT(pipelineRun(*d, id)->status, QStringLiteral("finished"), 60000);
        // The detached supervisor leaves a trace of its steps.
        QVERIFY(
            test::readFile(m_root + QStringLiteral("/.cairn/pipelines/%1/supervisor.log").arg(id))
                .contains("[3/3] last"));

        const auto list = cli({"pipeline", "--list", "--json"});
        QCOMPARE(list.exitCode, 0);
        const QJsonArray runs = QJsonDocument::fromJson(list.out).array();
        QVERIFY(runs.size() >= 3);
        const QJsonObject newest = runs.first().toObject();
        QCOMPARE(newest.value("id").toInteger(), id);
        QCOMPARE(newest.value("pipeline").toString(), QStringLiteral("chain"));
        QCOMPARE(newest.value("status").toString(), QStringLiteral("finished"));
        const QJsonArray steps = newest.value("steps").toArray();
        QCOMPARE(steps.size(), 3);
        QCOMPARE(steps[1].toObject().value("name").toString(),
                 QStringLiteral("validate data/ref.csv"));
        QCOMPARE(steps[1].toObject().value("status").toString(), QStringLiteral("finished"));
        QVERIFY(steps[1].toObject().value("run").toInteger() > 0);

        const auto show = cli({"pipeline", "--show", QString::number(id)});
        QCOMPARE(show.exitCode, 0);
        QVERIFY(show.out.contains("Pipeline run"));
        QVERIFY(show.out.contains("validate data/ref.csv"));
        const auto text = cli({"pipeline", "--list"});
        QVERIFY(text.out.contains("3 of 3 finished"));
        QVERIFY(text.out.contains("1 of 3 finished, step 2 failed"));

        const auto project = cli({"project", "show", "--json"});
        const QJsonArray pipelines =
            QJsonDocument::fromJson(project.out).object().value("pipelines").toArray();
        QCOMPARE(pipelines.size(), 7);
        QCOMPARE(pipelines[0].toObject().value("steps").toArray()[1].toObject().value("kind"),
                 QJsonValue(QStringLiteral("validate")));
        QVERIFY(cli({"project", "show"}).out.contains("chain: prep \xe2\x86\x92 validate {data}"));
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
