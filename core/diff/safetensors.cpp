#include "safetensors.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <numeric>

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace {

// The longest shape (or offsets) list accepted.
constexpr std::size_t kMaxListLength = 1024;
// ... and all lists together (a million tensors of rank 4 would fit).
constexpr std::size_t kMaxListEntries = std::size_t(6) << 20;

struct DtypeBits
{
    QStringView name;
    int bits;
    bool numeric;
};

// The element types of the format (safetensors' Dtype), with their size in bits.
constexpr DtypeBits g_dtypes[] = {
    {u"BOOL", 8, true},     {u"F4", 4, false},  {u"F6_E2M3", 6, false}, {u"F6_E3M2", 6, false},
    {u"U8", 8, true},       {u"I8", 8, true},   {u"F8_E5M2", 8, true},  {u"F8_E4M3", 8, true},
    {u"F8_E8M0", 8, false}, {u"I16", 16, true}, {u"U16", 16, true},     {u"F16", 16, true},
    {u"BF16", 16, true},    {u"I32", 32, true}, {u"U32", 32, true},     {u"F32", 32, true},
    {u"C64", 64, false},    {u"F64", 64, true}, {u"I64", 64, true},     {u"U64", 64, true},
};

const DtypeBits *findDtype(QStringView name)
{
    for (const DtypeBits &d : g_dtypes) {
        if (d.name == name)
            return &d;
    }
    return nullptr;
}

const QString g_damagedHint =
    u"The file is damaged, truncated or was not written by a safetensors writer: export the "
    "model again (safetensors' save_file, or save_pretrained with safe_serialization)"_s;

// Strict UTF-8, as Rust's str::from_utf8: no overlong forms, no surrogates, nothing past
// U+10FFFF. Returns the offset of the first bad byte, or -1.
qint64 invalidUtf8At(const unsigned char *s, qint64 n)
{
    qint64 i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = 0;
        unsigned char lo = 0x80, hi = 0xBF; // the allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (int k = 2; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        }
        i += len;
    }
    return -1;
}

struct RawTensor
{
    QString name;
    QString dtype;
    int bits = 0;
    std::vector<quint64> shape;
    quint64 begin = 0;
    quint64 end = 0;
};

// A strict JSON reader for the header (RFC 8259, as serde_json reads it), which keeps what
// QJsonDocument loses: duplicate keys, and whether a number was written as an integer.
class HeaderParser
{
public:
    HeaderParser(const char *data, qint64 size)
        : m_begin(data)
        , m_p(data)
        , m_end(data + size)
    {}

    QString error;

    bool parse(std::vector<RawTensor> &tensors, QMap<QString, QString> &metadata)
    {
        if (peek() != '{')
            return fail(u"The header is not a JSON object (it must start with '{')"_s);
        QSet<QString> seen;
        const bool read = members([&](const QString &key) {
            if (seen.contains(key)) {
                return fail(key == u"__metadata__"_s
                                ? u"The header has two \"__metadata__\" entries"_s
                                : u"The header lists tensor \"%1\" twice"_s.arg(key));
            }
            seen.insert(key);
            if (key == u"__metadata__"_s)
                return readMetadata(metadata);
            RawTensor t;
            t.name = key;
            if (!tensor(t))
                return false;
            tensors.push_back(std::move(t));
            return true;
        });
        if (!read)
            return false;
        ws();
        return m_p == m_end || fail(u"The header is not valid JSON: text after its object"_s);
    }

private:
    const char *m_begin;
    const char *m_p;
    const char *m_end;
    std::size_t m_listEntries = 0; // shape and offset entries read so far

    char peek() const { return m_p < m_end ? *m_p : '\0'; }
    bool digit() const { return peek() >= '0' && peek() <= '9'; }
    void ws()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }
    bool fail(const QString &message, qint64 back = 0)
    {
        if (error.isEmpty())
            error = message + u" (at byte %1 of the header)"_s.arg(m_p - m_begin + back);
        return false;
    }
    bool bad(QStringView what, qint64 back = 0)
    {
        if (m_p == m_end)
            return fail(u"The header is not valid JSON: it ends too early"_s);
        return fail(u"The header is not valid JSON: "_s + what, back);
    }
    // A short quote of the header from `from` to the current position, for messages.
    QString quote(const char *from) const
    {
        const QString s = QString::fromUtf8(from, std::min<qint64>(m_p - from, 40));
        return m_p - from > 40 ? s + u"..."_s : s;
    }
    // The elements of the array or object at m_p (`open` is '[' or '{'): each() reads one.
    template<typename Each>
    bool sequence(char open, Each each)
    {
        const char close = open == '{' ? '}' : ']';
        ++m_p; // the caller checked `open`
        ws();
        if (peek() == close) {
            ++m_p;
            return true;
        }
        for (;;) {
            if (!each())
                return false;
            ws();
            if (m_p == m_end)
                return bad({});
            const char c = *m_p++;
            if (c == close)
                return true;
            if (c != ',')
                return bad(u"expected ',' or '%1'"_s.arg(QLatin1Char(close)), -1);
            ws();
        }
    }
    template<typename Each>
    bool members(Each each)
    {
        return sequence('{', [&] {
            QString key;
            if (!string(key))
                return false;
            ws();
            if (peek() != ':')
                return bad(u"expected ':' after a key");
            ++m_p;
            ws();
            return each(key);
        });
    }
    bool literal(const char *word)
    {
        const qint64 n = qint64(std::strlen(word));
        if (m_end - m_p < n || std::memcmp(m_p, word, size_t(n)) != 0)
            return bad(u"unexpected character");
        m_p += n;
        return true;
    }
    bool hex4(char32_t &out)
    {
        unsigned v = 0;
        if (m_end - m_p < 4) // before forming m_p + 4, which could point past the buffer
            return bad(u"bad \\u escape");
        const auto [end, ec] = std::from_chars(m_p, m_p + 4, v, 16);
        if (ec != std::errc() || end != m_p + 4)
            return bad(u"bad \\u escape");
        m_p = end;
        out = v;
        return true;
    }
    bool string(QString &out)
    {
        if (peek() != '"')
            return bad(u"expected a string");
        ++m_p;
        QByteArray buf; // UTF-8 (checked for the whole header beforehand)
        for (;;) {
            const char *run = m_p;
            while (m_p < m_end && *m_p != '"' && *m_p != '\\' && static_cast<uchar>(*m_p) >= 0x20)
                ++m_p;
            buf.append(run, m_p - run);
            if (m_p == m_end)
                return bad(u"a string is not closed");
            const char c = *m_p++;
            if (c == '"')
                break;
            if (c != '\\')
                return bad(u"a control character in a string", -1);
            if (m_p == m_end)
                return bad(u"a string is not closed");
            static constexpr char escapes[] = "\"\\/bfnrt", values[] = "\"\\/\b\f\n\r\t";
            const char e = *m_p++;
            if (const char *at = e ? std::strchr(escapes, e) : nullptr) {
                buf += values[at - escapes];
                continue;
            }
            char32_t cp = 0;
            if (e != 'u')
                return bad(u"bad escape in a string", -1);
            if (!hex4(cp))
                return false;
            if (cp >= 0xD800 && cp <= 0xDBFF) { // a surrogate pair
                char32_t low = 0;
                if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
                    return bad(u"a lone surrogate escape");
                m_p += 2;
                if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
                    return bad(u"a lone surrogate escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return bad(u"a lone surrogate escape");
            }
            buf += QString::fromUcs4(&cp, 1).toUtf8();
        }
        out = QString::fromUtf8(buf);
        return true;
    }
    struct Number
    {
        bool negative = false;
        bool integer = true; // no fraction, no exponent
        bool fits = true;    // the magnitude fits in 64 bits
        quint64 value = 0;
    };
    bool number(Number &n)
    {
        n.negative = peek() == '-';
        m_p += n.negative ? 1 : 0;
        if (!digit())
            return bad(u"bad number");
        const bool zero = peek() == '0';
        while (digit()) {
            const unsigned d = unsigned(*m_p++ - '0');
            n.fits = n.fits && n.value <= (std::numeric_limits<quint64>::max() - d) / 10;
            n.value = n.value * 10 + d;
            if (zero)
                break; // a leading 0 stands alone
        }
        if (peek() == '.') {
            n.integer = false;
            ++m_p;
            if (!digit())
                return bad(u"bad number");
            while (digit())
                ++m_p;
        }
        if (peek() == 'e' || peek() == 'E') {
            n.integer = false;
            ++m_p;
            if (peek() == '+' || peek() == '-')
                ++m_p;
            if (!digit())
                return bad(u"bad number");
            while (digit())
                ++m_p;
        }
        return true;
    }
    bool skip(int depth)
    {
        if (depth > 128)
            return fail(u"The header's JSON is nested too deeply"_s);
        const char c = peek();
        if (c == '"') {
            QString s;
            return string(s);
        }
        if (c == '{')
            return members([&](const QString &) { return skip(depth + 1); });
        if (c == '[')
            return sequence('[', [&] { return skip(depth + 1); });
        if (c == 't' || c == 'f' || c == 'n')
            return literal(c == 't' ? "true" : c == 'f' ? "false" : "null");
        Number n;
        return number(n);
    }
    // A non-negative integer (serde's usize): anything else is an error naming the tensor.
    bool unsignedInt(quint64 &out, const RawTensor &t, QStringView field)
    {
        const char *from = m_p;
        if (peek() == '-' || digit()) {
            Number n;
            if (!number(n))
                return false;
            if (n.integer && n.fits && (!n.negative || n.value == 0)) {
                out = n.value;
                return true;
            }
        } else if (!skip(0)) {
            return false;
        }
        return fail(u"Tensor \"%1\": %2 must hold whole numbers from 0 up, not \"%3\""_s.arg(
                        t.name, field, quote(from)),
                    from - m_p);
    }
    bool list(const RawTensor &t, QStringView field, std::vector<quint64> &out)
    {
        if (peek() != '[')
            return fail(u"Tensor \"%1\": %2 must be a list of whole numbers"_s.arg(t.name, field));
        return sequence('[', [&] {
            // Far beyond any real tensor; a longer list in a 100 MB header is an attack on memory.
            if (out.size() >= kMaxListLength)
                return fail(u"Tensor \"%1\": %2 has more than %3 entries"_s.arg(
                    t.name, field, QString::number(kMaxListLength)));
            if (++m_listEntries > kMaxListEntries)
                return fail(u"The header lists more than %1 dimensions and offsets in all"_s.arg(
                    QString::number(kMaxListEntries)));
            out.push_back(0);
            return unsignedInt(out.back(), t, field);
        });
    }
    bool tensor(RawTensor &t)
    {
        if (peek() != '{') {
            return fail(u"Tensor \"%1\": its entry must be an object with \"dtype\", \"shape\" "
                        "and \"data_offsets\""_s.arg(t.name));
        }
        bool hasDtype = false, hasShape = false, hasOffsets = false;
        std::vector<quint64> offsets;
        const bool read = members([&](const QString &key) {
            bool *has = key == u"dtype"_s          ? &hasDtype
                        : key == u"shape"_s        ? &hasShape
                        : key == u"data_offsets"_s ? &hasOffsets
                                                   : nullptr;
            if (!has)
                return skip(1); // other fields are ignored, as serde does
            if (*has)
                return fail(u"Tensor \"%1\" has two \"%2\" entries"_s.arg(t.name, key));
            *has = true;
            if (has == &hasShape)
                return list(t, u"shape", t.shape);
            if (has == &hasOffsets)
                return list(t, u"data_offsets", offsets);
            if (peek() != '"')
                return fail(u"Tensor \"%1\": dtype must be a string"_s.arg(t.name));
            if (!string(t.dtype))
                return false;
            t.bits = dtypeBits(t.dtype);
            return t.bits > 0 ||
                   fail(u"Tensor \"%1\" has an unknown dtype \"%2\""_s.arg(t.name, t.dtype));
        });
        if (!read)
            return false;
        const QString missing = !hasDtype     ? u"dtype"_s
                                : !hasShape   ? u"shape"_s
                                : !hasOffsets ? u"data_offsets"_s
                                              : QString();
        if (!missing.isEmpty())
            return fail(u"Tensor \"%1\" has no \"%2\""_s.arg(t.name, missing));
        if (offsets.size() != 2) {
            return fail(u"Tensor \"%1\": data_offsets must be two numbers [begin, end], not %2"_s
                            .arg(t.name)
                            .arg(offsets.size()));
        }
        t.begin = offsets[0];
        t.end = offsets[1];
        return true;
    }
    bool readMetadata(QMap<QString, QString> &metadata)
    {
        if (peek() == 'n')
            return literal("null");
        if (peek() != '{')
            return fail(u"\"__metadata__\" must be an object of strings"_s);
        return members([&](const QString &key) {
            const char *from = m_p;
            QString value;
            if (peek() == '"') {
                if (!string(value))
                    return false;
                metadata.insert(key, value); // a repeated key keeps its last value, as serde
                return true;
            }
            if (!skip(1))
                return false;
            return fail(
                u"\"__metadata__\" entry \"%1\" must be a string, not %2"_s.arg(key, quote(from)),
                from - m_p);
        });
    }
};

QString shapeText(const std::vector<quint64> &shape)
{
    QStringList parts;
    for (std::size_t i = 0; i < shape.size() && i < 8; ++i)
        parts << QString::number(shape[i]);
    if (shape.size() > 8)
        parts << u"… (%1 dimensions)"_s.arg(shape.size());
    return u'[' + parts.join(u", "_s) + u']';
}

} // namespace

int dtypeBits(QStringView dtype)
{
    const DtypeBits *d = findDtype(dtype);
    return d ? d->bits : 0;
}

bool dtypeIsNumeric(QStringView dtype)
{
    const DtypeBits *d = findDtype(dtype);
    return d && d->numeric;
}

qint64 TensorInfo::elements() const
{
    qint64 n = 1;
    for (qint64 d : shape) {
        if (d == 0)
            return 0;
    }
    for (qint64 d : shape) {
        if (__builtin_mul_overflow(n, d, &n))
            return std::numeric_limits<qint64>::max(); // not for a validated file
    }
    return n;
}

struct SafetensorsFile::Data
{
    QString name;
    std::unique_ptr<QFile> file; // mapped for as long as it lives
    QByteArray owned;            // or the bytes themselves
    const uchar *base = nullptr;
    qint64 size = 0;
    qint64 headerLen = 0;
    std::vector<TensorInfo> tensors;
    QHash<QString, qsizetype> index;
    QMap<QString, QString> metadata;
};

SafetensorsFile::SafetensorsFile(std::shared_ptr<const Data> d)
    : m_d(std::move(d))
{}

Result<SafetensorsFile> SafetensorsFile::open(const QString &path)
{
    auto d = std::make_shared<Data>();
    d->name = path;
    if (QFileInfo(path).isDir())
        return fail(Error(u"This is a folder, not a safetensors file"_s, path)
                        .withHint(u"Choose the .safetensors file inside it"_s));
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        return fail(Error(u"Cannot open the model file: %1"_s.arg(file->errorString()), path)
                        .withHint(u"Check that the file exists and that you may read it"_s));
    d->size = file->size();
    if (d->size > 0) {
        d->base = file->map(0, d->size);
        if (!d->base)
            return fail(
                Error(u"Cannot map the model file into memory: %1"_s.arg(file->errorString()), path)
                    .withHint(u"Copy the file to a local disk and try again"_s));
    }
    d->file = std::move(file);
    return parse(std::move(d));
}

Result<SafetensorsFile> SafetensorsFile::fromBytes(QByteArray bytes, const QString &name)
{
    auto d = std::make_shared<Data>();
    d->name = name;
    d->owned = std::move(bytes);
    d->base = reinterpret_cast<const uchar *>(d->owned.constData());
    d->size = d->owned.size();
    return parse(std::move(d));
}

bool SafetensorsFile::looksLikeSafetensors(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const qint64 size = f.size();
    const QByteArray head = f.read(9);
    if (head.size() < 9)
        return false;
    quint64 n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | static_cast<uchar>(head[i]);
    return n >= 2 && n <= quint64(maxSafetensorsHeader) && qint64(n) + 8 <= size && head[8] == '{';
}

Result<SafetensorsFile> SafetensorsFile::parse(std::shared_ptr<Data> d)
{
    const QString &file = d->name;
    if (d->size < 8) {
        return fail(Error(u"This is not a safetensors file: it has %1 bytes, fewer than the 8 "
                          "that give the header's length"_s.arg(d->size),
                          file)
                        .withHint(g_damagedHint));
    }
    quint64 n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | d->base[i];
    if (n > quint64(maxSafetensorsHeader)) {
        return fail(Error(u"The header is too large: its length field says %1 bytes, more than the "
                          "100,000,000 safetensors allows (is this a safetensors file?)"_s.arg(n),
                          file)
                        .withHint(g_damagedHint));
    }
    if (qint64(n) > d->size - 8) {
        return fail(Error(u"The file is cut short: its header should take %1 bytes but only %2 "
                          "follow the length field"_s.arg(n)
                              .arg(d->size - 8),
                          file)
                        .withHint(g_damagedHint));
    }
    const qint64 headerLen = qint64(n);
    const char *header = reinterpret_cast<const char *>(d->base + 8);
    if (const qint64 bad = invalidUtf8At(d->base + 8, headerLen); bad >= 0) {
        return fail(
            Error(u"The header is not valid UTF-8 text (at byte %1 of the header)"_s.arg(bad), file)
                .withHint(g_damagedHint));
    }
    std::vector<RawTensor> raw;
    HeaderParser parser(header, headerLen);
    if (!parser.parse(raw, d->metadata))
        return fail(Error(parser.error, file).withHint(g_damagedHint));

    // Metadata::validate: sorted by offsets, the tensors tile the buffer from 0 without gaps or
    // overlaps, and each one's span is exactly its elements times its dtype's size.
    std::vector<qsizetype> order(raw.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](qsizetype x, qsizetype y) {
        return std::pair(raw[x].begin, raw[x].end) < std::pair(raw[y].begin, raw[y].end);
    });
    quint64 start = 0;
    const RawTensor *previous = nullptr;
    const quint64 dataSize = quint64(d->size - 8 - headerLen);
    for (qsizetype i : order) {
        const RawTensor &t = raw[i];
        const QString offsets = u"[%1, %2]"_s.arg(t.begin).arg(t.end);
        QString problem;
        if (t.begin != start && !previous) {
            problem = u"Tensor \"%1\" is the first in the file but its data_offsets %2 do not "
                      "start at 0"_s.arg(t.name, offsets);
        } else if (t.begin > start) {
            problem = u"There are %1 unused bytes between tensor \"%2\" (ending at %3) and "
                      "tensor \"%4\" (data_offsets %5)"_s.arg(
                          QString::number(t.begin - start), previous->name, QString::number(start),
                          t.name, offsets);
        } else if (t.begin < start) {
            problem = u"Tensor \"%1\" (data_offsets %2) overlaps tensor \"%3\", which ends at "
                      "%4"_s.arg(t.name, offsets, previous->name, QString::number(start));
        } else if (t.end < t.begin) {
            problem = u"Tensor \"%1\" has data_offsets %2: its end is before its beginning"_s.arg(
                t.name, offsets);
        }
        if (!problem.isEmpty())
            return fail(Error(problem, file).withHint(g_damagedHint));
        start = t.end;
        quint64 elements = 1;
        bool overflow = false;
        for (quint64 dim : t.shape)
            overflow = overflow || __builtin_mul_overflow(elements, dim, &elements);
        quint64 bits = 0;
        overflow = overflow || __builtin_mul_overflow(elements, quint64(t.bits), &bits);
        if (overflow) {
            return fail(Error(u"Tensor \"%1\" has shape %2: its number of elements does not fit "
                              "in 64 bits"_s.arg(t.name, shapeText(t.shape)),
                              file)
                            .withHint(g_damagedHint));
        }
        if (bits % 8 != 0) {
            return fail(Error(u"Tensor \"%1\" (%2, shape %3) does not fill a whole number of "
                              "bytes: %4 elements of %5 bits"_s.arg(
                                  t.name, t.dtype, shapeText(t.shape), QString::number(elements),
                                  QString::number(t.bits)),
                              file)
                            .withHint(g_damagedHint));
        }
        if (t.end - t.begin != bits / 8) {
            return fail(Error(u"Tensor \"%1\" (%2, shape %3) needs %4 bytes, but its data_offsets "
                              "%5 span %6"_s.arg(t.name, t.dtype, shapeText(t.shape),
                                                 QString::number(bits / 8), offsets,
                                                 QString::number(t.end - t.begin)),
                              file)
                            .withHint(g_damagedHint));
        }
        for (quint64 dim : t.shape) {
            if (dim > quint64(std::numeric_limits<qint64>::max())) {
                return fail(Error(u"Tensor \"%1\" has shape %2: a dimension is larger than "
                                  "2^63 - 1"_s.arg(t.name, shapeText(t.shape)),
                                  file)
                                .withHint(g_damagedHint));
            }
        }
        previous = &t;
    }
    if (start != dataSize) {
        const QString problem =
            start < dataSize
                ? u"The file has %1 bytes after its last tensor (the tensors end at byte %2 of "
                  "the data, the file holds %3)"_s.arg(dataSize - start)
                      .arg(start)
                      .arg(dataSize)
                : u"The file is cut short: its tensors need %1 bytes of data but only %2 "
                  "follow the header"_s.arg(start)
                      .arg(dataSize);
        return fail(Error(problem, file).withHint(g_damagedHint));
    }

    d->headerLen = headerLen;
    d->tensors.reserve(raw.size());
    for (qsizetype i : order) {
        RawTensor &t = raw[i];
        TensorInfo info;
        info.name = std::move(t.name);
        info.dtype = std::move(t.dtype);
        info.shape.assign(t.shape.begin(), t.shape.end());
        info.begin = qint64(t.begin);
        info.end = qint64(t.end);
        d->index.insert(info.name, qsizetype(d->tensors.size()));
        d->tensors.push_back(std::move(info));
    }
    return SafetensorsFile(std::move(d));
}

const QString &SafetensorsFile::name() const
{
    return m_d->name;
}

const std::vector<TensorInfo> &SafetensorsFile::tensors() const
{
    return m_d->tensors;
}

const TensorInfo *SafetensorsFile::find(const QString &tensorName) const
{
    const auto it = m_d->index.constFind(tensorName);
    return it == m_d->index.cend() ? nullptr : &m_d->tensors[size_t(*it)];
}

const QMap<QString, QString> &SafetensorsFile::metadata() const
{
    return m_d->metadata;
}

std::span<const std::byte> SafetensorsFile::bytes(const TensorInfo &tensor) const
{
    const qint64 dataSize = m_d->size - 8 - m_d->headerLen;
    if (tensor.begin < 0 || tensor.end < tensor.begin || tensor.end > dataSize)
        return {};
    const auto *data = reinterpret_cast<const std::byte *>(m_d->base + 8 + m_d->headerLen);
    return {data + tensor.begin, size_t(tensor.end - tensor.begin)};
}

qint64 SafetensorsFile::fileSize() const
{
    return m_d->size;
}

qint64 SafetensorsFile::headerSize() const
{
    return m_d->headerLen;
}

} // namespace cairn::diff
