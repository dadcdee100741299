#include "glob.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cairn {

bool isGlobPattern(QStringView pattern)
{
    return pattern.contains(u'*') || pattern.contains(u'?') || pattern.contains(u'[');
}

bool naturalLess(QStringView a, QStringView b)
{
    qsizetype i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i].isDigit() && b[j].isDigit()) {
            qsizetype si = i, sj = j;
            while (si < a.size() && a[si] == u'0')
                ++si;
            while (sj < b.size() && b[sj] == u'0')
                ++sj;
            qsizetype ei = si, ej = sj;
            while (ei < a.size() && a[ei].isDigit())
                ++ei;
            while (ej < b.size() && b[ej].isDigit())
                ++ej;
            if (ei - si != ej - sj)
                return ei - si < ej - sj;
            const int c = a.mid(si, ei - si).compare(b.mid(sj, ej - sj));
            if (c != 0)
                return c < 0;
            i = ei;
            j = ej;
            continue;
        }
        const int c = a.sliced(i, 1).compare(b.sliced(j, 1), Qt::CaseInsensitive);
        if (c != 0)
            return c < 0;
        ++i;
        ++j;
    }
    if (a.size() - i != b.size() - j)
        return a.size() - i < b.size() - j;
    return a < b;
}

namespace {

void allFiles(const QString &dir, QStringList &out)
{
    const QDir d(dir);
    const auto files = d.entryList(QDir::Files | QDir::NoDotAndDotDot);
    for (const QString &f : files)
        out.append(d.filePath(f));
    const auto subdirs = d.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &sub : subdirs)
        allFiles(d.filePath(sub), out);
}

void walk(const QString &dir, const QStringList &segments, int index, QStringList &out)
{
    if (index == segments.size()) {
        const QFileInfo fi(dir);
        if (fi.isFile())
            out.append(dir);
        else if (fi.isDir() && !segments.isEmpty() && !isGlobPattern(segments.last()))
            allFiles(dir, out); // a folder named without wildcards: everything in it
        return;
    }
    const QString &seg = segments[index];
    const bool last = index + 1 == segments.size();
    if (seg == u"**"_s) {
        walk(dir, segments, index + 1, out); // zero folders
        const QDir d(dir);
        const auto subdirs = d.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &sub : subdirs) {
            if (sub.startsWith(u'.'))
                continue;
            walk(d.filePath(sub), segments, index, out);
        }
        return;
    }
    if (!isGlobPattern(seg)) {
        const QString next = QDir(dir).filePath(seg);
        if (last ? QFileInfo(next).exists() : QFileInfo(next).isDir())
            walk(next, segments, index + 1, out);
        return;
    }
    const QRegularExpression re(QRegularExpression::wildcardToRegularExpression(seg));
    const QDir d(dir);
    const auto filters = (last ? QDir::Files : QDir::Dirs) | QDir::NoDotAndDotDot | QDir::Hidden;
    const auto entries = d.entryList(filters);
    for (const QString &e : entries) {
        if (e.startsWith(u'.') && !seg.startsWith(u'.'))
            continue;
        if (re.match(e).hasMatch())
            walk(d.filePath(e), segments, index + 1, out);
    }
}

} // namespace

QStringList expandGlob(const QString &root, const QString &pattern)
{
    QString p = QDir::fromNativeSeparators(pattern);
    QString base = root;
    if (QDir::isAbsolutePath(p)) {
        base = u"/"_s;
    }
    QStringList segments = p.split(u'/', Qt::SkipEmptyParts);
    segments.removeAll(u"."_s);
    QStringList out;
    walk(QDir::cleanPath(base), segments, 0, out);
    for (QString &f : out)
        f = QDir::cleanPath(f);
    out.removeDuplicates();
    std::sort(out.begin(), out.end(),
              [](const QString &a, const QString &b) { return naturalLess(a, b); });
    return out;
}

} // namespace cairn
