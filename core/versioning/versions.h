#pragma once

// Versions of the project's declared datasets and models: each distinct content a file has had
// (its xxh128 hash), with its lineage from the runs' records (core/runs/lineage.h: every run
// records the declared files before and after it): the run that produced it (the file had
// another content before that run and this one after), the runs that used it (named by a run's
// parameters while it had this content), and whether it is the file's content now.

#include "common/error.h"
#include "project/project.h"
#include "store/database.h"
#include "store/objectstore.h"
#include "vcs/revision.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace cairn {

struct VersionRun
{
    qint64 id = 0;
    QString name;
    qint64 createdMs = 0;
    QString entryPoint;
};

struct DataVersion
{
    QString kind; // "dataset" or "model"
    QString name; // in the project file
    QString path; // relative to the project root
    QString hash; // "xxh128:<hex>"
    qint64 size = 0;
    qint64 firstSeenMs = 0;               // when a run first recorded it (or now, if none did)
    std::optional<VersionRun> producedBy; // the run whose work wrote it
    QList<VersionRun> usedBy;             // runs whose parameters named it with this content
    int seenByRuns = 0;                   // runs that found the file with this content
    bool current = false;                 // the file holds it now
    std::optional<qint64> registeredMs;   // first registered on demand (no run), if so
    bool stored = false;                  // its bytes are in the object store (.cairn/objects)
};

// The versions of every declared dataset and model, or of those named `name` (a dataset or
// model name, or a path), oldest first per file. Hashes the declared files now (reusing the
// store's cache of unchanged files).
Result<QList<DataVersion>> listVersions(const Project &project, Database &db,
                                        const QString &name = {});

// The versions the records show (the runs' lineage and the registered versions), without the
// files' current state: nothing is hashed. `name` as for listVersions; not an error when empty.
Result<QList<DataVersion>> recordedVersions(Database &db, const QString &name = {});

// The lineage of one content of one file (`path` relative to the project root, `hash`
// "xxh128:<hex>"): the run that produced it, the runs that used it. Nothing when no run
// recorded that content and it was never registered.
Result<std::optional<DataVersion>> findVersion(Database &db, const QString &path,
                                               const QString &hash);

// The recorded versions of `path` whose hash's hex digits start with `hexPrefix`.
Result<QList<DataVersion>> findVersionsByPrefix(Database &db, const QString &path,
                                                const QString &hexPrefix);

// The content `path` had for run `runId`: what the run wrote when it changed the file (it
// produced that version), else what the file held when the run started (it used or saw it).
// An error when the run recorded no such file.
struct RunContent
{
    QString hash;
    qint64 size = 0;
    bool produced = false;
};
Result<RunContent> contentAtRun(Database &db, qint64 runId, const QString &path);

// The xxh128 of a resolved version's bytes ("xxh128:<hex>"): the hash it carries (xxh128: and
// run: revisions), else computed (a working file through the lineage's cache of unchanged
// files, `projectRoot` relative paths being its keys).
Result<QString> versionHash(Database &db, const QString &projectRoot, const FileVersion &version);

// The run that produced the content of `version` (any spec: PATH, PATH@REV, PATH@xxh128:HASH,
// PATH@run:ID) according to the lineage records; nothing when no run wrote that content of
// that file. With diffRuns (runs/rundiff.h) this gives the producing runs' diff shown beside a
// model diff.
Result<std::optional<VersionRun>> producingRun(Database &db, const QString &projectRoot,
                                               const FileVersion &version);

// Records the current content of the declared datasets and models named in `names` (names or
// paths; all when empty) as versions with no run, and keeps their bytes in the object store
// within `limits`. Returns the registered versions; `warnings` gets what could not be kept.
Result<QList<DataVersion>> registerVersions(const Project &project, Database &db,
                                            const QStringList &names,
                                            const ObjectStoreLimits &limits,
                                            QStringList *warnings = nullptr);

QJsonObject versionsJson(const QList<DataVersion> &versions);
// `notes` (by hash) are printed under their versions, e.g. descriptions.
QString versionsText(const QList<DataVersion> &versions, const QHash<QString, QString> &notes = {});

} // namespace cairn
