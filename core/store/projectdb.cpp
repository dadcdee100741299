#include "projectdb.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

namespace cairn {

QString projectDatabasePath(const QString &projectRoot)
{
    return QDir(projectRoot).filePath(u".cairn/cairn.db"_s);
}

// Each step is applied once, in order, inside one transaction, and recorded in
// PRAGMA user_version. Never edit a released step: add a new one.
const QList<Migration> &projectMigrations()
{
    static const QList<Migration> steps = {
        {1, R"sql(
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    entry_point   TEXT NOT NULL,
    command       TEXT NOT NULL,
    working_dir   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN
                      ('queued', 'running', 'finished', 'failed', 'cancelled', 'lost')),
    created_ms    INTEGER NOT NULL,
    started_ms    INTEGER,
    ended_ms      INTEGER,
    exit_code     INTEGER,
    exit_signal   INTEGER,
    error         TEXT,
    pid           INTEGER,
    supervisor_pid INTEGER,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_created ON runs (created_ms);

CREATE TABLE params (
    run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE tags (
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
)sql"},
        {2, R"sql(
-- Code version, supervision and reproduction.
ALTER TABLE runs ADD COLUMN git_commit TEXT;
ALTER TABLE runs ADD COLUMN git_branch TEXT;
ALTER TABLE runs ADD COLUMN git_dirty INTEGER;
ALTER TABLE runs ADD COLUMN git_remote TEXT;
ALTER TABLE runs ADD COLUMN supervisor_start INTEGER;
ALTER TABLE runs ADD COLUMN metrics_offset INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN reproduces INTEGER REFERENCES runs (id) ON DELETE SET NULL;
CREATE INDEX runs_entry_point ON runs (entry_point);
CREATE INDEX params_key_value ON params (key, value);

-- Metrics. Values arrive by the million, so they are stored in blocks: one row holds up to a few
-- thousand consecutive values of one metric of one run, packed little-endian as
-- (int64 step, int64 timestamp_ms, float64 value) per point, in arrival order. NaN and
-- infinities are kept as such. A row per value would cost a B-tree insert per value and cap
-- ingestion far below what a training loop can log.
CREATE TABLE metric_keys (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);
CREATE TABLE metric_blocks (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key_id    INTEGER NOT NULL REFERENCES metric_keys (id),
    seq       INTEGER NOT NULL,   -- arrival order of the block's first value within the run
    count     INTEGER NOT NULL,
    min_step  INTEGER NOT NULL,
    max_step  INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (run_id, key_id, seq)
) WITHOUT ROWID;
-- The last value of each metric of each run, with its range: what tables, filters and sorting
-- read, so they never scan the points.
CREATE TABLE latest_metrics (
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key_id  INTEGER NOT NULL REFERENCES metric_keys (id),
    step    INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    value   REAL,
    min     REAL,
    max     REAL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (run_id, key_id)
) WITHOUT ROWID;
CREATE INDEX latest_metrics_key_value ON latest_metrics (key_id, value);

-- Lineage: the declared datasets and models as they were before and after each run.
CREATE TABLE artifacts (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    phase     TEXT NOT NULL CHECK (phase IN ('before', 'after')),
    kind      TEXT NOT NULL CHECK (kind IN ('dataset', 'model')),
    name      TEXT NOT NULL,      -- the dataset or model name in the project file
    path      TEXT NOT NULL,      -- relative to the project root
    size      INTEGER NOT NULL,
    mtime_ms  INTEGER NOT NULL,
    hash      TEXT NOT NULL,      -- xxh128:<hex>
    used      INTEGER NOT NULL DEFAULT 0,  -- named by one of the run's parameters
    PRIMARY KEY (run_id, phase, path)
) WITHOUT ROWID;
CREATE INDEX artifacts_hash ON artifacts (hash);

-- Hashes of files whose size, mtime and inode have not changed are not computed again.
CREATE TABLE file_hashes (
    path      TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    mtime_ns  INTEGER NOT NULL,
    inode     INTEGER NOT NULL,
    hash      TEXT NOT NULL
) WITHOUT ROWID;
)sql"},
        {3, R"sql(
-- Drift. Reference profiles of the reference-binned mode are computed once per reference content
-- and per settings they depend on; each batch's report is kept with the content hashes of both
-- files and the settings, and computed again only when one of them changed.
CREATE TABLE drift_profiles (
    reference_hash TEXT NOT NULL,     -- xxh128:<hex> of the reference file
    settings       TEXT NOT NULL,     -- column kinds and ignored columns the bins depend on
    created_ms     INTEGER NOT NULL,
    profile        TEXT NOT NULL,     -- JSON (docs/file-formats.md)
    PRIMARY KEY (reference_hash, settings)
) WITHOUT ROWID;
CREATE TABLE drift_results (
    reference      TEXT NOT NULL,     -- relative to the project root
    batch          TEXT NOT NULL,     -- relative to the project root
    settings       TEXT NOT NULL,     -- tests, thresholds, binning, kinds, ignored columns
    reference_hash TEXT NOT NULL,
    batch_hash     TEXT NOT NULL,
    computed_ms    INTEGER NOT NULL,
    report         TEXT NOT NULL,     -- the JSON of `cairn-cli drift --json`, with notes
    PRIMARY KEY (reference, batch, settings)
) WITHOUT ROWID;
)sql"},
        {4, R"sql(
-- Versions registered on demand (`cairn-cli versions --register`): a declared dataset's or
-- model's content recorded with no run, as the lineage records do for a run.
CREATE TABLE registered_versions (
    path           TEXT NOT NULL,     -- relative to the project root
    hash           TEXT NOT NULL,     -- xxh128:<hex>
    kind           TEXT NOT NULL CHECK (kind IN ('dataset', 'model')),
    name           TEXT NOT NULL,     -- the dataset or model name in the project file
    size           INTEGER NOT NULL,
    registered_ms  INTEGER NOT NULL,
    PRIMARY KEY (path, hash)
) WITHOUT ROWID;
-- What is known of a content, computed on demand (`cairn-cli versions NAME --describe`): for a
-- table its rows, columns and schema, for a model its format and tensors. Keyed by content, so
-- never stale.
CREATE TABLE content_descriptions (
    hash         TEXT PRIMARY KEY,    -- xxh128:<hex>
    computed_ms  INTEGER NOT NULL,
    description  TEXT NOT NULL        -- JSON (docs/file-formats.md)
) WITHOUT ROWID;
)sql"},
        {5, R"sql(
-- The model registry (core/registry): registered models, their versions and aliases, and every
-- alias change with the gate report it was decided on.
CREATE TABLE registered_models (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,   -- the model's name in the project file
    created_ms   INTEGER NOT NULL
);
CREATE TABLE model_versions (
    model_id     INTEGER NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,       -- 1, 2, ... per model
    created_ms   INTEGER NOT NULL,
    run_id       INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    files        TEXT NOT NULL,          -- JSON [{"path", "hash", "size"}]
    content_hash TEXT NOT NULL,          -- xxh128 over the files' paths and hashes: one version per content
    metrics      TEXT NOT NULL,          -- JSON {"val_auc": 0.81, "validate.auc": 0.79}
    datasets     TEXT NOT NULL,          -- JSON [{"name", "path", "hash"}]
    gate_report  TEXT NOT NULL,          -- JSON, as evaluated at registration
    gate_passed  INTEGER NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (model_id, version),
    UNIQUE (model_id, content_hash)
) WITHOUT ROWID;
-- One version per alias and model, except "archived", which any number of versions carry.
CREATE TABLE model_aliases (
    model_id     INTEGER NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
    alias        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    set_ms       INTEGER NOT NULL,
    PRIMARY KEY (model_id, alias, version)
) WITHOUT ROWID;
CREATE TABLE model_transitions (
    id           INTEGER PRIMARY KEY,
    model_id     INTEGER NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    alias        TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('register', 'set', 'remove')),
    previous_version INTEGER,            -- the version that held the alias before, if any
    ms           INTEGER NOT NULL,
    gate_passed  INTEGER,                -- NULL when no gate was needed (archive, remove)
    overridden   INTEGER NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    user         TEXT NOT NULL DEFAULT '',
    gate_report  TEXT                    -- JSON, as evaluated for this change
);
CREATE INDEX model_transitions_model ON model_transitions (model_id, id);

-- Pipelines (core/pipeline): one row per start of a pipeline, one per step.
CREATE TABLE pipeline_runs (
    id            INTEGER PRIMARY KEY,
    pipeline      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN
                      ('queued', 'running', 'finished', 'failed', 'cancelled', 'lost')),
    params        TEXT NOT NULL,         -- JSON {"data": "data/incoming/batch-06.csv"}
    created_ms    INTEGER NOT NULL,
    started_ms    INTEGER,
    ended_ms      INTEGER,
    error         TEXT NOT NULL DEFAULT '', -- why the chain stopped
    supervisor_pid   INTEGER,
    supervisor_start INTEGER
);
CREATE TABLE pipeline_steps (
    pipeline_run_id INTEGER NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,    -- 0-based, in the file's order
    name            TEXT NOT NULL,       -- "train", "gate churn-model"
    kind            TEXT NOT NULL,       -- run, validate, gate, register, promote
    status          TEXT NOT NULL CHECK (status IN
                        ('pending', 'running', 'finished', 'failed', 'cancelled', 'skipped')),
    run_id          INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    message         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (pipeline_run_id, position)
) WITHOUT ROWID;
)sql"},
        {6, R"sql(
-- One version per alias and model, except "archived" (the registry moves an alias in one
-- transaction; this makes a second holder impossible whatever writes). Older databases cannot
-- hold two, but keep only the newest holder should one ever have.
DELETE FROM model_aliases WHERE alias <> 'archived' AND EXISTS (
    SELECT 1 FROM model_aliases n WHERE n.model_id = model_aliases.model_id
        AND n.alias = model_aliases.alias
        AND (n.set_ms > model_aliases.set_ms
             OR (n.set_ms = model_aliases.set_ms AND n.version > model_aliases.version)));
CREATE UNIQUE INDEX model_aliases_one_holder ON model_aliases (model_id, alias)
    WHERE alias <> 'archived';
)sql"},
        {7, R"sql(
-- Runs imported from another tracker (core/mlflow/mlflowimport.cpp): where each came from, so
-- importing again adds nothing and a run changed there since is replaced in place. Cairn never
-- supervises them: the queries about live runs leave them out.
CREATE TABLE imported_runs (
    run_id          INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    source          TEXT NOT NULL,           -- 'mlflow'
    source_run_id   TEXT NOT NULL,           -- MLflow's run id
    store           TEXT NOT NULL,           -- the mlruns folder or mlflow.db it was read from
    experiment_id   TEXT NOT NULL DEFAULT '',
    experiment_name TEXT NOT NULL DEFAULT '',
    source_status   TEXT NOT NULL DEFAULT '', -- as MLflow says it: RUNNING, FINISHED, ...
    signature       TEXT NOT NULL,           -- of what was imported, to see a change
    imported_ms     INTEGER NOT NULL,
    UNIQUE (source, source_run_id)
);
)sql"},
    };
    return steps;
}

Result<std::unique_ptr<Database>> openProjectDatabase(const QString &projectRoot,
                                                      Database::Mode mode)
{
    const QString path = projectDatabasePath(projectRoot);
    if (mode == Database::Mode::ReadWrite) {
        // Keep Cairn's state out of the user's commits.
        const QString ignore = QDir(projectRoot).filePath(u".cairn/.gitignore"_s);
        QDir().mkpath(QDir(projectRoot).filePath(u".cairn"_s));
        if (!QFile::exists(ignore)) {
            QFile f(ignore);
            if (f.open(QIODevice::WriteOnly))
                f.write("# Cairn's run records, logs and caches: local state, not source.\n*\n");
        }
    }
    return Database::open(path, mode, projectMigrations());
}

} // namespace cairn
