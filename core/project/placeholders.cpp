#include "placeholders.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace cairn {

std::expected<QList<Placeholder>, PlaceholderError> findPlaceholders(const QString &command)
{
    static const QRegularExpression identifier(u"^[A-Za-z_][A-Za-z0-9_\\-]*$"_s);
    QList<Placeholder> out;
    for (qsizetype i = 0; i < command.size(); ++i) {
        const QChar c = command[i];
        if (c == u'}') {
            if (i + 1 < command.size() && command[i + 1] == u'}') {
                ++i;
                continue;
            }
            return std::unexpected(PlaceholderError{
                u"a single '}' with no matching '{' (write '}}' for a literal brace)"_s, i});
        }
        if (c != u'{')
            continue;
        if (i + 1 < command.size() && command[i + 1] == u'{') {
            ++i;
            continue;
        }
        const qsizetype close = command.indexOf(u'}', i + 1);
        if (close < 0)
            return std::unexpected(
                PlaceholderError{u"'{' is never closed (write '{{' for a literal brace)"_s, i});
        const QString name = command.mid(i + 1, close - i - 1).trimmed();
        if (!identifier.match(name).hasMatch())
            return std::unexpected(PlaceholderError{
                u"\"{%1}\" is not a parameter placeholder; use {name} with a declared parameter"_s
                    .arg(command.mid(i + 1, close - i - 1)),
                i});
        out.append(Placeholder{name, i, close - i + 1});
        i = close;
    }
    return out;
}

} // namespace cairn
