#include "onnxdiff.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <optional>

using namespace Qt::StringLiterals;

namespace cairn::diff {

KeyedChanges compareMaps(const QMap<QString, QString> &a, const QMap<QString, QString> &b)
{
    KeyedChanges out;
    for (auto it = a.cbegin(); it != a.cend(); ++it) {
        const auto other = b.constFind(it.key());
        if (other == b.cend())
            out.removed.insert(it.key(), it.value());
        else if (*other != it.value())
            out.changed.insert(it.key(), {it.value(), *other});
    }
    for (auto it = b.cbegin(); it != b.cend(); ++it) {
        if (!a.contains(it.key()))
            out.added.insert(it.key(), it.value());
    }
    return out;
}

namespace {

QMap<QString, QString> header(const OnnxModel &m)
{
    QMap<QString, QString> out{{u"producer_name"_s, m.producerName},
                               {u"producer_version"_s, m.producerVersion},
                               {u"domain"_s, m.domain},
                               {u"model_version"_s, QString::number(m.modelVersion)},
                               {u"doc_string"_s, m.docString},
                               {u"graph_name"_s, m.graphName},
                               {u"graph_doc_string"_s, m.graphDocString}};
    return out;
}

QMap<QString, QString> opsets(const OnnxModel &m)
{
    QMap<QString, QString> out;
    for (auto it = m.opsets.cbegin(); it != m.opsets.cend(); ++it)
        out.insert(it.key(), QString::number(it.value()));
    return out;
}

QMap<QString, QString> values(const QList<OnnxValueInfo> &list)
{
    QMap<QString, QString> out;
    for (const OnnxValueInfo &v : list)
        out.insert(v.name, v.type);
    return out;
}

QString nodeLabel(const OnnxNode &n)
{
    if (!n.name.isEmpty())
        return n.name;
    return u"%1 -> %2"_s.arg(n.opType, n.outputs.join(u", "_s));
}

QString listText(const QStringList &l)
{
    return u'[' + l.join(u", "_s) + u']';
}

QString signature(const OnnxNode &n)
{
    // Names cannot hold U+0001 in any exporter we know; it only separates the parts.
    return QStringList{n.opType, n.domain, n.inputs.join(u'\x1f'), n.outputs.join(u'\x1f')}.join(
        u'\x01');
}

// The names that occur exactly once.
QSet<QString> uniqueNames(const QList<OnnxNode> &nodes)
{
    QHash<QString, int> count;
    for (const OnnxNode &n : nodes) {
        if (!n.name.isEmpty())
            ++count[n.name];
    }
    QSet<QString> out;
    for (auto it = count.cbegin(); it != count.cend(); ++it) {
        if (it.value() == 1)
            out.insert(it.key());
    }
    return out;
}

OnnxNodeChange compareNodes(const OnnxNode &a, const OnnxNode &b)
{
    OnnxNodeChange c;
    c.node = nodeLabel(a);
    c.opType = a.opType;
    c.status = u"changed"_s;
    const auto field = [&](const QString &what, const QString &x, const QString &y) {
        if (x != y)
            c.changes.emplaceBack(what, QPair<QString, QString>(x, y));
    };
    field(u"op_type"_s, a.opType, b.opType);
    field(u"domain"_s, a.domain, b.domain);
    field(u"name"_s, a.name, b.name);
    field(u"inputs"_s, listText(a.inputs), listText(b.inputs));
    field(u"outputs"_s, listText(a.outputs), listText(b.outputs));
    const KeyedChanges attrs = compareMaps(a.attributes, b.attributes);
    for (auto it = attrs.removed.cbegin(); it != attrs.removed.cend(); ++it)
        c.changes.emplaceBack(u"attribute "_s + it.key(), QPair<QString, QString>(*it, QString()));
    for (auto it = attrs.changed.cbegin(); it != attrs.changed.cend(); ++it)
        c.changes.emplaceBack(u"attribute "_s + it.key(), *it);
    for (auto it = attrs.added.cbegin(); it != attrs.added.cend(); ++it)
        c.changes.emplaceBack(u"attribute "_s + it.key(), QPair<QString, QString>(QString(), *it));
    field(u"doc_string"_s, a.docString, b.docString);
    return c;
}

} // namespace

bool OnnxGraphDiff::identical() const
{
    return irVersionA == irVersionB && model.isEmpty() && opsets.isEmpty() && metadata.isEmpty() &&
           inputs.isEmpty() && outputs.isEmpty() && nodes.isEmpty() &&
           sparseInitializersA == sparseInitializersB;
}

OnnxGraphDiff diffOnnxGraphs(const OnnxModel &a, const OnnxModel &b)
{
    OnnxGraphDiff d;
    d.irVersionA = a.irVersion;
    d.irVersionB = b.irVersion;
    d.model = compareMaps(header(a), header(b));
    d.opsets = compareMaps(opsets(a), opsets(b));
    d.metadata = compareMaps(a.metadata, b.metadata);
    d.inputs = compareMaps(values(a.inputs), values(b.inputs));
    d.outputs = compareMaps(values(a.outputs), values(b.outputs));
    d.nodesA = int(a.nodes.size());
    d.nodesB = int(b.nodes.size());
    d.sparseInitializersA = a.sparseInitializers;
    d.sparseInitializersB = b.sparseInitializers;

    // match[i]: the index in b of a's node i, or -1.
    std::vector<qsizetype> match(size_t(a.nodes.size()), -1);
    std::vector<bool> taken(size_t(b.nodes.size()), false);
    const auto pair = [&](qsizetype i, qsizetype j) {
        match[size_t(i)] = j;
        taken[size_t(j)] = true;
    };
    // 1. By name, unique and non-empty on both sides.
    const QSet<QString> uniqueA = uniqueNames(a.nodes), uniqueB = uniqueNames(b.nodes);
    QHash<QString, qsizetype> byName;
    for (qsizetype j = 0; j < b.nodes.size(); ++j) {
        if (uniqueB.contains(b.nodes[j].name))
            byName.insert(b.nodes[j].name, j);
    }
    for (qsizetype i = 0; i < a.nodes.size(); ++i) {
        const auto it = byName.constFind(a.nodes[i].name);
        if (uniqueA.contains(a.nodes[i].name) && it != byName.cend())
            pair(i, *it);
    }
    // 2. By signature, in order among equal signatures.
    QHash<QString, QList<qsizetype>> bySignature;
    for (qsizetype j = b.nodes.size() - 1; j >= 0; --j) {
        if (!taken[size_t(j)])
            bySignature[signature(b.nodes[j])].append(j); // last first: takeLast is the first
    }
    for (qsizetype i = 0; i < a.nodes.size(); ++i) {
        if (match[size_t(i)] >= 0)
            continue;
        auto it = bySignature.find(signature(a.nodes[i]));
        if (it != bySignature.end() && !it->isEmpty())
            pair(i, it->takeLast());
    }
    // 3. By position among the rest: the next free node of b with the same op_type and domain,
    //    after the last one paired this way.
    qsizetype from = 0;
    for (qsizetype i = 0; i < a.nodes.size(); ++i) {
        if (match[size_t(i)] >= 0)
            continue;
        for (qsizetype j = from; j < b.nodes.size(); ++j) {
            if (!taken[size_t(j)] && b.nodes[j].opType == a.nodes[i].opType &&
                b.nodes[j].domain == a.nodes[i].domain) {
                pair(i, j);
                from = j + 1;
                break;
            }
        }
    }

    for (qsizetype i = 0; i < a.nodes.size(); ++i) {
        const OnnxNode &n = a.nodes[i];
        if (match[size_t(i)] < 0) {
            d.nodes.append(OnnxNodeChange{nodeLabel(n), n.opType, u"removed"_s, {}});
            continue;
        }
        OnnxNodeChange c = compareNodes(n, b.nodes[match[size_t(i)]]);
        if (c.changes.isEmpty())
            ++d.nodesUnchanged;
        else
            d.nodes.append(std::move(c));
    }
    for (qsizetype j = 0; j < b.nodes.size(); ++j) {
        if (!taken[size_t(j)])
            d.nodes.append(
                OnnxNodeChange{nodeLabel(b.nodes[j]), b.nodes[j].opType, u"added"_s, {}});
    }
    return d;
}

Result<ModelDiff> diffOnnxInitializers(const OnnxModel &a, const OnnxModel &b,
                                       const Progress &progress)
{
    const auto tensors = [](const OnnxModel &m) {
        std::vector<TensorData> out;
        out.reserve(m.initializers.size());
        for (const OnnxTensor &t : m.initializers)
            out.push_back(TensorData{t.name, t.dtype, t.shape, t.bytes()});
        return out;
    };
    Result<ModelDiff> d = diffTensors(tensors(a), tensors(b), progress);
    if (!d)
        return d;
    d->a = a.name;
    d->b = b.name;
    return d;
}

QJsonObject keyedChangesJson(const KeyedChanges &changes)
{
    QJsonObject added, removed, changed;
    for (auto it = changes.added.cbegin(); it != changes.added.cend(); ++it)
        added.insert(it.key(), it.value());
    for (auto it = changes.removed.cbegin(); it != changes.removed.cend(); ++it)
        removed.insert(it.key(), it.value());
    for (auto it = changes.changed.cbegin(); it != changes.changed.cend(); ++it)
        changed.insert(it.key(), QJsonObject{{u"a"_s, it->first}, {u"b"_s, it->second}});
    return {{u"added"_s, added}, {u"removed"_s, removed}, {u"changed"_s, changed}};
}

QJsonObject onnxGraphDiffJson(const OnnxGraphDiff &diff)
{
    QJsonArray added, removed, changed;
    for (const OnnxNodeChange &n : diff.nodes) {
        QJsonObject o{{u"node"_s, n.node}, {u"op_type"_s, n.opType}};
        if (n.status == u"added"_s) {
            added.append(o);
        } else if (n.status == u"removed"_s) {
            removed.append(o);
        } else {
            QJsonArray changes;
            for (const auto &[what, values] : n.changes) {
                const auto value = [](const QString &v) {
                    return v.isEmpty() ? QJsonValue() : QJsonValue(v);
                };
                changes.append(QJsonObject{{u"what"_s, what},
                                           {u"a"_s, value(values.first)},
                                           {u"b"_s, value(values.second)}});
            }
            o.insert(u"changes"_s, changes);
            changed.append(o);
        }
    }
    return {
        {u"ir_version"_s, QJsonObject{{u"a"_s, diff.irVersionA}, {u"b"_s, diff.irVersionB}}},
        {u"model"_s, keyedChangesJson(diff.model)},
        {u"opsets"_s, keyedChangesJson(diff.opsets)},
        {u"metadata"_s, keyedChangesJson(diff.metadata)},
        {u"inputs"_s, keyedChangesJson(diff.inputs)},
        {u"outputs"_s, keyedChangesJson(diff.outputs)},
        {u"nodes"_s,
         QJsonObject{{u"added"_s, added}, {u"removed"_s, removed}, {u"changed"_s, changed}}},
        {u"summary"_s, QJsonObject{{u"nodes_a"_s, diff.nodesA},
                                   {u"nodes_b"_s, diff.nodesB},
                                   {u"nodes_unchanged"_s, diff.nodesUnchanged},
                                   {u"sparse_initializers_a"_s, diff.sparseInitializersA},
                                   {u"sparse_initializers_b"_s, diff.sparseInitializersB}}},
    };
}

QString onnxGraphDiffText(const OnnxGraphDiff &diff, int maxNodes)
{
    QString out;
    const auto shorten = [](const QString &s) -> QString {
        QString one = s;
        one.replace(u'\n', u' ');
        return one.size() > 80 ? one.left(77) + u"..."_s : one;
    };
    if (diff.irVersionA != diff.irVersionB)
        out += u"ir_version: %1 -> %2\n"_s.arg(QString::number(diff.irVersionA),
                                               QString::number(diff.irVersionB));
    const auto keyed = [&](const QString &what, const KeyedChanges &c) {
        for (auto it = c.removed.cbegin(); it != c.removed.cend(); ++it)
            out += u"%1 removed: %2 = %3\n"_s.arg(what, it.key(), shorten(it.value()));
        for (auto it = c.changed.cbegin(); it != c.changed.cend(); ++it)
            out += u"%1 changed: %2: %3 -> %4\n"_s.arg(what, it.key(), shorten(it->first),
                                                       shorten(it->second));
        for (auto it = c.added.cbegin(); it != c.added.cend(); ++it)
            out += u"%1 added: %2 = %3\n"_s.arg(what, it.key(), shorten(it.value()));
    };
    keyed(u"model"_s, diff.model);
    keyed(u"opset"_s, diff.opsets);
    keyed(u"metadata"_s, diff.metadata);
    keyed(u"input"_s, diff.inputs);
    keyed(u"output"_s, diff.outputs);
    int shown = 0;
    for (const OnnxNodeChange &n : diff.nodes) {
        if (shown++ == maxNodes) {
            out += u"... and %1 more node changes\n"_s.arg(
                QString::number(diff.nodes.size() - maxNodes));
            break;
        }
        out += u"node %1: %2 (%3)\n"_s.arg(n.status, n.node, n.opType);
        for (const auto &[what, values] : n.changes)
            out += u"    %1: %2 -> %3\n"_s.arg(
                what, values.first.isEmpty() ? u"-"_s : shorten(values.first),
                values.second.isEmpty() ? u"-"_s : shorten(values.second));
    }
    if (diff.sparseInitializersA || diff.sparseInitializersB)
        out += u"sparse initializers (not compared): %1 in a, %2 in b\n"_s.arg(
            QString::number(diff.sparseInitializersA), QString::number(diff.sparseInitializersB));
    out += u"%1 nodes in a, %2 in b: %3 unchanged\n"_s.arg(QString::number(diff.nodesA),
                                                           QString::number(diff.nodesB),
                                                           QString::number(diff.nodesUnchanged));
    return out;
}

} // namespace cairn::diff
