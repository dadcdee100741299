#pragma once

// Versions of the project's declared datasets and models: each distinct content a file has had
// (its xxh128 hash), with its lineage from the runs' records (core/runs/lineage.h: every run
// records the declared files before and after it): the run that produced it (the file had
// another content before that run and this one after), the runs that used it (named by a run's
// parameters while it had this content), and whether it is the file's content now.

#include "common/error.h"
#include "project/project.h"
#include "store/database.h"

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
};

// The versions of every declared dataset and model, or of those named `name` (a dataset or
// model name, or a path), oldest first per file. Hashes the declared files now (reusing the
// store's cache of unchanged files).
Result<QList<DataVersion>> listVersions(const Project &project, Database &db,
                                        const QString &name = {});

QJsonObject versionsJson(const QList<DataVersion> &versions);
QString versionsText(const QList<DataVersion> &versions);

} // namespace cairn
