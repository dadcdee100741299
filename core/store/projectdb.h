#pragma once

#include "database.h"

namespace cairn {

// The per-project database, <project>/.cairn/cairn.db, and its schema history.
QString projectDatabasePath(const QString &projectRoot);
const QList<Migration> &projectMigrations();
Result<std::unique_ptr<Database>>
openProjectDatabase(const QString &projectRoot, Database::Mode mode = Database::Mode::ReadWrite);

} // namespace cairn
