#pragma once

// Reader for a dataset's `checks:` block in cairn.yaml (docs/project-file.md, "Data
// validation"). Every problem is reported through the YamlFile with its line and column.

#include "project.h"
#include "yamlsupport.h"

namespace cairn {

// Reads `node` (the value of `checks:`) of the dataset `datasetName`; nullopt after an error.
std::optional<DatasetChecks> readDatasetChecks(YamlFile &y, const YAML::Node &node,
                                               const QString &datasetName);

} // namespace cairn
