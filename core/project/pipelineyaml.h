#pragma once

// Reader for `pipelines:` in cairn.yaml (docs/project-file.md, "Pipelines"). Called after the
// entry points, datasets and models are read, so every step's reference is checked; every
// problem is reported through the YamlFile with its line and column.

#include "project.h"
#include "yamlsupport.h"

namespace cairn {

// Reads a `parameters:` mapping of declarations (as entry points have) into `out`. `owner`
// names its holder in messages: `entry point "train"`, `pipeline "retrain"`. In cairnyaml.cpp.
void readParameterDeclarations(YamlFile &y, const YAML::Node &node, const QString &owner,
                               QList<Parameter> &out);

// Reads `node` (the value of `pipelines:`) into `project.pipelines`.
void readPipelines(YamlFile &y, const YAML::Node &node, Project &project);

} // namespace cairn
