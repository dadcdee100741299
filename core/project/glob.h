#pragma once

#include <QString>
#include <QStringList>

namespace cairn {

// True when `pattern` contains a wildcard (*, ?, [ or **).
bool isGlobPattern(QStringView pattern);

// Files under `root` matching `pattern` (relative, '/'-separated; `*`, `?`, `[abc]` within one
// path segment, `**` for any number of folders). A pattern without wildcards matches the file
// if it exists; a pattern that names a folder matches every file below it (DVC tracks folders
// this way). Hidden entries match only segments that start with '.', and neither `**` nor a
// folder walks into hidden folders (.git, .cairn, .dvc). Returns absolute paths in natural
// order (batch-2 before batch-10).
QStringList expandGlob(const QString &root, const QString &pattern);

// Natural ordering of strings: digit runs compare as numbers.
bool naturalLess(QStringView a, QStringView b);

} // namespace cairn
