#pragma once

// Drift in a project: the `drift:` settings of cairn.yaml resolved to files and options, drift
// over time (every batch against the reference, kept in the project database and computed
// again only when a file or a setting changed), and the Retrain request for a batch.

#include "drift.h"
#include "project/command.h"
#include "project/project.h"
#include "referenceprofile.h"
#include "store/database.h"

namespace cairn::drift {

// A data argument as the user gave it (CLI or window): a dataset name of the project (which must
// match one file), or else a path, absolute or relative to `baseDir`. The file must exist.
Result<QString> resolveDataFile(const Project *project, const QString &argument,
                                const QString &baseDir);

// Reads both files and compares them (Binning::Reference builds the reference's profile on the
// way). Progress runs over reading the reference, reading the current, and comparing.
Result<DriftReport> compareFiles(const QString &referenceFile, const QString &currentFile,
                                 const DriftOptions &options, const Progress &progress = {});

// The project's drift settings applied to options, plus the files they name now.
struct ProjectDrift
{
    DriftOptions options;
    QString referenceFile; // absolute
    QStringList batches;   // absolute, in natural order
};
Result<ProjectDrift> resolveProjectDrift(const Project &project);
// Applies `settings` (test, threshold, drift share, binning, column types, ignored columns).
Result<void> applySettings(const DriftSettings &settings, DriftOptions &options);

// A short canonical text of what changes a report (tests, thresholds, binning, kinds, ignored
// columns and the engine's version): reports stored under another key are not reused.
QString settingsKey(const DriftOptions &options);

struct BatchDrift
{
    QString file; // absolute
    QString path; // relative to the project root
    QString hash; // content hash of the batch
    qint64 modifiedMs = 0;
    bool fromStore = false; // reused, not computed now
    std::optional<DriftReport> report;
    std::optional<Error> error; // the batch could not be read or compared
};

struct DriftHistory
{
    QString referenceFile;
    QString referenceHash;
    DriftOptions options;
    QList<BatchDrift> batches;
    int computed = 0; // batches computed now (the rest came from the store)
};

// Compares each batch with the reference. `progress` counts batches (the reference first);
// false cancels. Reading the reference happens only when a batch needs computing.
Result<DriftHistory> computeDriftHistory(const Project &project, Database &db,
                                         const ProjectDrift &drift, const Progress &progress = {});

// The reference profile for reference-binned mode: from the store when one was made for the
// same content and settings, else built from `referenceFile` and stored.
Result<ReferenceProfile> referenceProfile(Database &db, const QString &referenceFile,
                                          const QString &referenceHash, const DriftOptions &options,
                                          const Progress &progress = {});

// The parameters the Retrain button launches the retrain entry point with for `batchFile`:
// the `drift.retrain.parameters` of cairn.yaml with {current} and {reference} replaced by the
// files' paths relative to the project root.
Result<ParamValues> retrainParameters(const Project &project, const QString &batchFile,
                                      const QString &referenceFile);

} // namespace cairn::drift
