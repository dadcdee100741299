#pragma once

#include "project/project.h"

#include <QByteArrayView>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <expected>
#include <optional>

namespace cairn {

// One reported value of a metric. A missing step means "the next step of this metric"; a
// missing timestamp means "when it was read".
struct MetricPoint
{
    QString name;
    double value = 0;
    std::optional<qint64> step;
    std::optional<qint64> timestampMs;
};

// Parses one JSON line of $CAIRN_METRICS_FILE:
//   {"name": "loss", "value": 0.31, "step": 5, "timestamp": 1767000000000}
// or several metrics at once, W&B style:  {"loss": 0.31, "acc": 0.9, "step": 5}
// Values may be numbers, NaN, Infinity, -Infinity (bare, as Python's json writes them, or as
// strings). A timestamp below 1e11 is taken as seconds (time.time()), else milliseconds.
// The error says what is wrong, for the "line N of metrics.jsonl" message.
std::expected<QList<MetricPoint>, QString> parseMetricLine(QByteArrayView line);
// The same, appending to `out` (reuse it across lines: no allocation per line); on an error
// `out` is left as it was and `error` says why.
bool parseMetricLine(QByteArrayView line, QList<MetricPoint> &out, QString *error);

// Turns output lines into metrics: `cairn:metric {json}` lines always, and the entry point's
// patterns (regular expressions with `value`, and `name` or a fixed name, and optionally `step`).
class OutputMetricMatcher
{
public:
    explicit OutputMetricMatcher(const QList<MetricPattern> &patterns = {});

    // Appends the metrics found in `line` (one line, without its end) to `out`.
    void match(QStringView line, QList<MetricPoint> &out) const;
    bool hasPatterns() const { return !m_patterns.isEmpty(); }

private:
    struct Compiled
    {
        QRegularExpression re;
        QString fixedName;
        bool hasName = false;
        bool hasStep = false;
    };
    QList<Compiled> m_patterns;
};

// Parses a number as scripts print it: decimal, exponent, nan, inf, infinity (any case, signed).
std::optional<double> parseMetricNumber(QByteArrayView text);

} // namespace cairn
