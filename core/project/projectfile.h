#pragma once

#include "project.h"

#include <QByteArray>

#include <expected>

namespace cairn {

// The current version of the cairn.yaml schema.
inline constexpr int CairnYamlVersion = 1;

// Parsers for the three kinds of project file. Each takes the file's path (for messages), its
// bytes and the project root, and returns the declarations or every error found, each with
// the file, line and column.
std::expected<Project, Errors> parseCairnYaml(const QString &filePath, const QByteArray &bytes,
                                              const QString &rootDir);
std::expected<Project, Errors> parseMLproject(const QString &filePath, const QByteArray &bytes,
                                              const QString &rootDir);
// `paramsYaml` is the content of params.yaml (may be empty), used for ${...} templating.
std::expected<Project, Errors> parseDvcYaml(const QString &filePath, const QByteArray &bytes,
                                            const QString &rootDir, const QByteArray &paramsYaml);

// Which file in `rootDir` declares the project: cairn.yaml, else MLproject (any letter case),
// else dvc.yaml. Empty when there is none.
QString findProjectFile(const QString &rootDir, ProjectFormat *format = nullptr);

// Loads the project in `dir`. A folder without a project file is a valid, empty project.
// Never runs anything from the folder.
std::expected<Project, Errors> loadProject(const QString &dir);

// The text `cairn-cli init` writes: a commented cairn.yaml for a project called `name`.
QString cairnYamlTemplate(const QString &name);

} // namespace cairn
