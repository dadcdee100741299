#include "sqlstore.h"

using namespace Qt::StringLiterals;

namespace cairn {

Result<MlflowStore> readMlflowSqlStore(const QString &dbPath, const Progress &)
{
    return fail(Error(u"MLflow SQLite stores cannot be read yet"_s, dbPath));
}

} // namespace cairn
