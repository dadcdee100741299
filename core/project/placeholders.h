#pragma once

#include <QList>
#include <QString>

#include <expected>

namespace cairn {

// A `{name}` placeholder in a command template. `{{` and `}}` stand for literal braces, as in
// Python's str.format, which MLflow uses for MLproject commands.
struct Placeholder
{
    QString name;
    qsizetype offset = 0; // position of the '{' in the template
    qsizetype length = 0; // including the braces
};

struct PlaceholderError
{
    QString message;
    qsizetype offset = 0;
};

std::expected<QList<Placeholder>, PlaceholderError> findPlaceholders(const QString &command);

// Replaces every placeholder by `valueOf(name)` and unescapes doubled braces. The template must
// have passed findPlaceholders.
template<typename F>
QString substitutePlaceholders(const QString &command, const QList<Placeholder> &placeholders,
                               F valueOf)
{
    QString out;
    qsizetype pos = 0;
    auto appendLiteral = [&](qsizetype from, qsizetype to) {
        for (qsizetype i = from; i < to; ++i) {
            out += command[i];
            if ((command[i] == u'{' || command[i] == u'}') && i + 1 < to &&
                command[i + 1] == command[i])
                ++i;
        }
    };
    for (const Placeholder &p : placeholders) {
        appendLiteral(pos, p.offset);
        out += valueOf(p.name);
        pos = p.offset + p.length;
    }
    appendLiteral(pos, command.size());
    return out;
}

} // namespace cairn
