#pragma once

// MLflow's SQLite store (`mlflow.db`), read without MLflow. Placeholder until the reader lands.

#include "filestore.h"

namespace cairn {

Result<MlflowStore> readMlflowSqlStore(const QString &dbPath, const Progress &progress = {});

} // namespace cairn
