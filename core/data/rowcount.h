#pragma once

#include "common/error.h"

#include <functional>

namespace cairn {

// Progress callback for long jobs: (done, total) -> false cancels.
using Progress = std::function<bool(qint64 done, qint64 total)>;

// Counts the data rows of a delimited text file (CSV/TSV): records after the header, where a
// newline inside a quoted field does not end a record (RFC 4180). JSON Lines files count one
// record per non-empty line. Streams the file in blocks; cancellable through `progress`.
Result<qint64> countRecords(const QString &path, const Progress &progress = {});

} // namespace cairn
