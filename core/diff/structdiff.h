#pragma once

// Structural diff of two JSON or YAML documents (model sidecars such as MLflow's `MLmodel`, a
// `config.json`, `params.yaml`): each change is a path (`flavors.python_function.loader_module`,
// `signature.inputs[2]`, `extra["a.b"]`), a kind (added, removed, changed) and the old and new
// values as compact JSON (YAML scalars as written). Mappings are compared key by key (in sorted
// key order), sequences index by index; a value that changes type (a mapping becomes a scalar)
// is one change. A quoted YAML string holding a JSON array or object (MLflow's signature
// inputs and outputs) is compared as that structure.
//
// And, for any file, its size and hashes (xxh128 and sha256), so two versions of a format Cairn
// does not read can still be called the same or different.

#include "common/error.h"
#include "data/rowcount.h" // cairn::Progress

#include <QByteArray>
#include <QJsonArray>
#include <QList>
#include <QString>

namespace cairn::diff {

enum class StructFormat
{
    Json,
    Yaml,
};

struct StructChange
{
    QString path;     // "" for the document itself
    QString kind;     // "added", "removed", "changed"
    QString oldValue; // compact JSON; empty when added
    QString newValue; // empty when removed
};

// Parses both documents (errors name the file, line and column) and lists their differences.
// A YAML document with aliases expanding past 250 000 values, or nested
// deeper than 256 levels, is an Error, not an exhausted stack.
Result<QList<StructChange>> diffStructured(const QByteArray &a, const QString &nameA,
                                           const QByteArray &b, const QString &nameB,
                                           StructFormat format);

// [{"path", "kind", "old", "new"}], the values as JSON values (null on the side that lacks one).
QJsonArray structChangesJson(const QList<StructChange> &changes);
QString structChangesText(const QList<StructChange> &changes, int maxRows = 100);

struct FileDigest
{
    qint64 size = 0;
    QString xxh128; // "xxh128:<32 hex>"
    QString sha256; // "sha256:<64 hex>"; empty when not asked for
};

FileDigest digestBytes(QByteArrayView bytes, bool sha256 = true);
// Reads the file in blocks; progress in bytes, false cancels.
Result<FileDigest> digestFile(const QString &path, const Progress &progress = {},
                              bool sha256 = true);

} // namespace cairn::diff
