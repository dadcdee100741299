#pragma once

// MLflow runs in Cairn: a store (an `mlruns` folder or an `mlflow.db`) imported into a project's
// database, where runs, charts, compare, diffs and gates treat them like runs Cairn launched;
// and the same import kept in a mirror project, which is how Cairn opens a store as a read-only
// project without writing into it. docs/mlflow.md describes what maps to what.

#include "common/error.h"
#include "data/rowcount.h"
#include "filestore.h"

#include <QString>

#include <memory>
#include <optional>

namespace cairn {

class Database;

enum class MlflowStoreKind
{
    Files,  // an mlruns folder
    Sqlite, // an mlflow.db file
};

struct MlflowStoreLocation
{
    MlflowStoreKind kind = MlflowStoreKind::Files;
    QString path; // absolute, canonical: the mlruns folder or the database file
};

// What `path` names: an mlruns folder (experiment folders with meta.yaml, or `.trash`, or
// `models/`), an MLflow SQLite file, or a folder holding `mlruns/` or `mlflow.db` (the folder
// MLflow was run in). Nothing when it is none of these.
std::optional<MlflowStoreLocation> findMlflowStore(const QString &path);

// Whether a project path given by the user opens as a store's mirror: it names a store and is
// not a project (a folder with a project file or Cairn's `.cairn` is one, whatever else it
// holds; its MLflow runs can be imported into it).
bool opensAsMlflowStore(const QString &path);

// Whether importing into the project at `projectRoot` would write into the store (the project
// folder is the mlruns folder or inside it): refused, a store is never written.
bool isInsideMlflowStore(const QString &projectRoot, const MlflowStoreLocation &store);

// Reads either kind of store.
Result<MlflowStore> readMlflowStore(const MlflowStoreLocation &store,
                                    const Progress &progress = {});

struct MlflowImportOptions
{
    bool includeDeleted = false; // MLflow's own lists leave deleted runs out; so does Cairn
    bool prune = false;          // remove runs imported from this store that it no longer has
    // Only the newest N runs (by start time) of the store, 0: all. Pruning waits for a whole
    // import.
    int newest = 0;
    // New runs take as id their rank among the store's runs by start time (1 for the oldest), so
    // that ids follow time whichever part of the store is imported first: for an empty mirror.
    bool rankIds = false;
    // Into an empty database, drop the secondary indexes and build them at the end (several times
    // faster): only where a crash in between is mended by making the database again (a mirror).
    bool bulk = false;
};

struct MlflowImportSummary
{
    int added = 0;
    int updated = 0;   // changed in MLflow since the last import: replaced under the same id
    int unchanged = 0; // imported before and still the same: left alone
    int skipped = 0;   // deleted in MLflow (without includeDeleted)
    int removed = 0;   // prune: no longer in the store
    int experiments = 0;
    qint64 metricPoints = 0; // written by this import
};

// Imports the runs of `store` into the project database `db`, keyed by MLflow's run id:
// importing again adds nothing, and a run that changed in MLflow since (status, end time, name,
// params, tags, any metric's points) is replaced in place, keeping its Cairn id. Whole runs are
// written in transactions of a few hundred, so a cancel keeps the runs imported so far.
// Mapping: docs/mlflow.md.
Result<MlflowImportSummary> importMlflowRuns(Database &db, const MlflowStore &store,
                                             const MlflowImportOptions &options = {},
                                             const Progress &progress = {});

// A store opened as a read-only project: Cairn's database of it lives in a mirror project
// folder under $XDG_CACHE_HOME/cairn/mlflow/, never in the store. syncMlflowMirror reads the
// store and brings the mirror up to date (prune on: a run deleted in MLflow leaves the mirror).
struct MlflowMirror
{
    QString root; // the mirror project folder, what every project function takes
    MlflowStoreLocation store;
    MlflowImportSummary summary;
    int registeredModels = 0;
    int loggedModels = 0;
    Errors warnings; // the store's malformed files and lines
};

QString mlflowMirrorRoot(const MlflowStoreLocation &store);

// A sync in two parts, so a large store's first opening shows its newest runs while the rest
// is imported: beginMlflowMirrorSync reads the store and, for a mirror made now, imports only its
// `newestFirst` newest runs (0: all); finishMlflowMirrorSync imports the rest (and the registry).
// The mirror's lock (`.cairn/sync.lock`) is held from begin to finish, so another process
// syncing the same store waits; a mirror left half made (the program stopped between the parts)
// is made again at the next sync.
struct MlflowMirrorSync
{
    MlflowMirror mirror; // summary: what the first part did
    std::shared_ptr<const MlflowStore> store;
    std::shared_ptr<void> lock;
    bool fresh = false; // the mirror was empty: its ids are the runs' ranks by start time
    int remaining = 0;  // runs the second part imports; 0: the mirror is up to date
};
Result<MlflowMirrorSync> beginMlflowMirrorSync(const QString &path, const Progress &progress = {},
                                               int newestFirst = 0);
// Does nothing when nothing remains. Returns the mirror with what the second part did.
Result<MlflowMirror> finishMlflowMirrorSync(MlflowMirrorSync &sync, const Progress &progress = {});

// The store's model registry as Cairn's (the mirror's registry tables are replaced): each
// registered model and version that is not deleted, with the imported run it came from and that
// run's latest metrics; stages Production and Staging become the aliases production and staging
// (the newest version in the stage, as MLflow's latest-versions lists it), Archived becomes
// archived, and MLflow's aliases stay aliases (lower-cased). Returns the versions written.
Result<int> mirrorMlflowRegistry(Database &db, const MlflowStore &store);
Result<MlflowMirror> syncMlflowMirror(const QString &path, const Progress &progress = {});

// The store a mirror project folder stands for (its `.cairn/mirror.json`), if it is one.
std::optional<MlflowStoreLocation> mirroredMlflowStore(const QString &projectRoot);

} // namespace cairn
