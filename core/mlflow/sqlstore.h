#pragma once

// MLflow's SQL store in a SQLite file (`mlflow.db`, the `sqlite:///…` backend store), read
// without MLflow into the same structures as the file store (filestore.h). Schema and alembic
// history: ../shared/research/mlflow.md §2. Every schema vintage is read by looking at which
// tables and columns exist (older files lack latest_metrics, the registry, logged models,
// metrics.step and is_nan, runs.deleted_time, experiments.creation_time, …), never by revision.
//
// What differs from the file store:
// - `root` is the database file; every `dir` stays empty.
// - The file is opened read-only (`file:…?mode=ro`) and never written, and read in one read
//   transaction. One query per table; the metrics table is read on connections and threads of
//   its own (two, each half of its rowids, when it is large) while the caller's thread reads the
//   other tables.
// - A metric's points are in (step, timestamp) order, ties in table order. `is_nan = 1` is NaN
//   whatever the value column says, ±1.7976931348623157e308 (how MLflow stores ±inf) is ±inf,
//   and a NULL value (SQLite's NaN) is NaN. `latest` is computed from every row by MLflow's
//   rule, the maximum by (step, timestamp, value), with NaN ranking as 0 as MLflow stores it;
//   the latest_metrics table is not read.
// - runs.status is text ("FINISHED", …); an unknown one is a warning and RUNNING.
// - A run's sourceName and sourceType fall back to the old runs.source_name/source_type columns
//   when the tag is missing.
// - Logged models are ordered by experiment (the experiments' order), then id; registered models
//   by name, their versions by number.

#include "mlflow/filestore.h"

namespace cairn {

// Reads the MLflow database at `dbPath`. Fails when the file is missing, is not SQLite, is not
// an MLflow database (no alembic_version, experiments or runs table), cannot be read, or when
// `progress` (rows read, rows to read) cancels. Rows naming no run or model are warnings.
Result<MlflowStore> readMlflowSqlStore(const QString &dbPath, const Progress &progress = {});

} // namespace cairn
