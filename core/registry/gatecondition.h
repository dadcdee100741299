#pragma once

// Gate conditions: the text of one line of a model's `gate:` in cairn.yaml, parsed.
//
//   condition := expr OP expr                  OP: >= > <= < == !=
//   expr      := term (('+' | '-') term)*
//   term      := unary (('*' | '/') unary)*
//   unary     := '-' unary | primary
//   primary   := NUMBER | '(' expr ')' | ('min' | 'max') '(' ref ')' | ref
//   NUMBER    := 12, 0.75, .5, 1e-3, 2.5E+2
//   ref       := segment ('.' segment)*
//   segment   := [A-Za-z_][A-Za-z0-9_]* | [0-9A-Za-z_]+ after a dot | `any text but a backquote`
//                the first segment may start with '@' (a free alias: `@champion.val_auc`)
//
// A reference names a metric, read at evaluation time (registry/gate.h):
//   NAME                   the gated run's latest value of NAME; min(NAME), max(NAME): its
//                          smallest and largest value over the steps
//   ENTRY.NAME             the latest value of the newest finished run of entry point ENTRY
//                          that used (a parameter named) the model content the gated run wrote
//   production.NAME, staging.NAME, @ALIAS.NAME, ALIAS.ENTRY.NAME
//                          the value kept in the metrics snapshot of the version that holds the
//                          alias now (registry/registry.h); no such version: not compared
// Metric names may contain dots: `a.b` is the metric "a.b" unless `a` is an alias keyword or a
// declared entry point. Backquote a name with other characters (`val/acc`, `val-acc`); a
// backquoted segment is always part of the metric name. min()/max() take the run's own or an
// entry point's metric, not an alias's (a snapshot keeps latest values only).

#include "common/error.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace cairn::registry {

// A metric reference as written, resolved against the project by resolveMetricRef().
struct MetricRef
{
    enum class Aggregate
    {
        Latest,
        Min,
        Max
    };
    Aggregate aggregate = Aggregate::Latest;
    QStringList segments;   // the dotted segments, backquotes removed
    QList<bool> backquoted; // per segment
    QString text;           // as written, min(...) included
};

struct GateExpr
{
    enum class Kind
    {
        Number,
        Metric,
        Negate,
        Binary
    };
    Kind kind = Kind::Number;
    double number = 0;
    QString text;  // Number: as written
    MetricRef ref; // Metric
    QChar op;      // Binary: + - * /
    bool parenthesized = false;
    std::shared_ptr<const GateExpr> left, right; // Negate: left only
};
using GateExprPtr = std::shared_ptr<const GateExpr>;

enum class CompareOp
{
    GreaterEqual,
    Greater,
    LessEqual,
    Less,
    Equal,
    NotEqual
};
QString compareOpText(CompareOp op); // ">=", ...
bool compare(double left, CompareOp op, double right);

struct ParsedCondition
{
    GateExprPtr left;
    CompareOp op = CompareOp::GreaterEqual;
    GateExprPtr right;
};

// Parses one condition. A syntax error's `column` is the 1-based position in `text` of the
// token at fault (or just past the end when something is missing); `line` and `file` are left
// for the caller.
Result<ParsedCondition> parseGateCondition(const QString &text);

// What a reference reads, once the project's entry points are known.
struct ResolvedRef
{
    enum class Scope
    {
        Run,   // the gated run
        Entry, // an entry point's run that used the model
        Alias  // a registered version's metrics snapshot
    };
    Scope scope = Scope::Run;
    QString alias;  // Alias: "production", "staging", "champion"
    QString entry;  // Entry; Alias when the name goes through an entry point
    QString metric; // the metric's name in that run (Alias: the snapshot key, "validate.auc")
    MetricRef::Aggregate aggregate = MetricRef::Aggregate::Latest;
};
ResolvedRef resolveMetricRef(const MetricRef &ref, const QStringList &entryPoints);

} // namespace cairn::registry
