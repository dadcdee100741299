#pragma once

// Reader for a model's `gate:` in cairn.yaml (docs/project-file.md, "Model gates"). Every
// condition is parsed here, so a syntax error is a load error with its line and column.

#include "project.h"
#include "yamlsupport.h"

namespace cairn {

// Reads `node` (the value of `gate:`) of the model `modelName`: a list of conditions, or a
// mapping with `metrics:` and `data_checks:`. nullopt after an error.
std::optional<ModelGate> readModelGate(YamlFile &y, const YAML::Node &node,
                                       const QString &modelName);

} // namespace cairn
