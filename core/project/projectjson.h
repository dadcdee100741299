#pragma once

#include "project.h"

#include <QJsonObject>

namespace cairn {

// The project's declarations as JSON (what `cairn-cli project show --json` prints). Dataset and
// model entries list the files their patterns match now.
QJsonObject projectToJson(const Project &project);

// The same, as indented text for people.
QString projectToText(const Project &project);

} // namespace cairn
