#pragma once

#include "common/error.h"
#include "runs/run.h"

#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QVariantList>

namespace cairn {

class Database;
class Statement;

// A WHERE fragment over the `runs` table, for `SELECT ... FROM runs WHERE <where> ORDER BY ...`.
// The table is referred to by its own name (`runs.id`), so the caller must not alias it.
// Every value the user typed — names of metrics and params included — is a `?` placeholder
// with its value in `values`, in text order; the SQL text holds only Cairn's own constants.
// A filter that matches every run has `where` == "1".
struct SqlFilter
{
    QString where = QStringLiteral("1");
    QVariantList values;

    bool matchesAll() const { return where.isEmpty() || where == u"1"; }
};

// Binds `filter.values` to `statement` from parameter `firstIndex` (1-based) on and returns the
// index after the last one. SQLite numbers plain `?` placeholders in text order, so
// `firstIndex` is one more than the number of `?` before the fragment in the caller's SQL
// (1 when the fragment holds the first ones). Do not mix the fragment with `?NNN` placeholders.
int bindFilter(Statement &statement, const SqlFilter &filter, int firstIndex = 1);

// The names a filter expression may use, so that names resolve without a round trip to the
// database and a typo gets a "did you mean". `now` is what "duration" of a running run is
// measured to; invalid means the time compileRunFilter() is called.
struct FilterContext
{
    QSet<QString> params;  // param keys
    QSet<QString> metrics; // metric names
    QDateTime now;
};

// The param keys and metric names of a project database (`metric_keys` and the distinct keys
// of `params`).
Result<FilterContext> loadFilterContext(Database &db);

// Compiles a filter expression such as `accuracy > 0.9 and lr < 0.01` (the grammar is at the
// top of runfilter.cpp). An empty expression matches every run. On a mistake the Error names it
// and its 1-based column ("at column 12: expected a value after '>'"), with `column` set and a
// hint; columns count UTF-16 code units. Never throws.
//
// Semantics worth knowing:
// - A metric compares its latest value (`min(x)`, `max(x)`, `count(x)` its range and number of
//   points). A param is text; it compares as a number when the other side is a number and the
//   param's value looks like one, else as text.
// - Every comparison is true or false, never "unknown": a run that lacks the metric or param
//   (or whose latest value is NaN, or whose field is empty, like the exit code of a queued run)
//   matches no comparison, including `!=` and `not in`. So `not (loss < 0.2)` does include the
//   runs without a loss, while `loss >= 0.2` and `loss != 0.1` do not.
// - `==` on text is exact and case-sensitive; `~` (contains) ignores the case of ASCII letters.
std::expected<SqlFilter, Error> compileRunFilter(const QString &expression,
                                                 const FilterContext &context);

// Free text from a search box: every whitespace-separated word must occur (ignoring ASCII case)
// in the run's name, entry point, command, note, git branch or one of its param values.
// Blank text matches every run.
SqlFilter textFilter(const QString &text);

// Runs whose status is one of `statuses`; an empty list matches every run (no status filter).
SqlFilter statusFilter(const QList<RunStatus> &statuses);

// All of `filters` (AND); filters that match every run are left out.
SqlFilter combine(const QList<SqlFilter> &filters);

// The built-in fields an expression can name, for completion and help.
QStringList runFilterFieldNames();

} // namespace cairn
