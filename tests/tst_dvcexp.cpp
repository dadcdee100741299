// DVC experiments per git commit (vcs/dvcexp.h) and `cairn-cli dvc …`, on a DVC project built by
// hand: four commits (one without dvc.yaml, one with a malformed metrics file) and a workspace
// with a stale stage. Expected md5 values were computed outside Cairn with Python's hashlib.

#include "testsupport.h"
#include "vcs/dvcexp.h"
#include "vcs/dvcvalues.h"
#include "vcs/git.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace cairn;
using namespace cairn::dvc;
using namespace Qt::StringLiterals;

namespace {

// md5("a,b\n1,2\n"), md5("raw\n"), md5("MODEL1"), and the `.dir` hash of features/ holding
// a.txt = "A\n" and b/c.txt = "C\n" (md5 of its JSON manifest).
const QByteArray kTrainMd5 = "e5ebd4c02cefbe7955977c67ada242b7";
const QByteArray kRawMd5 = "2306b4377429730ee03a806cff76e92b";
const QByteArray kModelMd5 = "20870408b57ab6f8d1c503b63724c090";
const QByteArray kFeaturesMd5 = "b0bd316df067508e06e2ae713414e60d.dir";

const QByteArray kDvcYaml = R"(params:
- extra.toml
metrics:
- eval/scores.yaml
plots:
- loss.csv:
    x: step
    y: loss
stages:
  train:
    cmd: python train.py
    deps:
    - data/train.csv
    params:
    - train.lr
    - train.epochs
    - config/model.json:
      - depth
    outs:
    - model.bin
    metrics:
    - metrics.json:
        cache: false
  featurize:
    cmd: python featurize.py
    deps:
    - data/raw.txt
    outs:
    - features
  report:
    cmd: python report.py
    deps:
    - metrics.json
)";

QByteArray paramsYaml(const QByteArray &lr)
{
    return "train:\n  lr: " + lr + "\n  epochs: 10\n  layers: [64, 32]\nseed: 42\nname: \"base\"\n";
}

QByteArray dvcLock(const QByteArray &lr)
{
    return "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n"
           "    - path: data/train.csv\n      hash: md5\n      md5: " +
           kTrainMd5 + "\n      size: 8\n    params:\n      params.yaml:\n        train.lr: " + lr +
           "\n        train.epochs: 10\n      config/model.json:\n        depth: 3\n"
           "    outs:\n    - path: model.bin\n      hash: md5\n      md5: " +
           kModelMd5 +
           "\n      size: 6\n  featurize:\n    cmd: python featurize.py\n    deps:\n"
           "    - path: data/raw.txt\n      hash: md5\n      md5: " +
           kRawMd5 +
           "\n    outs:\n    - path: features\n      hash: md5\n      md5: " + kFeaturesMd5 +
           "\n      nfiles: 2\n";
}

} // namespace

class TestDvcExp : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_root;
    QStringList m_commits; // oldest first

    void write(const QString &rel, const QByteArray &bytes)
    {
        test::writeFile(QDir(m_root).filePath(rel), bytes);
    }
    void commit(const QString &message, int day)
    {
        GitSignature sig;
        sig.when = QDateTime(QDate(2026, 1, day), QTime(10, 0), QTimeZone(0));
        const auto id = gitCommitAll(m_root, message, sig);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().toString()));
        m_commits << *id;
    }
    test::ProcessResult cli(const QStringList &args)
    {
        return test::runProcess(test::cliPath(), args, m_root, 60000);
    }

private slots:
    void initTestCase();
    void readsEveryCommitAndTheWorkspace();
    void workspaceStageStatus();
    void malformedMetricsIsAWarningWithRevAndLine();
    void metricsDiff();
    void paramsDiff();
    void plotsAcrossCommits();
    void renderings();
    void valueFiles();
    void experimentRefs();
    void stageWithWdirInASubfolderProject();
    void errors();
    void commandLine();
};

void TestDvcExp::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_root = QDir(m_dir.path()).canonicalPath();
    QVERIFY(gitInit(m_root));
    write(u"README.md"_s, "A project before DVC.\n");
    commit(u"start"_s, 1); // no dvc.yaml, no params.yaml

    write(u"dvc.yaml"_s, kDvcYaml);
    write(u"params.yaml"_s, paramsYaml("0.010"));
    write(u"extra.toml"_s, "# data settings\n[data]\nsplit = 0.2\nshuffle = true\n");
    write(u"config/model.json"_s, R"({"depth": 3, "opt": {"name": "adam", "beta": 0.9}})");
    write(u"metrics.json"_s, R"({"acc": 0.9, "loss": {"train": 0.25, "val": 0.3}})"
                             "\n");
    write(u"eval/scores.yaml"_s, "f1: 0.8\nclass:\n  cat: 0.7\n");
    write(u"loss.csv"_s, "step,loss\n1,0.5\n2,0.4\n");
    write(u"data/train.csv"_s, "a,b\n1,2\n");
    write(u"data/raw.txt"_s, "raw\n");
    write(u"model.bin"_s, "MODEL1");
    write(u"features/a.txt"_s, "A\n");
    write(u"features/b/c.txt"_s, "C\n");
    write(u"dvc.lock"_s, dvcLock("0.01"));
    commit(u"baseline"_s, 2);

    write(u"params.yaml"_s, paramsYaml("0.02"));
    write(u"metrics.json"_s, "{\"acc\": 0.95,\n  \"loss\": oops}\n");
    write(u"eval/scores.yaml"_s, "f1: 0.85\nclass:\n  cat: 0.7\n");
    commit(u"lr 0.02, broken metrics"_s, 3);

    write(u"metrics.json"_s, R"({"acc": 0.93, "loss": {"train": 0.2, "val": 0.28}})"
                             "\n");
    write(u"eval/scores.yaml"_s, "f1: 0.87\nclass:\n  cat: 0.7\n");
    write(u"loss.csv"_s, "step,loss\n1,0.5\n2,0.4\n3,0.35\n");
    write(u"dvc.lock"_s, dvcLock("0.02"));
    commit(u"fixed metrics"_s, 4);

    // The workspace: a new learning rate and changed training data; train is stale.
    write(u"params.yaml"_s, paramsYaml("0.05"));
    write(u"data/train.csv"_s, "a,b\n1,3\n");
}

void TestDvcExp::readsEveryCommitAndTheWorkspace()
{
    const auto rows = readDvcExperiments(m_root);
    QVERIFY2(rows, qPrintable(rows ? QString() : rows.error().toString()));
    QCOMPARE(rows->size(), 5);
    const DvcRow &ws = rows->at(0);
    QVERIFY(ws.workspace);
    QCOMPARE(ws.rev, u"workspace"_s);
    QVERIFY(ws.differsFromHead);
    QCOMPARE(ws.changedFiles, QStringList{u"params.yaml"_s});

    const DvcRow &head = rows->at(1);
    QCOMPARE(head.rev, m_commits[3]);
    QCOMPARE(head.shortRev, m_commits[3].left(7));
    QCOMPARE(head.summary, u"fixed metrics"_s);
    QCOMPARE(head.created.toSecsSinceEpoch(),
             QDateTime(QDate(2026, 1, 4), QTime(10, 0), QTimeZone(0)).toSecsSinceEpoch());
    QCOMPARE(head.refs, QStringList{u"main"_s});
    QVERIFY(head.warnings.isEmpty());
    QVERIFY(head.hasDvcYaml);

    // params.yaml first, then the top-level params file, then the stages' files.
    QCOMPARE(head.params.size(), 3);
    QCOMPARE(head.params[0].path, u"params.yaml"_s);
    QCOMPARE(head.params[1].path, u"extra.toml"_s);
    QCOMPARE(head.params[2].path, u"config/model.json"_s);
    const ValuesFile &p = head.params[0];
    QStringList keys;
    for (const FlatValue &v : p.values)
        keys << v.key;
    QCOMPARE(keys, (QStringList{u"train.lr"_s, u"train.epochs"_s, u"train.layers"_s, u"seed"_s,
                                u"name"_s}));
    QCOMPARE(p.find(u"train.lr"_s)->text, u"0.02"_s);
    QCOMPARE(p.find(u"train.lr"_s)->number(), 0.02);
    QCOMPARE(p.find(u"train.layers"_s)->text, u"[64, 32]"_s);
    QCOMPARE(p.find(u"train.layers"_s)->value, QJsonValue(QJsonArray{64, 32}));
    QCOMPARE(p.find(u"name"_s)->value, QJsonValue(u"base"_s));
    QCOMPARE(p.usedKeys, (QStringList{u"train.lr"_s, u"train.epochs"_s}));
    QVERIFY(p.isUsed(u"train.lr"_s));
    QVERIFY(!p.isUsed(u"seed"_s));
    QCOMPARE(head.params[1].find(u"data.split"_s)->number(), 0.2);
    QCOMPARE(head.params[1].find(u"data.shuffle"_s)->value, QJsonValue(true));
    QCOMPARE(head.params[2].find(u"opt.name"_s)->value, QJsonValue(u"adam"_s));
    QCOMPARE(head.params[2].find(u"depth"_s)->number(), 3.0);
    QCOMPARE(head.params[2].usedKeys, QStringList{u"depth"_s});

    // Top-level metrics first, then the stages' metrics; nested keys flattened with '.'.
    QCOMPARE(head.metrics.size(), 2);
    QCOMPARE(head.metrics[0].path, u"eval/scores.yaml"_s);
    QCOMPARE(head.metrics[0].find(u"class.cat"_s)->number(), 0.7);
    QCOMPARE(head.metrics[1].path, u"metrics.json"_s);
    QCOMPARE(head.metricsFile(u"metrics.json"_s)->find(u"loss.val"_s)->number(), 0.28);
    QCOMPARE(head.plots, QStringList{u"loss.csv"_s});

    // The commit's own dvc.lock.
    QCOMPARE(head.stages.size(), 2);
    QCOMPARE(head.stages[0].name, u"train"_s);
    QCOMPARE(head.stages[0].cmd, u"python train.py"_s);
    QCOMPARE(head.stages[0].state, StageState::NotChecked);
    QCOMPARE(head.stages[0].deps.size(), 1);
    QCOMPARE(head.stages[0].deps[0].path, u"data/train.csv"_s);
    QCOMPARE(head.stages[0].deps[0].md5, QString::fromLatin1(kTrainMd5));
    QCOMPARE(head.stages[0].outs[0].md5, QString::fromLatin1(kModelMd5));
    QCOMPARE(head.stages[0].params[0].find(u"train.lr"_s)->text, u"0.02"_s);
    QCOMPARE(head.stages[1].outs[0].md5, QString::fromLatin1(kFeaturesMd5));

    const DvcRow &baseline = rows->at(3);
    QCOMPARE(baseline.summary, u"baseline"_s);
    QCOMPARE(baseline.params[0].find(u"train.lr"_s)->text, u"0.010"_s); // as written
    QCOMPARE(baseline.params[0].find(u"train.lr"_s)->number(), 0.01);

    const DvcRow &start = rows->at(4);
    QCOMPARE(start.summary, u"start"_s);
    QVERIFY(!start.hasDvcYaml);
    QVERIFY(start.params.isEmpty());
    QVERIFY(start.metrics.isEmpty());
    QVERIFY(start.stages.isEmpty());
    QVERIFY(start.warnings.isEmpty());

    // -n 2 and no workspace.
    const auto two = readDvcExperiments(m_root, ExpOptions{2, u"HEAD"_s, false});
    QVERIFY(two);
    QCOMPARE(two->size(), 2);
    QCOMPARE(two->at(0).rev, m_commits[3]);
    QCOMPARE(two->at(1).rev, m_commits[2]);
    // From another revision, every commit.
    const auto older = readDvcExperiments(m_root, ExpOptions{-1, u"HEAD~1"_s, false});
    QVERIFY(older);
    QCOMPARE(older->size(), 3);
    QCOMPARE(older->at(0).rev, m_commits[2]);

    // Progress, and cancelling.
    QList<qint64> seen;
    QVERIFY(readDvcExperiments(m_root, {}, [&](qint64 done, qint64 total) {
        seen << done;
        return total == 5;
    }));
    QCOMPARE(seen, (QList<qint64>{1, 2, 3, 4, 5}));
    const auto cancelled = readDvcExperiments(m_root, {}, [](qint64, qint64) { return false; });
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().message, u"cancelled"_s);
}

void TestDvcExp::workspaceStageStatus()
{
    const auto ws = readDvcRow(m_root, u"workspace"_s);
    QVERIFY(ws);
    QCOMPARE(ws->stages.size(), 3);
    const DvcStage &train = ws->stages[0];
    QCOMPARE(train.name, u"train"_s);
    QCOMPARE(train.state, StageState::Changed);
    QCOMPARE(train.changes.size(), 2);
    QCOMPARE(train.changes[0].kind, u"dep"_s);
    QCOMPARE(train.changes[0].item, u"data/train.csv"_s);
    QCOMPARE(train.changes[0].status, u"modified"_s);
    QCOMPARE(train.changes[1].kind, u"param"_s);
    QCOMPARE(train.changes[1].item, u"params.yaml:train.lr"_s);
    QCOMPARE(train.changes[1].status, u"modified"_s);
    // A directory output whose `.dir` hash matches the files on disk.
    QCOMPARE(ws->stages[1].name, u"featurize"_s);
    QCOMPARE(ws->stages[1].state, StageState::UpToDate);
    QVERIFY(ws->stages[1].changes.isEmpty());
    QCOMPARE(ws->stages[2].name, u"report"_s);
    QCOMPARE(ws->stages[2].state, StageState::NotInLock);
    QCOMPARE(stageStateName(ws->stages[2].state), u"not in lock"_s);

    // Deleting an output and changing a file of the directory output.
    write(u"features/b/c.txt"_s, "C2\n");
    QVERIFY(QFile::remove(QDir(m_root).filePath(u"model.bin"_s)));
    const auto again = readDvcRow(m_root, {});
    QVERIFY(again);
    QCOMPARE(again->stages[0].changes.size(), 3);
    QCOMPARE(again->stages[0].changes[2].kind, u"out"_s);
    QCOMPARE(again->stages[0].changes[2].item, u"model.bin"_s);
    QCOMPARE(again->stages[0].changes[2].status, u"deleted"_s);
    QCOMPARE(again->stages[1].state, StageState::Changed);
    QCOMPARE(again->stages[1].changes[0].item, u"features"_s);
    QCOMPARE(again->stages[1].changes[0].status, u"modified"_s);
    write(u"features/b/c.txt"_s, "C\n");
    write(u"model.bin"_s, "MODEL1");
}

void TestDvcExp::malformedMetricsIsAWarningWithRevAndLine()
{
    const auto row = readDvcRow(m_root, u"HEAD~1"_s);
    QVERIFY(row);
    QCOMPARE(row->rev, m_commits[2]);
    QCOMPARE(row->warnings.size(), 1);
    const Error &w = row->warnings.first();
    QCOMPARE(w.file, m_commits[2].left(7) + u":metrics.json"_s);
    QCOMPARE(w.line, 2);
    QCOMPARE(w.column, 11); // where `oops` starts
    QVERIFY2(w.message.startsWith(u"JSON syntax error"_s), qPrintable(w.message));
    QVERIFY(w.location().startsWith(m_commits[2].left(7) + u":metrics.json:2:"_s));
    // The rest of the commit is read.
    QCOMPARE(row->metrics.size(), 1);
    QCOMPARE(row->metrics[0].find(u"f1"_s)->number(), 0.85);
    QCOMPARE(row->params[0].find(u"train.lr"_s)->number(), 0.02);
}

void TestDvcExp::metricsDiff()
{
    const auto a = readDvcRow(m_root, u"HEAD~2"_s);
    const auto b = readDvcRow(m_root, u"HEAD"_s);
    QVERIFY(a && b);
    const DvcDiff d = diffDvcMetrics(*a, *b);
    QVERIFY(d.metrics);
    QCOMPARE(d.entries.size(), 4); // class.cat did not change
    QCOMPARE(d.entries[0].file, u"eval/scores.yaml"_s);
    QCOMPARE(d.entries[0].key, u"f1"_s);
    QCOMPARE(d.entries[1].key, u"acc"_s);
    QCOMPARE(d.entries[1].before->text, u"0.9"_s);
    QCOMPARE(d.entries[1].after->text, u"0.93"_s);
    QVERIFY(qFuzzyCompare(*d.entries[1].change, 0.03));
    QCOMPARE(d.entries[2].key, u"loss.train"_s);
    QVERIFY(qFuzzyCompare(*d.entries[2].change, -0.05));
    QCOMPARE(d.entries[3].key, u"loss.val"_s);
    QCOMPARE(diffDvcMetrics(*a, *b, true).entries.size(), 5);
    QVERIFY(diffDvcMetrics(*b, *b).entries.isEmpty());

    // Against the commit whose metrics.json cannot be read: those metrics are only on one side.
    const auto broken = readDvcRow(m_root, u"HEAD~1"_s);
    QVERIFY(broken);
    const DvcDiff withBroken = diffDvcMetrics(*broken, *b);
    QCOMPARE(withBroken.entries.size(), 4);
    QCOMPARE(withBroken.entries[1].key, u"acc"_s);
    QVERIFY(!withBroken.entries[1].before);
    QVERIFY(!withBroken.entries[1].change);
}

void TestDvcExp::paramsDiff()
{
    const auto head = readDvcRow(m_root, u"HEAD"_s);
    const auto ws = readDvcRow(m_root, {});
    QVERIFY(head && ws);
    const DvcDiff d = diffDvcParams(*head, *ws);
    QVERIFY(!d.metrics);
    QCOMPARE(d.entries.size(), 1);
    QCOMPARE(d.entries[0].file, u"params.yaml"_s);
    QCOMPARE(d.entries[0].key, u"train.lr"_s);
    QCOMPARE(d.entries[0].before->text, u"0.02"_s);
    QCOMPARE(d.entries[0].after->text, u"0.05"_s);
    QVERIFY(!d.entries[0].change); // no Change column for params
    // --all: every key of the three files (5 + 2 + 3).
    const DvcDiff all = diffDvcParams(*head, *ws, true);
    QCOMPARE(all.entries.size(), 10);
    QCOMPARE(all.entries[0].file, u"config/model.json"_s);
    // --all --deps: the keys stages name.
    const DvcDiff deps = diffDvcParams(*head, *ws, true, true);
    QStringList keys;
    for (const ValueDiff &e : deps.entries)
        keys << e.file + u':' + e.key;
    QCOMPARE(keys, (QStringList{u"config/model.json:depth"_s, u"params.yaml:train.epochs"_s,
                                u"params.yaml:train.lr"_s}));
    // A commit without params: everything is new.
    const auto start = readDvcRow(m_root, m_commits[0]);
    QVERIFY(start);
    QCOMPARE(diffDvcParams(*start, *head).entries.size(), 10);
}

void TestDvcExp::plotsAcrossCommits()
{
    const auto head = readDvcPlot(m_root, u"HEAD"_s, u"loss.csv"_s);
    QVERIFY2(head, qPrintable(head ? QString() : head.error().toString()));
    QCOMPARE(head->columns, (QStringList{u"step"_s, u"loss"_s}));
    QCOMPARE(head->rows.size(), 3);
    QCOMPARE(head->rows[2][0].number, 3.0);
    QCOMPARE(head->rows[2][1].text, u"0.35"_s);
    QCOMPARE(head->rows[2][1].number, 0.35);
    const auto baseline = readDvcPlot(m_root, u"HEAD~2"_s, u"loss.csv"_s);
    QVERIFY(baseline);
    QCOMPARE(baseline->rows.size(), 2);
    const auto missing = readDvcPlot(m_root, m_commits[0], u"loss.csv"_s);
    QVERIFY(!missing);
    QCOMPARE(missing.error().file, m_commits[0].left(7) + u":loss.csv"_s);

    // JSON and YAML records, in the workspace.
    write(u"plots/roc.json"_s, R"({"roc": [{"fpr": 0, "tpr": 0.5}, {"fpr": 1, "tpr": 1}]})");
    const auto json = readDvcPlot(m_root, {}, u"plots/roc.json"_s);
    QVERIFY(json);
    QCOMPARE(json->columns, (QStringList{u"fpr"_s, u"tpr"_s}));
    QCOMPARE(json->rows[0][1].number, 0.5);
    write(u"plots/pr.yaml"_s, "- recall: 0.1\n  precision: 0.9\n- recall: 0.5\n  label: x\n");
    const auto yaml = readDvcPlot(m_root, u"workspace"_s, u"plots/pr.yaml"_s);
    QVERIFY(yaml);
    QCOMPARE(yaml->columns, (QStringList{u"precision"_s, u"recall"_s, u"label"_s}));
    QCOMPARE(yaml->rows[1][0].text, QString()); // no precision in the second record
    QCOMPARE(yaml->rows[1][2].text, u"x"_s);
    QVERIFY(!yaml->rows[1][2].number);
    QDir(QDir(m_root).filePath(u"plots"_s)).removeRecursively();
}

void TestDvcExp::renderings()
{
    const auto a = readDvcRow(m_root, u"HEAD~2"_s);
    const auto b = readDvcRow(m_root, u"HEAD"_s);
    QVERIFY(a && b);
    DvcDiff d = diffDvcMetrics(*a, *b);
    d.a = u"HEAD~2"_s;
    d.b = u"HEAD"_s;
    QCOMPARE(dvcDiffText(d), u"Path              Metric      HEAD~2  HEAD  Change\n"
                             "eval/scores.yaml  f1          0.8     0.87  0.07\n"
                             "metrics.json      acc         0.9     0.93  0.03\n"
                             "metrics.json      loss.train  0.25    0.2   -0.05\n"
                             "metrics.json      loss.val    0.3     0.28  -0.02\n"_s);
    const QJsonObject json = dvcDiffJson(d);
    const QJsonObject acc = json[u"metrics.json"_s][u"acc"_s].toObject();
    QCOMPARE(acc[u"old"_s].toDouble(), 0.9);
    QCOMPARE(acc[u"new"_s].toDouble(), 0.93);
    QVERIFY(qFuzzyCompare(acc[u"diff"_s].toDouble(), 0.03));

    const auto ws = readDvcRow(m_root, {});
    QVERIFY(ws);
    DvcDiff p = diffDvcParams(*b, *ws);
    p.a = u"HEAD"_s;
    QCOMPARE(dvcDiffText(p), u"Path         Param     HEAD  workspace\n"
                             "params.yaml  train.lr  0.02  0.05\n"_s);
    QCOMPARE(dvcDiffJson(p),
             (QJsonObject{
                 {u"params.yaml"_s,
                  QJsonObject{{u"train.lr"_s, QJsonObject{{u"old"_s, 0.02}, {u"new"_s, 0.05}}}}}}));
    QCOMPARE(dvcDiffText(diffDvcParams(*b, *b)),
             u"No params changed between %1 and %1.\n"_s.arg(b->shortRev));

    const auto rows = readDvcExperiments(m_root, ExpOptions{2, u"HEAD"_s, true});
    QVERIFY(rows);
    const QString text = dvcExperimentsText(*rows);
    const QStringList lines = text.split(u'\n');
    QCOMPARE(
        lines[0].split(u' ', Qt::SkipEmptyParts),
        (QStringList{u"Experiment"_s, u"rev"_s,          u"Created"_s,        u"f1"_s,
                     u"class.cat"_s,  u"acc"_s,          u"loss.train"_s,     u"loss.val"_s,
                     u"train.lr"_s,   u"train.epochs"_s, u"train.layers"_s,   u"seed"_s,
                     u"name"_s,       u"data.split"_s,   u"data.shuffle"_s,   u"depth"_s,
                     u"opt.beta"_s,   u"opt.name"_s,     u"data/train.csv"_s, u"data/raw.txt"_s}));
    // The columns are aligned: every value starts where its header does.
    QCOMPARE(lines[1].indexOf(u"0.87"_s), lines[0].indexOf(u"f1"_s));
    QCOMPARE(lines[1].left(10), u"workspace "_s);
    QCOMPARE(lines[2].split(u' ', Qt::SkipEmptyParts).mid(0, 4),
             (QStringList{u"main"_s, m_commits[3].left(7), u"2026-01-04"_s, u"10:00"_s}));
    QVERIFY(lines[1].contains(u"0.05"_s));
    QVERIFY(lines[1].contains(QString::fromLatin1(kTrainMd5.left(8))));
    QVERIFY(lines[3].contains(u"-"_s)); // HEAD~1: metrics.json unreadable
    QVERIFY(text.contains(u"The workspace differs from HEAD in: params.yaml\n"_s));
    QVERIFY(text.contains(u"  train      changed: dep data/train.csv modified; param "
                          "params.yaml:train.lr modified\n"_s));
    QVERIFY(text.contains(u"  featurize  up to date\n"_s));
    QVERIFY(text.contains(u"  report     not in lock\n"_s));

    const QJsonArray arr = dvcExperimentsJson(*rows);
    QCOMPARE(arr.size(), 3);
    QCOMPARE(arr[0][u"rev"_s].toString(), u"workspace"_s);
    QCOMPARE(arr[0][u"params"_s][u"params.yaml"_s][u"train.lr"_s].toDouble(), 0.05);
    QCOMPARE(arr[0][u"stages"_s][0][u"state"_s].toString(), u"changed"_s);
    QCOMPARE(arr[1][u"metrics"_s][u"metrics.json"_s][u"loss.train"_s].toDouble(), 0.2);
    QCOMPARE(arr[1][u"refs"_s].toArray(), QJsonArray{u"main"_s});
    QCOMPARE(arr[2][u"warnings"_s].toArray().size(), 1);
}

void TestDvcExp::valueFiles()
{
    using detail::parseValuesFile;
    const auto toml = parseValuesFile("title = \"x\"  # note\n[a.b]\nn = 1_000\nl = [1, 2]\n",
                                      u"p.toml"_s, u"p.toml"_s);
    QVERIFY(toml);
    QCOMPARE(toml->size(), 3);
    QCOMPARE(toml->at(0).value, QJsonValue(u"x"_s));
    QCOMPARE(toml->at(1).key, u"a.b.n"_s);
    QCOMPARE(toml->at(1).number(), 1000.0);
    QCOMPARE(toml->at(2).value, QJsonValue(QJsonArray{1, 2}));
    const auto inlineTable =
        parseValuesFile("[x]\ny = 1\nz = {a = 1}\n", u"p.toml"_s, u"HEAD:p.toml"_s);
    QVERIFY(!inlineTable);
    QCOMPARE(inlineTable.error().location(), u"HEAD:p.toml:3:5"_s);
    QVERIFY(inlineTable.error().message.contains(u"not supported"_s));
    // Python: top-level and class-level literal assignments, as DVC reads them.
    const auto py = parseValuesFile("\"\"\"Params.\"\"\"\nimport os\nLR = 0.1  # rate\n"
                                    "NAME = 'net'\nLAYERS = [64, 32]\n"
                                    "PATH = os.path.join('a', 'b')\nclass Train:\n"
                                    "    epochs: int = 10\n    def f(self):\n        local = 3\n"
                                    "DEBUG = False\n",
                                    u"params.py"_s, u"params.py"_s);
    QVERIFY(py);
    QStringList pyKeys;
    for (const FlatValue &v : *py)
        pyKeys << v.key + u'=' + v.text;
    QCOMPARE(pyKeys, (QStringList{u"LR=0.1"_s, u"NAME=net"_s, u"LAYERS=[64, 32]"_s,
                                  u"Train.epochs=10"_s, u"DEBUG=False"_s}));
    QCOMPARE(py->at(4).value, QJsonValue(false));
    QCOMPARE(py->at(2).value, QJsonValue(QJsonArray{64, 32}));
    // YAML 1.2: quoted numbers are text, `yes` is text, 1e-3 is a number.
    const auto yaml = parseValuesFile("a: '1'\nb: yes\nc: 1e-3\nd: ~\n", u"p.yaml"_s, u"p.yaml"_s);
    QVERIFY(yaml);
    QCOMPARE(yaml->at(0).value, QJsonValue(u"1"_s));
    QCOMPARE(yaml->at(1).value, QJsonValue(u"yes"_s));
    QCOMPARE(yaml->at(2).number(), 0.001);
    QVERIFY(yaml->at(3).value.isNull());
    const auto badYaml = parseValuesFile("a: 1\nb: [1,\n", u"m.yaml"_s, u"abc:m.yaml"_s);
    QVERIFY(!badYaml);
    QCOMPARE(badYaml.error().file, u"abc:m.yaml"_s);
    QVERIFY(badYaml.error().line >= 2);
}

// `dvc exp run` keeps each experiment as refs/exps/<baseline[:2]>/<baseline[2:]>/<name>.
void TestDvcExp::experimentRefs()
{
    const QString baseline = m_commits[1];
    const QString refFile = QDir(m_root).filePath(
        u".git/refs/exps/%1/%2/exp-fast"_s.arg(baseline.left(2), baseline.mid(2)));
    test::writeFile(refFile, m_commits[2].toLatin1() + "\n");
    test::writeFile(QDir(m_root).filePath(u".git/refs/exps/stash"_s),
                    m_commits[3].toLatin1() + "\n");
    const auto rows = readDvcExperiments(m_root);
    QVERIFY(rows);
    QCOMPARE(rows->size(), 6);
    QCOMPARE(rows->at(3).rev, baseline);
    QVERIFY(rows->at(3).experiment.isEmpty());
    const DvcRow &exp = rows->at(4);
    QCOMPARE(exp.experiment, u"exp-fast"_s);
    QCOMPARE(exp.baseline, baseline);
    QCOMPARE(exp.rev, m_commits[2]);
    QCOMPARE(exp.params[0].find(u"train.lr"_s)->number(), 0.02);
    QCOMPARE(rows->at(5).rev, m_commits[0]);
    const QStringList lines = dvcExperimentsText(*rows).split(u'\n');
    QVERIFY2(lines[5].startsWith(u"  exp-fast  "_s), qPrintable(lines[5]));
    QCOMPARE(dvcExperimentsJson(*rows)[4][u"experiment"_s].toString(), u"exp-fast"_s);

    ExpOptions without;
    without.experiments = false;
    QCOMPARE(readDvcExperiments(m_root, without)->size(), 5);
    // Experiments of a commit that is not shown are left out.
    QCOMPARE(readDvcExperiments(m_root, ExpOptions{1, u"HEAD"_s, false})->size(), 1);
    QVERIFY(QFile::remove(refFile));
    QVERIFY(QFile::remove(QDir(m_root).filePath(u".git/refs/exps/stash"_s)));
}

// A DVC project in a subfolder of the repository, with a stage that runs in its own wdir.
void TestDvcExp::stageWithWdirInASubfolderProject()
{
    QTemporaryDir dir;
    const QString repo = QDir(dir.path()).canonicalPath();
    const QString project = repo + u"/ml"_s;
    QVERIFY(gitInit(repo));
    auto put = [&](const QString &rel, const QByteArray &bytes) {
        test::writeFile(QDir(project).filePath(rel), bytes);
    };
    put(u"dvc.yaml"_s, "stages:\n  s:\n    wdir: sub\n    cmd: run\n    deps:\n    - in.txt\n"
                       "    params:\n    - lr\n    plots:\n    - curves\n");
    put(u"sub/curves/roc.csv"_s, "x,y\n0,0\n");
    put(u"sub/in.txt"_s, "raw\n");
    put(u"sub/params.yaml"_s, "lr: 1\n");
    put(u"dvc.lock"_s, "schema: '2.0'\nstages:\n  s:\n    cmd: run\n    deps:\n"
                       "    - path: in.txt\n      hash: md5\n      md5: " +
                           kRawMd5 + "\n    params:\n      params.yaml:\n        lr: 1\n");
    QVERIFY(gitCommitAll(repo, u"one"_s));
    const auto clean = readDvcRow(project, {});
    QVERIFY2(clean, qPrintable(clean ? QString() : clean.error().toString()));
    QVERIFY(!clean->differsFromHead);
    QCOMPARE(clean->stages.size(), 1);
    QCOMPARE(clean->stages[0].state, StageState::UpToDate);
    QCOMPARE(clean->stages[0].deps[0].path, u"sub/in.txt"_s);
    QCOMPARE(clean->params.size(), 1);
    QCOMPARE(clean->params[0].path, u"sub/params.yaml"_s);

    put(u"sub/params.yaml"_s, "lr: 2\n");
    const auto stale = readDvcRow(project, u"workspace"_s);
    QVERIFY(stale);
    QCOMPARE(stale->changedFiles, QStringList{u"sub/params.yaml"_s});
    QCOMPARE(stale->stages[0].state, StageState::Changed);
    QCOMPARE(stale->stages[0].changes.size(), 1);
    QCOMPARE(stale->stages[0].changes[0].item, u"sub/params.yaml:lr"_s);
    // A changed command, a stage DVC always runs again, and a whole params file it now uses.
    put(u"dvc.yaml"_s,
        "stages:\n  s:\n    wdir: sub\n    cmd: run --fast\n    always_changed: true\n"
        "    deps:\n    - in.txt\n    params:\n    - lr\n    - cfg.json:\n");
    put(u"sub/cfg.json"_s, R"({"a": 1, "b": {"c": 2}})");
    const auto edited = readDvcRow(project, {});
    QVERIFY(edited);
    QStringList changes;
    for (const StageChange &c : edited->stages[0].changes)
        changes << u"%1 %2 %3"_s.arg(c.kind, c.item, c.status);
    QCOMPARE(changes, (QStringList{u"stage s always changed"_s, u"cmd run --fast modified"_s,
                                   u"param sub/params.yaml:lr modified"_s,
                                   u"param sub/cfg.json:a new"_s, u"param sub/cfg.json:b new"_s}));
    const ValuesFile *cfg = edited->paramsFile(u"sub/cfg.json"_s);
    QVERIFY(cfg);
    QVERIFY(cfg->wholeFileUsed);
    QVERIFY(cfg->isUsed(u"b.c"_s));
    // The commit is read from the subfolder too.
    const auto head = readDvcRow(project, u"HEAD"_s);
    QVERIFY(head);
    QCOMPARE(head->params[0].find(u"lr"_s)->number(), 1.0);
    QVERIFY(head->warnings.isEmpty()); // a plots folder is not an unreadable file
    QVERIFY(head->plots.isEmpty());    // folders of plots are not listed
}

void TestDvcExp::errors()
{
    QTemporaryDir plain;
    const auto noGit = readDvcExperiments(plain.path());
    QVERIFY(!noGit);
    QVERIFY2(noGit.error().message.contains(u"not in a git repository"_s),
             qPrintable(noGit.error().message));
    QCOMPARE(noGit.error().file, plain.path());

    QTemporaryDir other;
    QVERIFY(gitInit(other.path()));
    test::writeFile(QDir(other.path()).filePath(u"notes.txt"_s), "x\n");
    QVERIFY(gitCommitAll(other.path(), u"one"_s));
    const auto noDvc = readDvcExperiments(other.path());
    QVERIFY(!noDvc);
    QVERIFY2(noDvc.error().message.contains(u"no dvc.yaml or params.yaml"_s),
             qPrintable(noDvc.error().message));

    const auto badRev = readDvcRow(m_root, u"no-such-branch"_s);
    QVERIFY(!badRev);
    QVERIFY(badRev.error().message.contains(u"no-such-branch"_s));
}

void TestDvcExp::commandLine()
{
    const auto params = cli({u"dvc"_s, u"params"_s, u"diff"_s, u"--project"_s, m_root});
    QVERIFY2(params.exitCode == 0, params.err.constData());
    QCOMPARE(params.out, QByteArray("Path         Param     HEAD  workspace\n"
                                    "params.yaml  train.lr  0.02  0.05\n"));

    const auto metrics = cli({u"dvc"_s, u"metrics"_s, u"diff"_s, u"HEAD~2"_s, u"HEAD"_s,
                              u"--json"_s, u"--project"_s, m_root});
    QCOMPARE(metrics.exitCode, 0);
    const QJsonObject mj = QJsonDocument::fromJson(metrics.out).object();
    QCOMPARE(mj[u"metrics.json"_s][u"acc"_s][u"new"_s].toDouble(), 0.93);
    QCOMPARE(mj[u"eval/scores.yaml"_s][u"f1"_s][u"old"_s].toDouble(), 0.8);

    // The malformed file is a warning naming rev:path:line:column; the command still succeeds.
    const auto broken = cli({u"dvc"_s, u"metrics"_s, u"diff"_s, u"HEAD~1"_s, u"HEAD"_s});
    QCOMPARE(broken.exitCode, 0);
    const QByteArray where = "warning: " + m_commits[2].left(7).toLatin1() + ":metrics.json:2:";
    QVERIFY2(broken.err.contains(where), broken.err.constData());
    QVERIFY(broken.out.contains("metrics.json      acc"));

    const auto show = cli({u"dvc"_s, u"exp"_s, u"show"_s, u"-n"_s, u"1"_s, u"--json"_s});
    QCOMPARE(show.exitCode, 0);
    const QJsonArray rows = QJsonDocument::fromJson(show.out).array();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[1][u"rev"_s].toString(), m_commits[3]);
    const auto all = cli({u"dvc"_s, u"exp"_s, u"show"_s, u"--all-commits"_s});
    QCOMPARE(all.exitCode, 0);
    QCOMPARE(all.out.count(m_commits[0].left(7).toLatin1()), 1);
    QVERIFY(all.out.contains("Stages (workspace against dvc.lock):"));

    QTemporaryDir plain;
    const auto noGit = cli({u"dvc"_s, u"exp"_s, u"show"_s, u"--project"_s, plain.path()});
    QCOMPARE(noGit.exitCode, 2);
    QVERIFY2(noGit.err.contains(plain.path().toUtf8()), noGit.err.constData());
    QVERIFY(noGit.out.isEmpty());
    const auto badRev = cli({u"dvc"_s, u"params"_s, u"diff"_s, u"nope"_s});
    QCOMPARE(badRev.exitCode, 2);
    QVERIFY(badRev.err.contains("nope"));
    const auto unknown = cli({u"dvc"_s, u"frob"_s});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY(unknown.err.contains("unknown subcommand"));
    const auto badN = cli({u"dvc"_s, u"exp"_s, u"show"_s, u"-n"_s, u"x"_s});
    QCOMPARE(badN.exitCode, 2);
    const auto help = cli({u"--help"_s});
    QVERIFY(help.out.contains("dvc exp show"));
}

QTEST_GUILESS_MAIN(TestDvcExp)
#include "tst_dvcexp.moc"
