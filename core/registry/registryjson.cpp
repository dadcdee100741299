// The registry's JSON and text: what `cairn-cli models` prints (docs/registry.md).

#include "registry.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cairn::registry {

namespace {

QString isoTime(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace

QJsonObject modelVersionToJson(const ModelVersion &version)
{
    QJsonArray files;
    for (const VersionFile &f : version.files)
        files.append(QJsonObject{{u"path"_s, f.path}, {u"hash"_s, f.hash}, {u"size"_s, f.size}});
    QJsonArray datasets;
    for (const DatasetUse &d : version.datasets)
        datasets.append(QJsonObject{{u"name"_s, d.name}, {u"path"_s, d.path}, {u"hash"_s, d.hash}});
    return QJsonObject{
        {u"model"_s, version.model},
        {u"version"_s, version.version},
        {u"created"_s, isoTime(version.created)},
        {u"run"_s, version.runId ? QJsonValue(*version.runId) : QJsonValue()},
        {u"entry_point"_s, version.entryPoint},
        {u"files"_s, files},
        {u"metrics"_s, version.metrics},
        {u"datasets"_s, datasets},
        {u"gate_passed"_s, version.gate.passed()},
        {u"gate"_s, gateReportToJson(version.gate)},
        {u"note"_s, version.note},
        {u"aliases"_s, QJsonArray::fromStringList(version.aliases)},
    };
}

QJsonObject transitionToJson(const Transition &t)
{
    return QJsonObject{
        {u"id"_s, t.id},
        {u"model"_s, t.model},
        {u"version"_s, t.version},
        {u"alias"_s, t.alias},
        {u"action"_s, t.action},
        {u"previous_version"_s, t.previousVersion ? QJsonValue(*t.previousVersion) : QJsonValue()},
        {u"when"_s, isoTime(t.when)},
        {u"gate_passed"_s, t.gatePassed ? QJsonValue(*t.gatePassed) : QJsonValue()},
        {u"overridden"_s, t.overridden},
        {u"reason"_s, t.reason},
        {u"user"_s, t.user},
    };
}

QJsonObject modelsToJson(const QList<RegisteredModel> &models)
{
    QJsonArray out;
    for (const RegisteredModel &m : models) {
        QJsonObject aliases;
        for (auto it = m.aliases.cbegin(); it != m.aliases.cend(); ++it) {
            if (it.key() == kArchived) {
                QJsonArray list;
                for (int v : it.value())
                    list.append(v);
                aliases.insert(it.key(), list);
            } else {
                aliases.insert(it.key(), it.value().value(0));
            }
        }
        QJsonArray versions;
        for (const ModelVersion &v : m.versions)
            versions.append(modelVersionToJson(v));
        out.append(QJsonObject{{u"name"_s, m.name},
                               {u"created"_s, isoTime(m.created)},
                               {u"aliases"_s, aliases},
                               {u"versions"_s, versions}});
    }
    return QJsonObject{{u"models"_s, out}};
}

QString modelsToText(const QList<RegisteredModel> &models)
{
    if (models.isEmpty())
        return u"No registered models. Register a run's model with `cairn-cli register MODEL "
               "--run RUN`.\n"_s;
    QStringList lines;
    for (const RegisteredModel &m : models) {
        if (!lines.isEmpty())
            lines.append(QString());
        lines.append(u"%1 (%2 %3)"_s.arg(m.name, QString::number(m.versions.size()),
                                         m.versions.size() == 1 ? u"version"_s : u"versions"_s));
        for (const ModelVersion &v : m.versions) {
            QStringList metrics;
            for (auto it = v.metrics.constBegin(); it != v.metrics.constEnd(); ++it) {
                if (metrics.size() == 4) {
                    metrics.append(u"…"_s);
                    break;
                }
                metrics.append(u"%1=%2"_s.arg(
                    it.key(), it.value().isDouble() ? QString::number(it.value().toDouble(), 'g', 4)
                                                    : u"NaN"_s));
            }
            const QString run = v.runId ? u"run #%1"_s.arg(QString::number(*v.runId)) : u"no run"_s;
            lines.append(u"  v%1  %2  %3  %4  gate %5%6  %7"_s.arg(
                QString::number(v.version), v.aliases.isEmpty() ? u"-"_s : v.aliases.join(u","_s),
                run, v.created.toString(u"yyyy-MM-dd HH:mm"_s),
                v.gate.passed() ? u"passed"_s : u"failed"_s,
                v.gate.declared ? QString() : u" (none declared)"_s, metrics.join(u" "_s)));
        }
    }
    return lines.join(u'\n') + u'\n';
}

} // namespace cairn::registry
