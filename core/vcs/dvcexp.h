#pragma once

// What `dvc exp show`, `dvc metrics diff`, `dvc params diff` and `dvc status` show, per git
// commit, read without DVC: dvc.yaml (params, metrics and plots it names), the params files
// (YAML, JSON, a subset of TOML, Python literals), the metrics files (JSON, YAML; nested mappings
// flattened with
// '.' as DVC does), the plots files (CSV, TSV, JSON, YAML lists of records) and dvc.lock. Each
// commit's files are read from git's object database (vcs/git.h), the workspace's from disk.

#include "common/error.h"
#include "data/rowcount.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn::dvc {

// One value of a params or metrics file. Nested mappings are flattened ("train.lr"); lists
// stay one value.
struct FlatValue
{
    QString key;
    QString text;     // as written (YAML and TOML scalars verbatim; JSON numbers shortest)
    QJsonValue value; // typed: a number, bool, string, null, list or mapping
    // The number, when the value is one (not for bools or text that looks like a number).
    std::optional<double> number() const;
};

// The flattened values of one params or metrics file at one revision.
struct ValuesFile
{
    QString path;               // relative to the project root, as dvc.yaml names it
    QList<FlatValue> values;    // in the file's order (JSON: sorted by key, as Qt reads it)
    QStringList usedKeys;       // params: the keys stages name in dvc.yaml
    bool wholeFileUsed = false; // params: a stage depends on the whole file (`- file.yaml:`)
    // Whether a stage depends on `key` (itself, or a mapping above it).
    bool isUsed(const QString &key) const;
    const FlatValue *find(const QString &key) const;
};

// A dependency or output a dvc.lock stage recorded.
struct LockEntry
{
    QString path;
    QString md5;         // "<hex>" or "<hex>.dir"; empty when not recorded
    bool legacy = false; // no `hash: md5`: DVC 2.x's md5-dos2unix
};

enum class StageState
{
    NotChecked, // a commit's stage (only the workspace is compared with dvc.lock)
    UpToDate,
    Changed,
    NotInLock,
};
QString stageStateName(StageState state); // "not checked", "up to date", "changed", "not in lock"

// Something of a workspace stage that differs from what dvc.lock recorded.
struct StageChange
{
    QString kind;   // "dep", "out", "param", "cmd" or "stage"
    QString item;   // a path, or "params.yaml:train.lr"
    QString status; // "modified", "deleted", "new", "not checked" or "always changed"
};

struct DvcStage
{
    QString name;
    QString cmd; // from dvc.lock (dvc.yaml when the stage is not in the lock)
    QList<LockEntry> deps;
    QList<LockEntry> outs;
    QList<ValuesFile> params; // the values dvc.lock recorded, by file
    StageState state = StageState::NotChecked;
    QList<StageChange> changes; // workspace only
};

// One row of `dvc exp show`: the workspace or a commit.
struct DvcRow
{
    bool workspace = false;
    QString rev;      // the full commit id, or "workspace"
    QString shortRev; // 7 characters, or "workspace"
    QString summary;  // first line of the commit message
    QDateTime created;
    QStringList refs;             // branches and tags pointing at the commit
    QString experiment;           // a DVC experiment (refs/exps/…/NAME): its name
    QString baseline;             // …and the commit it started from
    bool differsFromHead = false; // workspace: a file below differs from HEAD's
    QStringList changedFiles;     // workspace: those files
    bool hasDvcYaml = false;
    QList<ValuesFile> params;
    QList<ValuesFile> metrics;
    QStringList plots; // plots files that exist at this revision
    QList<DvcStage> stages;
    QMap<QString, QString> files; // every file read: path → md5 of its bytes ("" when absent)
    Errors warnings;              // unreadable files ("rev:path", line, column)
    const ValuesFile *paramsFile(const QString &path) const;
    const ValuesFile *metricsFile(const QString &path) const;
};

struct ExpOptions
{
    int maxCommits = 20;                  // -1: all
    QString rev = QStringLiteral("HEAD"); // the newest commit shown
    bool workspace = true;
    bool experiments = true; // DVC experiments (refs/exps) under the commits they started from
};

// The workspace (when asked) and then the commits reachable from `options.rev`, newest first,
// each followed by the DVC experiments (`dvc exp run`, kept as refs/exps/…) based on it.
// An error when `repoRoot` is not in a git repository, or when neither the workspace nor any of
// the commits has a dvc.yaml or params.yaml. `progress(done, total)` returning false cancels.
Result<QList<DvcRow>> readDvcExperiments(const QString &repoRoot, const ExpOptions &options = {},
                                         const Progress &progress = {});
// One row: `rev` is a commit (id, branch, tag, HEAD~1) or "workspace" (also when empty).
Result<DvcRow> readDvcRow(const QString &repoRoot, const QString &rev);

// One (file, key) of `dvc metrics diff` / `dvc params diff`.
struct ValueDiff
{
    QString file;
    QString key;
    std::optional<FlatValue> before; // on side a
    std::optional<FlatValue> after;  // on side b
    std::optional<double> change;    // after - before, when both are numbers
    bool changed = false;
};

struct DvcDiff
{
    QString a; // "HEAD", "workspace", a short commit id
    QString b;
    bool metrics = true;      // false: params (no Change column)
    QList<ValueDiff> entries; // sorted by file, then key
};

// Like `dvc metrics diff a b`: every metric whose value differs (`all`: every metric).
DvcDiff diffDvcMetrics(const DvcRow &a, const DvcRow &b, bool all = false);
// Like `dvc params diff a b`: params.yaml and every params file dvc.yaml names, whole; `deps`
// keeps only the keys stages name. Changed keys only unless `all`.
DvcDiff diffDvcParams(const DvcRow &a, const DvcRow &b, bool all = false, bool deps = false);

// A plots file: its records, as a chart draws them across commits.
struct PlotCell
{
    QString text;
    std::optional<double> number;
};
struct DvcPlot
{
    QString path;
    QStringList columns;
    QList<QList<PlotCell>> rows; // one cell per column; a missing field is an empty text
};
// `rev` as for readDvcRow. CSV, TSV, JSON and YAML (a list of records, or a mapping holding one).
Result<DvcPlot> readDvcPlot(const QString &repoRoot, const QString &rev, const QString &path);

// Renderings, as `cairn-cli dvc …` prints them.
QString dvcExperimentsText(const QList<DvcRow> &rows);
QJsonArray dvcExperimentsJson(const QList<DvcRow> &rows);
QString dvcDiffText(const DvcDiff &diff);
// DVC's JSON: {file: {key: {old, new[, diff]}}}.
QJsonObject dvcDiffJson(const DvcDiff &diff);

} // namespace cairn::dvc
