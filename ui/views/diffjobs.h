#pragma once

// The diff view's background work as plain functions: resolve two versions (a file, PATH@REV,
// a DVC-tracked file at a revision), read and compare them as tables or models, and list the
// versions a side can be picked from. They run on the thread pool (see DiffView), report
// progress through atomics the view reads on a timer, and stop early when `cancelled` is set.

#include "diff/modeldiff.h"
#include "diff/tableversion.h"
#include "project/project.h"
#include "vcs/git.h"
#include "versioning/producers.h"
#include "versioning/versions.h"

#include <atomic>
#include <memory>
#include <optional>

namespace cairn::ui {

struct DiffRowIndex;

enum class DiffKind
{
    Table,
    Model
};

// A file the project declares (its globs expanded), relative to the project root.
struct DeclaredFile
{
    QString path;
    DiffKind kind = DiffKind::Table;
    QString name;     // the dataset or model name
    QStringList keys; // a dataset's declared key
};

// What a side can be picked from: the declared files and their recorded versions. Expanding
// globs walks folders and listing versions hashes files, so this runs on the thread pool.
struct SideChoices
{
    QList<DeclaredFile> files;
    QList<DataVersion> versions;
};
SideChoices loadSideChoices(const Project &project);

// What a side names: a declared model's file or a model format is a model, anything else a
// table (CSV, TSV, JSON Lines).
DiffKind guessDiffKind(const QList<DeclaredFile> &declared, const QString &spec,
                       const QString &baseDir);

enum class DiffStage
{
    Resolving,
    ReadingA,
    ReadingB,
    Comparing,
};

struct DiffProgress
{
    std::atomic<int> permille{0};
    std::atomic<int> stage{int(DiffStage::Resolving)};
};

struct DiffRequest
{
    QString specA; // as typed: a path (relative to baseDir), PATH@REV, …
    QString specB;
    QString baseDir;
    DiffKind kind = DiffKind::Table;
    diff::TableDiffOptions tableOptions;
};

// A model diff as the view shows it: the tensor table, and every other difference as lines
// (metadata, and whatever the format adds).
struct ModelDiffOutcome
{
    QString format;
    QList<diff::TensorDiff> tensors;
    diff::ModelDiffSummary summary;
    struct Change
    {
        QString section; // "metadata", …
        QString what;
        QString before;
        QString after;
    };
    QList<Change> changes;
    bool same = false;
    // The runs that made the two versions, and their parameters' and metrics' diff.
    ProducingRuns runs;
};

struct DiffResult
{
    std::optional<Error> error;
    DiffKind kind = DiffKind::Table;
    QString describeA; // "data/x.csv at HEAD~1 (3f2a1b0)"
    QString describeB;
    std::shared_ptr<const diff::TableComparison> table;
    std::shared_ptr<const DiffRowIndex> rows;
    std::shared_ptr<const ModelDiffOutcome> model;
    qint64 elapsedMs = 0;
};

DiffResult runDiff(const DiffRequest &request, const std::atomic_bool &cancelled,
                   DiffProgress &progress);

// The versions of the project's declared datasets and models (with the project database opened
// on this thread), or the error.
Result<QList<DataVersion>> loadVersions(const Project &project);

// How a side names a version: the file itself when it is the current content, else by hash.
QString versionSpec(const DataVersion &version);
// "v3" for the third version of its file in `versions` (oldest first).
QString versionLabel(const QList<DataVersion> &versions, const DataVersion &version);

// The commits that changed the file a spec names (relative to `baseDir`), newest first; none
// outside a repository.
Result<QList<GitCommit>> loadCommits(const QString &baseDir, const QString &spec, int limit);
// The path part of a spec: what precedes the last '@', unless the whole names a file.
QString specPath(const QString &spec, const QString &baseDir);

} // namespace cairn::ui
