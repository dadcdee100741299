#pragma once

#include <QList>
#include <QString>

#include <expected>

namespace cairn {

// A problem a user can act on: what failed, where, and what to do about it.
// Lines and columns are 1-based; 0 means "not known".
struct Error
{
    QString message; // what is wrong, one sentence, no trailing period needed
    QString file;    // the file the problem is in, if any
    int line = 0;    // 1-based line, 0 when unknown
    int column = 0;  // 1-based column, 0 when unknown
    QString hint;    // what the user can do about it, optional

    Error() = default;
    explicit Error(QString msg)
        : message(std::move(msg))
    {}
    Error(QString msg, QString inFile, int atLine = 0, int atColumn = 0, QString fix = {})
        : message(std::move(msg))
        , file(std::move(inFile))
        , line(atLine)
        , column(atColumn)
        , hint(std::move(fix))
    {}

    Error &withHint(QString fix)
    {
        hint = std::move(fix);
        return *this;
    }

    // "file:line:column: message. hint" — the form compilers use, so editors can jump to it.
    QString location() const;
    QString toString() const;

    bool operator==(const Error &) const = default;
};

using Errors = QList<Error>;

template<typename T>
using Result = std::expected<T, Error>;

// A Result<void> helper: `return ok();`
inline std::expected<void, Error> ok()
{
    return {};
}

inline std::unexpected<Error> fail(Error e)
{
    return std::unexpected<Error>(std::move(e));
}

inline std::unexpected<Error> fail(QString message)
{
    return std::unexpected<Error>(Error(std::move(message)));
}

} // namespace cairn
