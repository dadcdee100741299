#pragma once

#include "common/error.h"
#include "parameter.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <yaml-cpp/yaml.h>

#include <optional>

namespace cairn {

// Helpers for reading a YAML project file strictly and reporting every problem with the file,
// line and column it is at. yaml-cpp's exceptions stop at this boundary.
class YamlFile
{
public:
    explicit YamlFile(QString path)
        : m_path(std::move(path))
    {}

    const QString &path() const { return m_path; }

    // Parses `bytes` (must be UTF-8). On a syntax or encoding error records it and returns
    // nullopt.
    std::optional<YAML::Node> parse(const QByteArray &bytes);

    SourceLocation where(const YAML::Node &node) const;

    void error(const YAML::Node &at, QString message, QString hint = {});
    void error(SourceLocation at, QString message, QString hint = {});
    void warning(const YAML::Node &at, QString message, QString hint = {});

    // "a list", "a mapping", "text", "nothing" — for "must be X, not Y" messages.
    static QString describe(const YAML::Node &node);

    // Reports an error unless `node` is a mapping. `what` names it ("entry point \"train\"").
    bool expectMap(const YAML::Node &node, const QString &what);
    // The scalar text of `node`, or an error naming `what` when it is a list or mapping.
    std::optional<QString> expectScalar(const YAML::Node &node, const QString &what);
    // A scalar or a list of scalars, as a list.
    std::optional<QStringList> expectScalarOrList(const YAML::Node &node, const QString &what);

    // Reports keys of `map` that are not in `allowed` (with a "did you mean" suggestion) and
    // keys that appear twice. `context` names the mapping in messages.
    void checkKeys(const YAML::Node &map, const QStringList &allowed, const QString &context,
                   bool unknownIsError = true);
    // Reports keys that appear twice in `map`.
    void checkDuplicateKeys(const YAML::Node &map, const QString &context);

    const Errors &errors() const { return m_errors; }
    const Errors &warnings() const { return m_warnings; }
    Errors takeErrors() { return std::exchange(m_errors, {}); }
    Errors takeWarnings() { return std::exchange(m_warnings, {}); }

private:
    QString m_path;
    Errors m_errors;
    Errors m_warnings;
};

QString toQString(const std::string &s);

// The value of `key` in `map`, or an undefined node when `map` is not a mapping or lacks the
// key. Never assign to an existing YAML::Node variable: yaml-cpp's Node assignment writes into
// the document (and reset() throws on a missing key); initialise a new variable instead.
YAML::Node valueOf(const YAML::Node &map, const char *key);
// The key node of `key` in `map` (for pointing at the key rather than its value), or an
// undefined node.
YAML::Node keyOf(const YAML::Node &map, const char *key);

// The closest candidate within a small edit distance, or an empty string.
QString closestMatch(const QString &word, const QStringList &candidates);

} // namespace cairn
