#pragma once

// What Cairn knows of one content of a declared file, computed on demand and kept in the
// project database by content hash (`content_descriptions`), so it is computed once per
// content: for a table its rows, columns and schema with types; for a safetensors model its
// tensors, parameters and dtypes; for any other file its format and size.

#include "common/error.h"
#include "project/project.h"
#include "store/database.h"
#include "vcs/revision.h"
#include "versioning/versions.h"

#include <QJsonObject>

namespace cairn {

// Describes the bytes of `version` (`kind`: "dataset" or "model"; `path` names the format).
// JSON: {"format": "csv"|"tsv"|"jsonl"|"safetensors"|"other", "size": N, and for tables
// "rows", "columns", "schema": [{"name", "type", "missing", and "min", "max", "mean" for
// numbers, "true" for booleans, "distinct" for strings}], for safetensors "tensors",
// "parameters", "dtypes": {"F32": count, ...}}.
Result<QJsonObject> describeContent(const FileVersion &version, const QString &kind);

// The description of `v`, from the database when it was computed before, else computed from
// its bytes (object store, working file or git: PATH@xxh128:HASH) and stored.
Result<QJsonObject> describeVersion(const Project &project, Database &db, const DataVersion &v);

// One line for the versions text: "1,000 rows × 12 columns (a int, b float, …)" or
// "safetensors: 8 tensors, 1,234,567 parameters (F32)".
QString descriptionText(const QJsonObject &description);

} // namespace cairn
