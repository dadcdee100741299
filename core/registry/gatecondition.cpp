// The gate condition parser: a small recursive descent over one line (grammar in
// gatecondition.h and docs/project-file.md, "Model gates").

#include "gatecondition.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::registry {

QString compareOpText(CompareOp op)
{
    switch (op) {
    case CompareOp::GreaterEqual:
        return u">="_s;
    case CompareOp::Greater:
        return u">"_s;
    case CompareOp::LessEqual:
        return u"<="_s;
    case CompareOp::Less:
        return u"<"_s;
    case CompareOp::Equal:
        return u"=="_s;
    case CompareOp::NotEqual:
        return u"!="_s;
    }
    return {};
}

bool compare(double left, CompareOp op, double right)
{
    switch (op) {
    case CompareOp::GreaterEqual:
        return left >= right;
    case CompareOp::Greater:
        return left > right;
    case CompareOp::LessEqual:
        return left <= right;
    case CompareOp::Less:
        return left < right;
    case CompareOp::Equal:
        return left == right;
    case CompareOp::NotEqual:
        return left != right;
    }
    return false;
}

namespace {

bool isAliasKeyword(const QString &segment)
{
    return segment == u"production" || segment == u"staging";
}

bool isNameStart(QChar c)
{
    return c.isLetter() || c == u'_';
}

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

class Parser
{
public:
    explicit Parser(const QString &text)
        : s(text)
    {}

    Result<ParsedCondition> parse()
    {
        skipSpace();
        if (pos >= s.size())
            return failAt(0, u"the gate condition is empty"_s,
                          u"Write a comparison such as `val_accuracy >= 0.75`"_s);
        ParsedCondition c;
        auto left = expr();
        if (!left)
            return std::unexpected(left.error());
        c.left = *left;
        skipSpace();
        const qsizetype opAt = pos;
        const auto op = compareOp();
        if (!op) {
            if (pos >= s.size())
                return failAt(pos, u"gate condition \"%1\" has no comparison"_s.arg(s),
                              u"Compare with >=, >, <=, <, == or !=, as in `val_auc >= 0.8`"_s);
            return unexpected();
        }
        lastOp = compareOpText(*op);
        c.op = *op;
        auto right = expr();
        if (!right)
            return std::unexpected(right.error());
        c.right = *right;
        skipSpace();
        if (pos < s.size()) {
            const qsizetype again = pos;
            if (compareOp())
                return failAt(again,
                              u"gate condition \"%1\" compares twice (\"%2\" at column %3 and "
                              "\"%4\" at column %5)"_s.arg(
                                  s, compareOpText(c.op), QString::number(opAt + 1),
                                  s.mid(again, pos - again).trimmed(), QString::number(again + 1)),
                              u"Write one comparison per condition; list several conditions "
                              "to require them all"_s);
            return unexpected();
        }
        return c;
    }

private:
    const QString &s;
    qsizetype pos = 0;
    QString lastOp; // the last operator read, for "missing after" messages

    std::unexpected<Error> failAt(qsizetype at, QString message, QString hint = {})
    {
        Error e(std::move(message));
        e.column = int(at) + 1;
        e.hint = std::move(hint);
        return std::unexpected(std::move(e));
    }

    std::unexpected<Error> unexpected()
    {
        if (s.at(pos) == u'=' && (pos + 1 >= s.size() || s.at(pos + 1) != u'='))
            return failAt(pos, u"\"=\" in gate condition \"%1\" is not a comparison"_s.arg(s),
                          u"Write \"==\" to compare for equality, or >=, <="_s);
        return failAt(pos, u"unexpected \"%1\" in gate condition \"%2\""_s.arg(s.at(pos), s),
                      u"Backquote metric names with other characters than letters, digits, "
                      "'_' and '.': `val/acc` >= 0.8"_s);
    }

    void skipSpace()
    {
        while (pos < s.size() && s.at(pos).isSpace())
            ++pos;
    }

    bool peek(QStringView token) const { return QStringView(s).mid(pos).startsWith(token); }

    std::optional<CompareOp> compareOp()
    {
        static const std::pair<QStringView, CompareOp> ops[] = {
            {u">=", CompareOp::GreaterEqual}, {u"<=", CompareOp::LessEqual},
            {u"==", CompareOp::Equal},        {u"!=", CompareOp::NotEqual},
            {u">", CompareOp::Greater},       {u"<", CompareOp::Less},
        };
        for (const auto &[text, op] : ops) {
            if (peek(text)) {
                pos += text.size();
                return op;
            }
        }
        return std::nullopt;
    }

    std::unexpected<Error> missing()
    {
        if (lastOp.isEmpty())
            return failAt(pos, u"gate condition \"%1\" is incomplete: a value or metric is "
                               "missing"_s.arg(s));
        return failAt(pos, u"gate condition \"%1\" is incomplete: a value or metric is missing "
                           "after \"%2\""_s.arg(s, lastOp));
    }

    // Sums of terms, and terms of unaries: each a left-associative chain of one precedence.
    Result<GateExprPtr> expr() { return chain(u'+', u'-', &Parser::term); }
    Result<GateExprPtr> term() { return chain(u'*', u'/', &Parser::unary); }

    Result<GateExprPtr> chain(QChar op1, QChar op2, Result<GateExprPtr> (Parser::*operand)())
    {
        auto left = (this->*operand)();
        if (!left)
            return left;
        GateExprPtr e = *left;
        for (;;) {
            skipSpace();
            if (pos >= s.size() || (s.at(pos) != op1 && s.at(pos) != op2))
                return e;
            const QChar op = s.at(pos++);
            lastOp = QString(op);
            auto right = (this->*operand)();
            if (!right)
                return right;
            auto b = std::make_shared<GateExpr>();
            b->kind = GateExpr::Kind::Binary;
            b->op = op;
            b->left = e;
            b->right = *right;
            e = b;
        }
    }

    Result<GateExprPtr> unary()
    {
        skipSpace();
        if (pos < s.size() && s.at(pos) == u'-') {
            ++pos;
            lastOp = u"-"_s;
            auto inner = unary();
            if (!inner)
                return inner;
            auto n = std::make_shared<GateExpr>();
            n->kind = GateExpr::Kind::Negate;
            n->left = *inner;
            return GateExprPtr(n);
        }
        return primary();
    }

    Result<GateExprPtr> primary()
    {
        skipSpace();
        if (pos >= s.size())
            return missing();
        const QChar c = s.at(pos);
        if (c.isDigit() || (c == u'.' && pos + 1 < s.size() && s.at(pos + 1).isDigit()))
            return number();
        if (c == u'(') {
            const qsizetype open = pos++;
            lastOp = u"("_s;
            auto inner = expr();
            if (!inner)
                return inner;
            skipSpace();
            if (pos >= s.size() || s.at(pos) != u')')
                return failAt(pos < s.size() ? pos : open,
                              u"the \"(\" at column %1 of gate condition \"%2\" is not "
                              "closed"_s.arg(QString::number(open + 1), s));
            ++pos;
            auto copy = std::make_shared<GateExpr>(**inner);
            copy->parenthesized = true;
            return GateExprPtr(copy);
        }
        if (isNameStart(c) || c == u'@' || c == u'`')
            return reference();
        if (c == u')' || compareOpAhead() || c == u'+' || c == u'*' || c == u'/')
            return lastOp.isEmpty()
                       ? failAt(pos, u"gate condition \"%1\" starts with \"%2\": a value or "
                                     "metric is missing before it"_s.arg(s, QString(c)))
                       : failAt(pos, u"gate condition \"%1\": a value or metric is missing "
                                     "after \"%2\", found \"%3\""_s.arg(s, lastOp, QString(c)));
        return unexpected();
    }

    bool compareOpAhead() const { return peek(u">") || peek(u"<") || peek(u"==") || peek(u"!="); }

    Result<GateExprPtr> number()
    {
        const qsizetype start = pos;
        while (pos < s.size() && s.at(pos).isDigit())
            ++pos;
        if (pos < s.size() && s.at(pos) == u'.') {
            ++pos;
            while (pos < s.size() && s.at(pos).isDigit())
                ++pos;
        }
        if (pos < s.size() && (s.at(pos) == u'e' || s.at(pos) == u'E')) {
            ++pos;
            if (pos < s.size() && (s.at(pos) == u'+' || s.at(pos) == u'-'))
                ++pos;
            const qsizetype digits = pos;
            while (pos < s.size() && s.at(pos).isDigit())
                ++pos;
            if (pos == digits)
                return failAt(start,
                              u"\"%1\" in gate condition \"%2\" is not a number"_s.arg(
                                  s.mid(start, pos - start), s),
                              u"Write an exponent with digits: 1e-3"_s);
        }
        if (pos < s.size() && (isNameChar(s.at(pos)) || s.at(pos) == u'.'))
            return failAt(start,
                          u"\"%1\" in gate condition \"%2\" is not a number"_s.arg(
                              s.mid(start, pos - start + 1), s),
                          u"A metric name starts with a letter or '_'; backquote any other: "
                          "`1st_loss`"_s);
        bool ok = false;
        const double v = s.mid(start, pos - start).toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return failAt(start, u"\"%1\" in gate condition \"%2\" is not a number"_s.arg(
                                     s.mid(start, pos - start), s));
        auto n = std::make_shared<GateExpr>();
        n->kind = GateExpr::Kind::Number;
        n->number = v;
        n->text = s.mid(start, pos - start);
        return GateExprPtr(n);
    }

    // One segment at `pos`; `first`: '@' may start it.
    Result<QString> segment(bool first, bool *quoted)
    {
        *quoted = false;
        if (pos < s.size() && s.at(pos) == u'`') {
            const qsizetype open = pos++;
            const qsizetype close = s.indexOf(u'`', pos);
            if (close < 0)
                return failAt(open, u"the backquote at column %1 of gate condition \"%2\" is "
                                    "not closed"_s.arg(QString::number(open + 1), s));
            if (close == pos)
                return failAt(open, u"empty backquotes in gate condition \"%1\""_s.arg(s));
            *quoted = true;
            const QString name = s.mid(pos, close - pos);
            pos = close + 1;
            return name;
        }
        const qsizetype start = pos;
        if (first && pos < s.size() && s.at(pos) == u'@')
            ++pos;
        if (pos >= s.size() || !(first ? isNameStart(s.at(pos)) : isNameChar(s.at(pos)))) {
            if (pos >= s.size())
                return failAt(pos,
                              u"gate condition \"%1\" is incomplete: a metric name is "
                              "missing after \"%2\""_s.arg(s, s.mid(start > 0 ? start - 1 : 0, 1)));
            return failAt(pos,
                          u"\"%1\" in gate condition \"%2\" is not part of a metric "
                          "name"_s.arg(s.at(pos), s),
                          u"Backquote metric names with other characters: `val/acc`"_s);
        }
        while (pos < s.size() && isNameChar(s.at(pos)))
            ++pos;
        return s.mid(start, pos - start);
    }

    Result<MetricRef> ref()
    {
        const qsizetype start = pos;
        MetricRef r;
        bool first = true;
        for (;;) {
            bool quoted = false;
            auto seg = segment(first, &quoted);
            if (!seg)
                return std::unexpected(seg.error());
            r.segments.append(*seg);
            r.backquoted.append(quoted);
            first = false;
            if (pos < s.size() && s.at(pos) == u'.') {
                ++pos;
                continue;
            }
            break;
        }
        r.text = s.mid(start, pos - start);
        if (r.segments.size() == 1 && !r.backquoted.first() &&
            (r.segments.first().startsWith(u'@') || isAliasKeyword(r.segments.first())))
            return failAt(
                start,
                u"\"%1\" in gate condition \"%2\" names an alias but no metric"_s.arg(r.text, s),
                u"Name the alias's metric: %1.val_auc"_s.arg(r.text));
        return r;
    }

    Result<GateExprPtr> reference()
    {
        const qsizetype start = pos;
        if (s.at(pos) != u'`') {
            const auto word = [&] {
                qsizetype end = pos;
                while (end < s.size() && isNameChar(s.at(end)))
                    ++end;
                return s.mid(pos, end - pos);
            }();
            qsizetype after = pos + word.size();
            while (after < s.size() && s.at(after).isSpace())
                ++after;
            if ((word == u"min" || word == u"max") && after < s.size() && s.at(after) == u'(') {
                pos = after + 1;
                skipSpace();
                if (pos >= s.size() ||
                    !(isNameStart(s.at(pos)) || s.at(pos) == u'`' || s.at(pos) == u'@'))
                    return failAt(
                        pos, u"%1() in gate condition \"%2\" takes one metric name"_s.arg(word, s),
                        u"Write %1(val_loss)"_s.arg(word));
                auto r = ref();
                if (!r)
                    return std::unexpected(r.error());
                const bool alias =
                    !r->backquoted.first() &&
                    (r->segments.first().startsWith(u'@') || isAliasKeyword(r->segments.first()));
                if (alias)
                    return failAt(start,
                                  u"%1() of an alias's metric in gate condition \"%2\": a "
                                  "registered version keeps latest values only"_s.arg(word, s),
                                  u"Compare with the alias's latest value: %1"_s.arg(r->text));
                skipSpace();
                if (pos >= s.size() || s.at(pos) != u')')
                    return failAt(pos < s.size() ? pos : start,
                                  u"%1( in gate condition \"%2\" is not closed"_s.arg(word, s),
                                  u"%1() takes one metric name: %1(val_loss)"_s.arg(word));
                ++pos;
                r->aggregate =
                    word == u"min" ? MetricRef::Aggregate::Min : MetricRef::Aggregate::Max;
                r->text = s.mid(start, pos - start);
                auto e = std::make_shared<GateExpr>();
                e->kind = GateExpr::Kind::Metric;
                e->ref = *r;
                return GateExprPtr(e);
            }
        }
        auto r = ref();
        if (!r)
            return std::unexpected(r.error());
        auto e = std::make_shared<GateExpr>();
        e->kind = GateExpr::Kind::Metric;
        e->ref = *r;
        return GateExprPtr(e);
    }
};

} // namespace

Result<ParsedCondition> parseGateCondition(const QString &text)
{
    return Parser(text).parse();
}

ResolvedRef resolveMetricRef(const MetricRef &ref, const QStringList &entryPoints)
{
    ResolvedRef r;
    r.aggregate = ref.aggregate;
    const QStringList &seg = ref.segments;
    qsizetype rest = 0;
    const auto plain = [&](qsizetype i) { return i < seg.size() && !ref.backquoted.value(i); };
    if (seg.size() > 1 && plain(0) &&
        (seg.first().startsWith(u'@') || isAliasKeyword(seg.first()))) {
        r.scope = ResolvedRef::Scope::Alias;
        r.alias = seg.first().startsWith(u'@') ? seg.first().mid(1) : seg.first();
        rest = 1;
        if (seg.size() - rest > 1 && plain(rest) && entryPoints.contains(seg.at(rest)))
            r.entry = seg.at(rest);
        r.metric = seg.mid(rest).join(u'.');
        return r;
    }
    if (seg.size() > 1 && plain(0) && entryPoints.contains(seg.first())) {
        r.scope = ResolvedRef::Scope::Entry;
        r.entry = seg.first();
        r.metric = seg.mid(1).join(u'.');
        return r;
    }
    r.metric = seg.join(u'.');
    return r;
}

} // namespace cairn::registry
