#include "runfilter.h"

#include "project/yamlsupport.h"
#include "store/database.h"

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

// The filter language (also in the user guide):
//
//   filter     = [ or ] ;
//   or         = and { ( "or" | "||" ) and } ;
//   and        = unary { ( "and" | "&&" ) unary } ;
//   unary      = ( "not" | "!" ) unary | "(" or ")" | predicate ;
//   predicate  = "has" "(" name ")"
//              | operand compare operand
//              | operand [ "not" ] "in" "(" value { "," value } ")"
//              | operand [ "not" ] ( "~" | "contains" ) value ;
//   compare    = "<" | "<=" | ">" | ">=" | "==" | "=" | "!=" | "<>" ;
//   operand    = ( "min" | "max" | "count" ) "(" name ")" | name | value ;
//   name       = word | "`" any "`" | ( "params." | "metrics." | "run." ) ( word | "`" any "`" ) ;
//   value      = [ "-" | "+" ] number | "'" text "'" | '"' text '"' | word ;
//
// Keywords ignore case. A word starts with a letter or "_" and goes on with letters, digits
// and "_ . - / :". A bare word on the left is a name: a known metric, else a known param, else
// a field (id, name, status, entry_point or entry, exit_code, duration, started, git_commit,
// git_branch, note); on the right it is a name only when it is a known metric or param,
// otherwise text. Values in lists and after "~" are always values.

namespace cairn {

namespace {

constexpr int maxDepth = 64;         // nested parentheses and nots
constexpr int maxComparisons = 256;  // keeps the SQL within SQLite's expression depth
constexpr int maxListValues = 1000;  // keeps the bound values within SQLite's limit
constexpr qsizetype maxText = 10000; // LIKE patterns must stay under SQLite's 50,000 bytes

// A param's text that reads as a number: it starts like one and holds only digits, signs, dots
// and exponents (CAST alone turns "adam" into 0). Text like "1.2.3" passes and compares as its
// numeric prefix; the stricter GLOB patterns cost twice as much over 100,000 params.
constexpr QStringView numericParam =
    u"((p.value GLOB '[0-9]*' OR p.value GLOB '[.+-][0-9]*' OR p.value GLOB '[+-].[0-9]*') "
    u"AND ltrim(p.value, '0123456789eE.+-') = '')";

QString syntaxHint()
{
    return u"A filter looks like: accuracy > 0.9 and status == finished"_s;
}

QString namesHint()
{
    return u"Use a metric, a param or one of the fields "_s + runFilterFieldNames().join(u", ") +
           u"; write names with other characters in backquotes, like `val/acc`"_s;
}

QString quoted(const QString &s)
{
    return u'"' + s + u'"';
}

Error errorAt(int column, const QString &what, const QString &hint = syntaxHint())
{
    Error e(u"at column "_s + QString::number(column) + u": "_s + what);
    e.column = column;
    e.hint = hint;
    return e;
}

QString didYouMean(const QString &word, const QStringList &candidates)
{
    const QString guess = closestMatch(word, candidates);
    return guess.isEmpty() ? QString() : u" (did you mean "_s + quoted(guess) + u"?)"_s;
}

// ---- Fields ----

enum class FieldType
{
    Integer,
    Text,
    Status,
    Duration, // seconds
    Time      // ms since the epoch, compared with dates
};

struct FieldDef
{
    QStringView name;
    QStringView sql;
    FieldType type;
    bool nullable;
};

constexpr FieldDef fields[] = {
    {u"id", u"runs.id", FieldType::Integer, false},
    {u"name", u"runs.name", FieldType::Text, false},
    {u"status", u"runs.status", FieldType::Status, false},
    {u"entry_point", u"runs.entry_point", FieldType::Text, false},
    {u"entry", u"runs.entry_point", FieldType::Text, false},
    {u"exit_code", u"runs.exit_code", FieldType::Integer, true},
    {u"duration", {}, FieldType::Duration, true},
    {u"started", u"runs.started_ms", FieldType::Time, true},
    {u"git_commit", u"runs.git_commit", FieldType::Text, true},
    {u"git_branch", u"runs.git_branch", FieldType::Text, true},
    {u"note", u"runs.note", FieldType::Text, false},
};

const FieldDef *findField(const QString &name)
{
    for (const FieldDef &f : fields) {
        if (f.name.compare(name, Qt::CaseInsensitive) == 0)
            return &f;
    }
    return nullptr;
}

bool isNumeric(const FieldDef &f)
{
    return f.type == FieldType::Integer || f.type == FieldType::Duration ||
           f.type == FieldType::Time;
}

// ---- SQL text and its values, built side by side so the placeholders stay in order ----

struct Sql
{
    QString text;
    QVariantList values;

    Sql &operator<<(QStringView s)
    {
        text += s;
        return *this;
    }
    Sql &operator<<(QChar c)
    {
        text += c;
        return *this;
    }
    Sql &operator<<(const Sql &other)
    {
        text += other.text;
        values += other.values;
        return *this;
    }
    Sql &bind(QVariant value)
    {
        text += u'?';
        values.append(std::move(value));
        return *this;
    }
    Sql &bindList(const QVariantList &list)
    {
        *this << u"(";
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i > 0)
                *this << u", ";
            bind(list[i]);
        }
        return *this << u")";
    }
};

Sql join(const QList<Sql> &parts, QStringView op)
{
    if (parts.size() == 1)
        return parts.first();
    Sql out;
    out << u"(";
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (i > 0)
            out << op;
        out << parts[i];
    }
    return out << u")";
}

QVariant numberValue(double v)
{
    // Whole numbers bind as integers, so `id = ?` compares exactly.
    if (std::abs(v) < 9007199254740992.0 && v == std::trunc(v))
        return QVariant::fromValue(qint64(v));
    return v;
}

QString likePattern(QStringView text)
{
    QString out = u"%"_s;
    for (const QChar c : text) {
        if (c == u'\\' || c == u'%' || c == u'_')
            out += u'\\';
        out += c;
    }
    return out + u'%';
}

constexpr QStringView likeEscape = u" ESCAPE '\\'";

Sql metricKey(const QString &name)
{
    Sql s;
    s << u"(SELECT k.id FROM metric_keys k WHERE k.name = ";
    s.bind(name);
    return s << u")";
}

// ---- Dates and durations ----

struct Interval
{
    qint64 from; // inclusive
    qint64 to;   // exclusive
};

// "2024-05-31" is that whole (local) day; "2024-05-31 14:00" that minute, and so on.
std::optional<Interval> parseTime(QString text)
{
    text = text.trimmed();
    const QDate day = QDate::fromString(text, Qt::ISODate);
    if (day.isValid() && text.size() == 10)
        return Interval{day.startOfDay().toMSecsSinceEpoch(),
                        day.addDays(1).startOfDay().toMSecsSinceEpoch()};
    if (text.size() > 10 && text[10] == u' ')
        text[10] = u'T';
    const QDateTime at = QDateTime::fromString(text, Qt::ISODate);
    if (!at.isValid())
        return std::nullopt;
    const QString time = text.mid(11);
    qint64 length = 60000;
    if (time.contains(u'.'))
        length = 1;
    else if (time.count(u':') >= 2)
        length = 1000;
    return Interval{at.toMSecsSinceEpoch(), at.toMSecsSinceEpoch() + length};
}

// Seconds: "90", "90s", "1.5h", "1h30m", "250ms", "2d".
std::optional<double> parseDuration(const QString &text)
{
    bool isNumber = false;
    const double plain = text.toDouble(&isNumber);
    if (isNumber && std::isfinite(plain))
        return plain;
    auto digit = [&](qsizetype k) { return k < text.size() && text[k] >= u'0' && text[k] <= u'9'; };
    double seconds = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        qsizetype j = i;
        while (digit(j))
            ++j;
        if (j < text.size() && text[j] == u'.' && digit(j + 1)) {
            ++j;
            while (digit(j))
                ++j;
        }
        qsizetype k = j;
        while (k < text.size() && text[k].isLetter())
            ++k;
        const QString unit = text.mid(j, k - j).toLower();
        const double scale = unit == u"ms"  ? 0.001
                             : unit == u"s" ? 1
                             : unit == u"m" ? 60
                             : unit == u"h" ? 3600
                             : unit == u"d" ? 86400
                                            : 0;
        if (j == i || scale == 0)
            return std::nullopt;
        seconds += text.mid(i, j - i).toDouble() * scale;
        i = k;
    }
    return i > 0 ? std::optional(seconds) : std::nullopt;
}

// ---- Tokens ----

enum class Tok
{
    End,
    Word,
    Name, // `backquoted`
    Number,
    String,
    LParen,
    RParen,
    Comma,
    Sign,
    Compare,
    Tilde,
    And,
    Or,
    Not,
    In,
    Contains
};

struct Token
{
    Tok kind = Tok::End;
    QString text;   // the word or name, the number as written, the string's value, the operator
    QString prefix; // "params", "metrics" or "run" for params.`a name`
    QString raw;    // as written, for messages
    int column = 0; // 1-based
};

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isWordStart(QChar c)
{
    return c.isLetter() || c == u'_';
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'.' || c == u'-' || c == u'/' || c == u':';
}

Tok keywordOf(const QString &word)
{
    static constexpr std::pair<QStringView, Tok> keywords[] = {
        {u"and", Tok::And},           {u"or", Tok::Or}, {u"not", Tok::Not}, {u"in", Tok::In},
        {u"contains", Tok::Contains},
    };
    for (const auto &[k, t] : keywords) {
        if (k.compare(word, Qt::CaseInsensitive) == 0)
            return t;
    }
    return Tok::Word;
}

// "params", "metrics" or "run" when `word` is one of them followed by a dot, else empty.
QString prefixOf(const QString &word)
{
    const qsizetype dot = word.indexOf(u'.');
    if (dot <= 0)
        return {};
    const QString p = word.left(dot).toLower();
    return p == u"params" || p == u"metrics" || p == u"run" ? p : QString();
}

QString describeChar(QChar c)
{
    if (c.isPrint())
        return u'\'' + QString(c) + u'\'';
    return u"U+"_s + QString::number(c.unicode(), 16).toUpper().rightJustified(4, u'0');
}

Result<QList<Token>> tokenize(const QString &s)
{
    QList<Token> out;
    const qsizetype n = s.size();
    auto push = [&](Tok kind, qsizetype from, qsizetype to, QString text, QString prefix = {}) {
        out.append(
            Token{kind, std::move(text), std::move(prefix), s.mid(from, to - from), int(from + 1)});
    };
    // A `name`, with `` for a backquote inside; returns the end or -1 when it is not closed.
    auto scanName = [&](qsizetype open, QString &name) -> qsizetype {
        for (qsizetype k = open + 1; k < n; ++k) {
            if (s[k] == u'`') {
                if (k + 1 < n && s[k + 1] == u'`') {
                    name += u'`';
                    ++k;
                    continue;
                }
                return k + 1;
            }
            name += s[k];
        }
        return -1;
    };
    auto nameError = [](qsizetype open, qsizetype end,
                        const QString &name) -> std::optional<Error> {
        if (end < 0)
            return errorAt(int(open + 1), u"the name opened with ` is not closed"_s,
                           u"Close it with another `"_s);
        if (name.isEmpty())
            return errorAt(int(open + 1), u"empty name ``"_s);
        return std::nullopt;
    };
    auto digits = [&](qsizetype k) {
        while (k < n && isAsciiDigit(s[k]))
            ++k;
        return k;
    };

    qsizetype i = 0;
    while (i < n) {
        const QChar c = s[i];
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (isAsciiDigit(c) || (c == u'.' && i + 1 < n && isAsciiDigit(s[i + 1]))) {
            qsizetype j = digits(i);
            if (j < n && s[j] == u'.')
                j = digits(j + 1);
            if (j < n && (s[j] == u'e' || s[j] == u'E')) {
                qsizetype k = j + 1;
                if (k < n && (s[k] == u'+' || s[k] == u'-'))
                    ++k;
                if (k < n && isAsciiDigit(s[k]))
                    j = digits(k);
            }
            // 2024-05-31, 5m, 1.2.3: words that start with digits.
            const bool word = j < n && isWordChar(s[j]);
            while (j < n && isWordChar(s[j]))
                ++j;
            push(word ? Tok::Word : Tok::Number, i, j, s.mid(i, j - i));
            i = j;
            continue;
        }
        if (isWordStart(c)) {
            qsizetype j = i;
            while (j < n && isWordChar(s[j]))
                ++j;
            const QString word = s.mid(i, j - i);
            const QString prefix = prefixOf(word);
            if (j < n && s[j] == u'`' && !prefix.isEmpty() && word.size() == prefix.size() + 1) {
                QString name;
                const qsizetype end = scanName(j, name);
                if (auto e = nameError(j, end, name))
                    return fail(*e);
                push(Tok::Name, i, end, name, prefix);
                i = end;
                continue;
            }
            push(keywordOf(word), i, j, word);
            i = j;
            continue;
        }
        if (c == u'`') {
            QString name;
            const qsizetype end = scanName(i, name);
            if (auto e = nameError(i, end, name))
                return fail(*e);
            push(Tok::Name, i, end, name);
            i = end;
            continue;
        }
        if (c == u'\'' || c == u'"') {
            QString value;
            qsizetype k = i + 1;
            bool closed = false;
            while (k < n) {
                if (s[k] == u'\\' && k + 1 < n) {
                    value += s[k + 1];
                    k += 2;
                } else if (s[k] == c) {
                    closed = true;
                    ++k;
                    break;
                } else {
                    value += s[k++];
                }
            }
            if (!closed)
                return fail(errorAt(int(i + 1),
                                    u"the text opened with "_s + c + u" is not closed"_s,
                                    u"Close it with another "_s + c));
            push(Tok::String, i, k, value);
            i = k;
            continue;
        }
        static constexpr std::pair<QStringView, Tok> operators[] = {
            {u"<=", Tok::Compare}, {u">=", Tok::Compare}, {u"<>", Tok::Compare},
            {u"==", Tok::Compare}, {u"!=", Tok::Compare}, {u"&&", Tok::And},
            {u"||", Tok::Or},      {u"<", Tok::Compare},  {u">", Tok::Compare},
            {u"=", Tok::Compare},  {u"~", Tok::Tilde},    {u"!", Tok::Not},
            {u"(", Tok::LParen},   {u")", Tok::RParen},   {u",", Tok::Comma},
            {u"-", Tok::Sign},     {u"+", Tok::Sign},
        };
        const QStringView rest = QStringView(s).sliced(i);
        bool matched = false;
        for (const auto &[op, kind] : operators) {
            if (rest.startsWith(op)) {
                push(kind, i, i + op.size(), op.toString());
                i += op.size();
                matched = true;
                break;
            }
        }
        if (matched)
            continue;
        if (c == u'&' || c == u'|')
            return fail(errorAt(int(i + 1), u"unexpected "_s + describeChar(c),
                                u"Write && or and, || or or"_s));
        return fail(errorAt(int(i + 1), u"unexpected character "_s + describeChar(c),
                            u"Put text in quotes and names with other characters in backquotes"_s));
    }
    out.append(Token{Tok::End, {}, {}, {}, int(n + 1)});
    return out;
}

// ---- Parsing and compiling ----

enum class Side
{
    Left,  // a bare word is a name
    Right, // a bare word is a name if it is a known metric or param, else text
    Value  // a bare word is text; names are refused
};

enum class Role
{
    Compare,
    Metric, // the argument of min(), max() and count()
    Has
};

struct Operand
{
    enum class Kind
    {
        Number,
        Text,
        Metric,
        Param,
        Field,
        MetricOrParam // has() of a name that is both
    };
    Kind kind = Kind::Text;
    int column = 0;
    QString text;                        // a literal (numbers as written) or a metric/param name
    double number = 0;                   // for Number
    QStringView metricColumn = u"value"; // latest_metrics column: value, min, max or count
    const FieldDef *field = nullptr;
    QString shown; // as written, for messages

    bool isName() const { return kind != Kind::Number && kind != Kind::Text; }
};

class Compiler
{
public:
    Compiler(QList<Token> tokens, const FilterContext &ctx)
        : m_tokens(std::move(tokens))
        , m_ctx(ctx)
        , m_nowMs(ctx.now.isValid() ? ctx.now.toMSecsSinceEpoch()
                                    : QDateTime::currentMSecsSinceEpoch())
        , m_metrics(ctx.metrics.values())
        , m_params(ctx.params.values())
    {
        m_metrics.sort();
        m_params.sort();
    }

    Result<Sql> compile()
    {
        if (peek().kind == Tok::End)
            return Sql{u"1"_s, {}};
        auto sql = parseOr(0);
        if (!sql)
            return sql;
        if (peek().kind == Tok::RParen)
            return fail(errorAt(peek().column, u"')' without a matching '('"_s));
        if (peek().kind != Tok::End)
            return fail(
                errorAt(peek().column, u"expected 'and' or 'or' before "_s + quoted(peek().raw)));
        return sql;
    }

private:
    const Token &peek(qsizetype ahead = 0) const
    {
        return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)];
    }
    const Token &take()
    {
        const Token &t = peek();
        if (m_pos < m_tokens.size() - 1)
            ++m_pos;
        return t;
    }
    // "expected <what> after '<previous token>'", pointing at the token found instead.
    Error expected(const QString &what, const QString &after = {}) const
    {
        QString msg = u"expected "_s + what;
        QString prev = after;
        if (prev.isEmpty() && m_pos > 0)
            prev = u'\'' + m_tokens[m_pos - 1].raw + u'\'';
        if (!prev.isEmpty())
            msg += u" after "_s + prev;
        if (peek().kind != Tok::End)
            msg += u", not '"_s + peek().raw + u'\'';
        return errorAt(peek().column, msg);
    }

    Result<Sql> parseOr(int depth)
    {
        QList<Sql> parts;
        for (;;) {
            auto part = parseAnd(depth);
            if (!part)
                return part;
            parts.append(*part);
            if (peek().kind != Tok::Or)
                return join(parts, u" OR ");
            take();
        }
    }

    Result<Sql> parseAnd(int depth)
    {
        QList<Sql> parts;
        for (;;) {
            auto part = parseUnary(depth);
            if (!part)
                return part;
            parts.append(*part);
            if (peek().kind != Tok::And)
                return join(parts, u" AND ");
            take();
        }
    }

    Result<Sql> parseUnary(int depth)
    {
        if (depth > maxDepth)
            return fail(errorAt(peek().column, u"the filter nests too deeply (more than %1 "
                                               "parentheses or nots)"_s.arg(maxDepth)));
        if (peek().kind == Tok::Not) {
            take();
            auto inner = parseUnary(depth + 1);
            if (!inner)
                return inner;
            Sql s;
            return s << u"NOT (" << *inner << u")";
        }
        if (peek().kind == Tok::LParen) {
            const int open = take().column;
            auto inner = parseOr(depth + 1);
            if (!inner)
                return inner;
            if (peek().kind != Tok::RParen)
                return fail(expected(u"')' to close the '(' at column "_s + QString::number(open)));
            take();
            return inner;
        }
        return parsePredicate();
    }

    Result<Sql> parsePredicate()
    {
        if (++m_comparisons > maxComparisons)
            return fail(errorAt(peek().column,
                                u"the filter has more than %1 comparisons"_s.arg(maxComparisons)));
        if (peek().kind == Tok::Word && peek(1).kind == Tok::LParen &&
            peek().text.compare(u"has", Qt::CaseInsensitive) == 0)
            return parseHas();
        auto lhs = parseOperand(Side::Left);
        if (!lhs)
            return fail(lhs.error());
        bool negated = false;
        if (peek().kind == Tok::Not && (peek(1).kind == Tok::In || peek(1).kind == Tok::Contains ||
                                        peek(1).kind == Tok::Tilde)) {
            take();
            negated = true;
        }
        const Token &op = peek();
        switch (op.kind) {
        case Tok::Compare: {
            take();
            auto rhs = parseOperand(Side::Right);
            if (!rhs)
                return fail(rhs.error());
            return compare(*lhs, op, *rhs);
        }
        case Tok::Tilde:
        case Tok::Contains: {
            take();
            auto rhs = parseOperand(Side::Value);
            if (!rhs)
                return fail(rhs.error());
            return contains(*lhs, negated, op, *rhs);
        }
        case Tok::In:
            take();
            return parseList(*lhs, negated, op);
        default:
            return fail(
                expected(u"an operator (==, !=, <, <=, >, >=, ~, in)"_s, quoted(lhs->shown)));
        }
    }

    Result<Operand> literalNumber(const Token &t, bool negative, int column)
    {
        bool ok = false;
        double v = t.text.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return fail(errorAt(t.column, u"the number "_s + t.raw + u" is out of range"_s));
        Operand o;
        o.kind = Operand::Kind::Number;
        o.column = column;
        o.number = negative ? -v : v;
        o.text = negative ? u'-' + t.text : t.text;
        o.shown = o.text;
        return o;
    }

    Result<Operand> parseOperand(Side side)
    {
        const Token &t = peek();
        switch (t.kind) {
        case Tok::Number:
            take();
            return literalNumber(t, false, t.column);
        case Tok::Sign: {
            take();
            if (peek().kind != Tok::Number)
                return fail(expected(u"a number"_s));
            return literalNumber(take(), t.text == u"-", t.column);
        }
        case Tok::String: {
            take();
            Operand o;
            o.column = t.column;
            o.text = t.text;
            o.shown = t.raw;
            return o;
        }
        case Tok::Name:
            if (side == Side::Value)
                return fail(errorAt(t.column, u"expected a value, not the name "_s + t.raw,
                                    u"Put text in quotes: 'like this'"_s));
            take();
            return resolveName(t, Role::Compare);
        case Tok::Word: {
            static constexpr QStringView aggregates[] = {u"min", u"max", u"count"};
            const bool aggregate =
                std::any_of(std::begin(aggregates), std::end(aggregates), [&](QStringView a) {
                    return a.compare(t.text, Qt::CaseInsensitive) == 0;
                });
            if (side != Side::Value && aggregate && peek(1).kind == Tok::LParen)
                return parseAggregate();
            take();
            if (side == Side::Left || (side == Side::Right && isKnownName(t.text)))
                return resolveName(t, Role::Compare);
            Operand o;
            o.column = t.column;
            o.text = t.text;
            o.shown = t.raw;
            return o;
        }
        default:
            return fail(
                expected(side == Side::Left ? u"a metric, param or field name"_s : u"a value"_s));
        }
    }

    // A known metric or param, bare or after params. / metrics.
    bool isKnownName(const QString &word) const
    {
        if (m_ctx.metrics.contains(word) || m_ctx.params.contains(word))
            return true;
        const QString prefix = prefixOf(word);
        const QString rest = word.mid(prefix.size() + 1);
        return (prefix == u"metrics" && m_ctx.metrics.contains(rest)) ||
               (prefix == u"params" && m_ctx.params.contains(rest));
    }

    Result<Operand> parseAggregate()
    {
        const Token &fn = take();
        take(); // (
        if (peek().kind != Tok::Word && peek().kind != Tok::Name)
            return fail(expected(u"a metric name"_s));
        auto m = resolveName(take(), Role::Metric);
        if (!m)
            return m;
        if (peek().kind != Tok::RParen)
            return fail(expected(u"')'"_s));
        take();
        const QString f = fn.text.toLower();
        m->metricColumn = f == u"min" ? u"min" : f == u"max" ? u"max" : u"count";
        m->shown = f + u'(' + m->shown + u')';
        m->column = fn.column;
        return m;
    }

    Result<Sql> parseHas()
    {
        take(); // has
        take(); // (
        if (peek().kind != Tok::Word && peek().kind != Tok::Name)
            return fail(expected(u"a metric or param name"_s));
        auto o = resolveName(take(), Role::Has);
        if (!o)
            return fail(o.error());
        if (peek().kind != Tok::RParen)
            return fail(expected(u"')'"_s));
        take();
        auto hasMetric = [&] {
            Sql s;
            return s << u"runs.id IN (SELECT l.run_id FROM latest_metrics l WHERE l.key_id = "
                     << metricKey(o->text) << u")";
        };
        auto hasParam = [&] {
            Sql s;
            s << u"runs.id IN (SELECT p.run_id FROM params p WHERE p.key = ";
            return s.bind(o->text) << u")";
        };
        switch (o->kind) {
        case Operand::Kind::Metric:
            return hasMetric();
        case Operand::Kind::Param:
            return hasParam();
        case Operand::Kind::MetricOrParam:
            return join({hasMetric(), hasParam()}, u" OR ");
        default:
            break;
        }
        // A field "is there" when it is not empty: has(note), has(git_commit), has(exit_code).
        const FieldDef &f = *o->field;
        Sql s;
        if (f.type == FieldType::Text || f.type == FieldType::Status)
            return s << u"COALESCE(" << f.sql << u", '') <> ''";
        if (!f.nullable)
            return s << u"1";
        return s << u"(" << fieldExpr(f) << u") IS NOT NULL";
    }

    Result<Operand> resolveName(const Token &t, Role role)
    {
        Operand o;
        o.column = t.column;
        o.shown = t.raw;
        QString prefix = t.prefix;
        QString name = t.text;
        // A whole word that is a known name wins over a prefix: params like "model.depth".
        if (t.kind == Tok::Word && !m_ctx.metrics.contains(name) && !m_ctx.params.contains(name)) {
            prefix = prefixOf(name);
            if (!prefix.isEmpty())
                name = name.mid(prefix.size() + 1);
        }
        if (name.isEmpty())
            return fail(errorAt(t.column, u"expected a name after "_s + quoted(t.raw)));
        o.text = name;
        const bool metric = m_ctx.metrics.contains(name);
        const bool param = m_ctx.params.contains(name);
        const FieldDef *field = findField(name);
        if (prefix == u"metrics") {
            if (!metric)
                return fail(
                    errorAt(t.column,
                            u"no run has a metric "_s + quoted(name) + didYouMean(name, m_metrics),
                            namesHint()));
            o.kind = Operand::Kind::Metric;
        } else if (prefix == u"params") {
            if (!param)
                return fail(errorAt(
                    t.column, u"no run has a param "_s + quoted(name) + didYouMean(name, m_params),
                    namesHint()));
            o.kind = Operand::Kind::Param;
        } else if (prefix == u"run") {
            if (!field)
                return fail(errorAt(t.column,
                                    u"unknown field "_s + quoted(name) +
                                        didYouMean(name, runFilterFieldNames()),
                                    namesHint()));
            o.kind = Operand::Kind::Field;
        } else if (role == Role::Has && metric && param) {
            o.kind = Operand::Kind::MetricOrParam;
        } else if (metric) {
            o.kind = Operand::Kind::Metric;
        } else if (param) {
            o.kind = Operand::Kind::Param;
        } else if (field) {
            o.kind = Operand::Kind::Field;
        } else {
            const QStringList all =
                role == Role::Metric ? m_metrics : m_metrics + m_params + runFilterFieldNames();
            return fail(errorAt(t.column, u"unknown name "_s + quoted(name) + didYouMean(name, all),
                                namesHint()));
        }
        if (o.kind == Operand::Kind::Field)
            o.field = field;
        if (role == Role::Metric && o.kind != Operand::Kind::Metric)
            return fail(
                errorAt(t.column,
                        u"min(), max() and count() take a metric, and "_s + quoted(name) +
                            (o.kind == Operand::Kind::Param ? u" is a param"_s : u" is a field"_s),
                        namesHint()));
        return o;
    }

    static QString sqlOperator(const QString &op)
    {
        if (op == u"==" || op == u"=")
            return u"="_s;
        if (op == u"!=" || op == u"<>")
            return u"<>"_s;
        return op;
    }

    static QString mirrored(const QString &op)
    {
        if (op.startsWith(u'<') && op != u"<>")
            return u'>' + op.mid(1);
        if (op.startsWith(u'>'))
            return u'<' + op.mid(1);
        return op;
    }

    // The SQL of a field; duration measures running runs to `now`.
    Sql fieldExpr(const FieldDef &f) const
    {
        Sql s;
        if (f.type != FieldType::Duration)
            return s << f.sql;
        s << u"(CASE WHEN runs.started_ms IS NULL THEN NULL WHEN runs.ended_ms IS NOT NULL "
             u"THEN (runs.ended_ms - runs.started_ms) / 1000.0 WHEN runs.status = 'running' "
             u"THEN (";
        s.bind(QVariant::fromValue(m_nowMs));
        return s << u" - runs.started_ms) / 1000.0 END)";
    }

    // A nullable field compares false, not NULL, when it is empty.
    static Sql wrap(const FieldDef &f, const Sql &cmp)
    {
        Sql s;
        return s << (f.nullable ? u"COALESCE(" : u"(") << cmp << (f.nullable ? u", 0)" : u")");
    }

    Result<double> asNumber(const Operand &name, const Operand &value) const
    {
        if (value.kind == Operand::Kind::Number)
            return value.number;
        bool ok = false;
        const double v = value.text.trimmed().toDouble(&ok);
        if (ok && std::isfinite(v))
            return v;
        const QString what = name.kind == Operand::Kind::Metric ? u"a metric"_s : u"a number"_s;
        return fail(errorAt(value.column,
                            quoted(name.shown) + u" is "_s + what + u", and "_s +
                                quoted(value.text) + u" is not a number"_s +
                                didYouMean(value.text, m_metrics + m_params),
                            u"Compare it with a number, like "_s + name.shown + u" > 0.5"_s));
    }

    // The value a field is compared with: a number, a status, seconds or text.
    Result<QVariant> fieldValue(const Operand &l, const QString &op, const Operand &r) const
    {
        const FieldDef &f = *l.field;
        switch (f.type) {
        case FieldType::Integer: {
            auto v = asNumber(l, r);
            if (!v)
                return fail(v.error());
            return numberValue(*v);
        }
        case FieldType::Duration: {
            const auto seconds =
                r.kind == Operand::Kind::Number ? std::optional(r.number) : parseDuration(r.text);
            if (!seconds)
                return fail(errorAt(r.column,
                                    u"duration is in seconds, and "_s + quoted(r.text) +
                                        u" is not a duration"_s,
                                    u"Write seconds or a duration like 90s, 5m, 1.5h or 2d"_s));
            return *seconds;
        }
        case FieldType::Status:
            if (op == u"=" || op == u"<>") {
                if (const auto status = runStatusFromName(r.text))
                    return runStatusName(*status);
                QStringList names;
                for (int s = int(RunStatus::Queued); s <= int(RunStatus::Lost); ++s)
                    names.append(runStatusName(RunStatus(s)));
                return fail(errorAt(
                    r.column, u"unknown status "_s + quoted(r.text) + didYouMean(r.text, names),
                    u"A status is one of "_s + names.join(u", ")));
            }
            return r.text;
        case FieldType::Text:
        case FieldType::Time:
            break;
        }
        return r.text;
    }

    Result<Sql> compare(Operand l, const Token &opToken, Operand r)
    {
        QString op = opToken.text;
        if (!l.isName()) {
            if (!r.isName())
                return fail(errorAt(l.column,
                                    u"one side of "_s + op +
                                        u" must be a metric, param or field name, and "_s +
                                        quoted(l.shown) + u" is a value"_s,
                                    namesHint()));
            std::swap(l, r);
            op = mirrored(op);
        }
        op = sqlOperator(op);
        if (r.isName())
            return compareNames(l, op, r);
        Sql s;
        switch (l.kind) {
        case Operand::Kind::Metric: {
            auto v = asNumber(l, r);
            if (!v)
                return fail(v.error());
            s << u"runs.id IN (SELECT l.run_id FROM latest_metrics l WHERE l.key_id = "
              << metricKey(l.text) << u" AND l." << l.metricColumn << u' ' << op << u' ';
            return s.bind(*v) << u")";
        }
        case Operand::Kind::Param:
            s << u"runs.id IN (SELECT p.run_id FROM params p WHERE p.key = ";
            s.bind(l.text);
            if (r.kind == Operand::Kind::Number)
                s << u" AND " << numericParam << u" AND CAST(p.value AS REAL) " << op << u' ';
            else
                s << u" AND p.value " << op << u' ';
            s.bind(r.kind == Operand::Kind::Number ? QVariant(r.number) : QVariant(r.text));
            return s << u")";
        default:
            break;
        }
        const FieldDef &f = *l.field;
        if (f.type == FieldType::Time) {
            if (r.kind == Operand::Kind::Number)
                return fail(errorAt(r.column, l.shown + u" is a date and time, not a number"_s,
                                    u"Write a date like 2024-05-31 or '2024-05-31 14:00'"_s));
            const auto at = parseTime(r.text);
            if (!at)
                return fail(errorAt(r.column, quoted(r.text) + u" is not a date"_s,
                                    u"Write a date like 2024-05-31 or '2024-05-31 14:00'"_s));
            auto cmp = [&](QStringView sqlOp, qint64 ms) {
                Sql c;
                c << f.sql << u' ' << sqlOp << u' ';
                return c.bind(QVariant::fromValue(ms));
            };
            Sql c;
            if (op == u"=")
                c << cmp(u">=", at->from) << u" AND " << cmp(u"<", at->to);
            else if (op == u"<>")
                c << u"(" << cmp(u"<", at->from) << u" OR " << cmp(u">=", at->to) << u")";
            else if (op == u"<")
                c << cmp(u"<", at->from);
            else if (op == u"<=")
                c << cmp(u"<", at->to);
            else if (op == u">")
                c << cmp(u">=", at->to);
            else
                c << cmp(u">=", at->from);
            return wrap(f, c);
        }
        auto v = fieldValue(l, op, r);
        if (!v)
            return fail(v.error());
        Sql c;
        c << fieldExpr(f) << u' ' << op << u' ';
        return wrap(f, c.bind(*v));
    }

    // One side's value as a scalar SQL expression, for comparing two names.
    Sql scalar(const Operand &o, bool numeric) const
    {
        Sql s;
        if (o.kind == Operand::Kind::Metric)
            return s << u"(SELECT l." << o.metricColumn
                     << u" FROM latest_metrics l WHERE l.run_id = runs.id AND l.key_id = "
                     << metricKey(o.text) << u")";
        if (o.kind == Operand::Kind::Param) {
            if (numeric)
                s << u"(SELECT CASE WHEN " << numericParam << u" THEN CAST(p.value AS REAL) END";
            else
                s << u"(SELECT p.value";
            s << u" FROM params p WHERE p.run_id = runs.id AND p.key = ";
            return s.bind(o.text) << u")";
        }
        return fieldExpr(*o.field);
    }

    Result<Sql> compareNames(const Operand &l, const QString &op, const Operand &r) const
    {
        auto numericName = [](const Operand &o) {
            return o.kind == Operand::Kind::Metric ||
                   (o.kind == Operand::Kind::Field && isNumeric(*o.field));
        };
        const bool numeric = numericName(l) || numericName(r);
        Sql s;
        return s << u"COALESCE(" << scalar(l, numeric) << u' ' << op << u' ' << scalar(r, numeric)
                 << u", 0)";
    }

    Result<Sql> parseList(const Operand &l, bool negated, const Token &op)
    {
        if (peek().kind != Tok::LParen)
            return fail(expected(u"'(' and a list of values"_s));
        take();
        QList<Operand> items;
        for (;;) {
            auto v = parseOperand(Side::Value);
            if (!v)
                return fail(v.error());
            if (++m_listValues > maxListValues)
                return fail(errorAt(v->column,
                                    u"the filter lists more than %1 values"_s.arg(maxListValues)));
            items.append(*v);
            if (peek().kind == Tok::Comma) {
                take();
                continue;
            }
            if (peek().kind == Tok::RParen) {
                take();
                break;
            }
            return fail(expected(u"',' or ')'"_s));
        }
        if (!l.isName())
            return fail(errorAt(l.column, u"expected a metric, param or field name before "_s +
                                              op.raw + u", not "_s + quoted(l.shown)));
        const QStringView no = negated ? u"NOT " : u"";
        Sql s;
        if (l.kind == Operand::Kind::Metric) {
            QVariantList values;
            for (const Operand &item : std::as_const(items)) {
                auto v = asNumber(l, item);
                if (!v)
                    return fail(v.error());
                values.append(*v);
            }
            return s << u"runs.id IN (SELECT l.run_id FROM latest_metrics l WHERE l.key_id = "
                     << metricKey(l.text) << u" AND l." << l.metricColumn << u' ' << no << u"IN "
                     << Sql().bindList(values) << u")";
        }
        if (l.kind == Operand::Kind::Param) {
            QVariantList texts;
            QVariantList numbers;
            for (const Operand &item : std::as_const(items)) {
                if (item.kind == Operand::Kind::Number)
                    numbers.append(item.number);
                else
                    texts.append(item.text);
            }
            QList<Sql> any;
            if (!texts.isEmpty())
                any.append(Sql() << u"p.value IN " << Sql().bindList(texts));
            if (!numbers.isEmpty())
                any.append(Sql() << u"(" << numericParam << u" AND CAST(p.value AS REAL) IN "
                                 << Sql().bindList(numbers) << u")");
            s << u"runs.id IN (SELECT p.run_id FROM params p WHERE p.key = ";
            s.bind(l.text);
            return s << u" AND " << no << u"(" << join(any, u" OR ") << u"))";
        }
        const FieldDef &f = *l.field;
        if (f.type == FieldType::Time) {
            // Each date is an interval: expand to comparisons.
            QList<Sql> parts;
            Token eq;
            eq.text = negated ? u"!="_s : u"=="_s;
            for (const Operand &item : std::as_const(items)) {
                auto c = compare(l, eq, item);
                if (!c)
                    return c;
                parts.append(*c);
            }
            return join(parts, negated ? u" AND " : u" OR ");
        }
        QVariantList values;
        for (const Operand &item : std::as_const(items)) {
            auto v = fieldValue(l, u"="_s, item);
            if (!v)
                return fail(v.error());
            values.append(*v);
        }
        s << fieldExpr(f) << u' ' << no << u"IN " << Sql().bindList(values);
        return wrap(f, s);
    }

    Result<Sql> contains(const Operand &l, bool negated, const Token &op, const Operand &r) const
    {
        if (!l.isName())
            return fail(errorAt(l.column, u"expected a metric, param or field name before "_s +
                                              op.raw + u", not "_s + quoted(l.shown)));
        if (r.text.size() > maxText)
            return fail(errorAt(r.column, u"the text after "_s + op.raw + u" is too long"_s));
        const QStringView no = negated ? u"NOT " : u"";
        Sql s;
        if (l.kind == Operand::Kind::Param) {
            s << u"runs.id IN (SELECT p.run_id FROM params p WHERE p.key = ";
            s.bind(l.text) << u" AND p.value " << no << u"LIKE ";
            return s.bind(likePattern(r.text)) << likeEscape << u")";
        }
        if (l.kind == Operand::Kind::Field &&
            (l.field->type == FieldType::Text || l.field->type == FieldType::Status)) {
            s << l.field->sql << u' ' << no << u"LIKE ";
            s.bind(likePattern(r.text)) << likeEscape;
            return wrap(*l.field, s);
        }
        return fail(errorAt(op.column,
                            op.raw + u" looks for text, and "_s + quoted(l.shown) + u" is "_s +
                                (l.kind == Operand::Kind::Metric ? u"a metric"_s : u"a number"_s),
                            u"Compare numbers with <, <=, >, >=, == or !="_s));
    }

    QList<Token> m_tokens;
    qsizetype m_pos = 0;
    const FilterContext &m_ctx;
    qint64 m_nowMs = 0;
    QStringList m_metrics;
    QStringList m_params;
    int m_comparisons = 0;
    int m_listValues = 0;
};

} // namespace

int bindFilter(Statement &statement, const SqlFilter &filter, int firstIndex)
{
    int i = firstIndex;
    for (const QVariant &v : filter.values) {
        switch (v.typeId()) {
        case QMetaType::Double:
        case QMetaType::Float:
            statement.bind(i, v.toDouble());
            break;
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong:
        case QMetaType::Bool:
            statement.bind(i, v.toLongLong());
            break;
        default:
            if (v.isNull())
                statement.bindNull(i);
            else
                statement.bind(i, v.toString());
            break;
        }
        ++i;
    }
    return i;
}

Result<FilterContext> loadFilterContext(Database &db)
{
    FilterContext ctx;
    auto collect = [&](QStringView sql, QSet<QString> &into) -> Result<void> {
        auto s = db.prepare(sql);
        if (!s)
            return fail(s.error());
        for (;;) {
            auto row = s->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                return ok();
            into.insert(s->text(0));
        }
    };
    if (auto r = collect(u"SELECT name FROM metric_keys", ctx.metrics); !r)
        return fail(r.error());
    if (auto r = collect(u"SELECT DISTINCT key FROM params", ctx.params); !r)
        return fail(r.error());
    return ctx;
}

std::expected<SqlFilter, Error> compileRunFilter(const QString &expression,
                                                 const FilterContext &context)
{
    auto tokens = tokenize(expression);
    if (!tokens)
        return fail(tokens.error());
    auto sql = Compiler(std::move(*tokens), context).compile();
    if (!sql)
        return fail(sql.error());
    return SqlFilter{std::move(sql->text), std::move(sql->values)};
}

SqlFilter textFilter(const QString &text)
{
    const QStringList words = text.simplified().split(u' ', Qt::SkipEmptyParts).mid(0, 32);
    if (words.isEmpty())
        return {};
    static constexpr QStringView columns[] = {u"runs.name", u"runs.entry_point", u"runs.command",
                                              u"runs.note"};
    QList<Sql> all;
    for (const QString &word : std::as_const(words)) {
        const QString pattern = likePattern(QStringView(word).left(maxText));
        Sql s;
        s << u"(";
        for (QStringView column : columns) {
            s << column << u" LIKE ";
            s.bind(pattern) << likeEscape << u" OR ";
        }
        s << u"COALESCE(runs.git_branch LIKE ";
        s.bind(pattern) << likeEscape << u", 0) OR ";
        s << u"runs.id IN (SELECT p.run_id FROM params p WHERE p.value LIKE ";
        s.bind(pattern) << likeEscape << u"))";
        all.append(s);
    }
    const Sql sql = join(all, u" AND ");
    return SqlFilter{sql.text, sql.values};
}

SqlFilter statusFilter(const QList<RunStatus> &statuses)
{
    if (statuses.isEmpty())
        return {};
    QVariantList names;
    for (RunStatus s : statuses) {
        const QString name = runStatusName(s);
        if (!names.contains(name))
            names.append(name);
    }
    Sql sql;
    sql << u"runs.status IN " << Sql().bindList(names);
    return SqlFilter{sql.text, sql.values};
}

SqlFilter combine(const QList<SqlFilter> &filters)
{
    SqlFilter out;
    QStringList parts;
    for (const SqlFilter &f : filters) {
        if (f.matchesAll())
            continue;
        parts.append(u'(' + f.where + u')');
        out.values += f.values;
    }
    if (!parts.isEmpty())
        out.where = parts.join(u" AND ");
    return out;
}

QStringList runFilterFieldNames()
{
    QStringList names;
    for (const FieldDef &f : fields)
        names.append(f.name.toString());
    return names;
}

} // namespace cairn
