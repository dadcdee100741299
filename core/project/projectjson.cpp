#include "projectjson.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cairn {

static QJsonArray toArray(const QStringList &list)
{
    QJsonArray a;
    for (const QString &s : list)
        a.append(s);
    return a;
}

// A dataset's `checks:` as declared, for `project show --json`.
static QJsonObject checksJson(const DatasetChecks &c)
{
    QJsonObject out;
    QJsonObject rows;
    if (c.minRows)
        rows.insert(u"min"_s, double(*c.minRows));
    if (c.maxRows)
        rows.insert(u"max"_s, double(*c.maxRows));
    if (!rows.isEmpty())
        out.insert(u"rows"_s, rows);
    QJsonObject columns;
    for (const ColumnCheck &col : c.columns) {
        QJsonObject o;
        if (!col.kind.isEmpty())
            o.insert(u"kind"_s, col.kind);
        if (col.min)
            o.insert(u"min"_s, *col.min);
        if (col.max)
            o.insert(u"max"_s, *col.max);
        if (col.maxMissingCount)
            o.insert(u"missing"_s, double(*col.maxMissingCount));
        if (col.maxMissingShare)
            o.insert(u"max_missing"_s, *col.maxMissingShare);
        if (col.unique)
            o.insert(u"unique"_s, true);
        if (col.allowed)
            o.insert(u"allowed"_s, QJsonArray::fromStringList(*col.allowed));
        columns.insert(col.column, o);
    }
    out.insert(u"columns"_s, columns);
    if (!c.key.isEmpty())
        out.insert(u"key"_s, QJsonArray::fromStringList(c.key));
    if (c.drift) {
        QJsonObject d{{u"max_share"_s, c.drift->maxShare}};
        if (!c.drift->test.isEmpty())
            d.insert(u"test"_s, c.drift->test);
        if (c.drift->threshold)
            d.insert(u"threshold"_s, *c.drift->threshold);
        if (!c.drift->reference.isEmpty())
            d.insert(u"reference"_s, c.drift->reference);
        out.insert(u"drift"_s, d);
    }
    return out;
}

static QJsonObject locationJson(const QString &file, SourceLocation loc)
{
    QJsonObject o;
    o.insert(u"file"_s, file);
    o.insert(u"line"_s, loc.line);
    o.insert(u"column"_s, loc.column);
    return o;
}

static QJsonArray filesJson(const Project &project, const QStringList &patterns)
{
    QJsonArray files;
    for (const QString &f : project.resolveFiles(patterns)) {
        QJsonObject o;
        o.insert(u"path"_s, project.relativePath(f));
        o.insert(u"size"_s, double(QFileInfo(f).size()));
        files.append(o);
    }
    return files;
}

static QJsonArray parametersJson(const QList<Parameter> &parameters)
{
    QJsonArray params;
    for (const Parameter &p : parameters) {
        QJsonObject po;
        po.insert(u"name"_s, p.name);
        po.insert(u"type"_s, paramTypeName(p.type));
        po.insert(u"required"_s, p.isRequired());
        if (p.defaultValue)
            po.insert(u"default"_s, *p.defaultValue);
        if (!p.description.isEmpty())
            po.insert(u"description"_s, p.description);
        params.append(po);
    }
    return params;
}

static QJsonObject pipelineJson(const Project &project, const PipelineSpec &pipeline)
{
    QJsonObject o;
    o.insert(u"name"_s, pipeline.name);
    if (!pipeline.description.isEmpty())
        o.insert(u"description"_s, pipeline.description);
    o.insert(u"parameters"_s, parametersJson(pipeline.parameters));
    QJsonArray steps;
    for (const PipelineStep &step : pipeline.steps) {
        QJsonObject so;
        so.insert(u"kind"_s, pipelineStepKindName(step.kind));
        so.insert(u"target"_s, step.target);
        so.insert(u"name"_s, step.displayName());
        if (step.kind == PipelineStep::Kind::Run) {
            QJsonObject values;
            for (const auto &[name, value] : step.parameters)
                values.insert(name, value);
            so.insert(u"parameters"_s, values);
        }
        if (step.kind == PipelineStep::Kind::Promote)
            so.insert(u"to"_s, step.alias);
        steps.append(so);
    }
    o.insert(u"steps"_s, steps);
    o.insert(u"location"_s, locationJson(project.projectFile, pipeline.location));
    return o;
}

QJsonObject projectToJson(const Project &project)
{
    QJsonObject root;
    root.insert(u"name"_s, project.name);
    root.insert(u"root"_s, project.rootDir);
    root.insert(u"format"_s, projectFormatName(project.format));
    root.insert(u"project_file"_s, project.projectFile);
    if (!project.description.isEmpty())
        root.insert(u"description"_s, project.description);

    QJsonArray eps;
    for (const EntryPoint &ep : project.entryPoints) {
        QJsonObject e;
        e.insert(u"name"_s, ep.name);
        e.insert(u"command"_s, ep.command);
        if (!ep.description.isEmpty())
            e.insert(u"description"_s, ep.description);
        if (!ep.workingDirectory.isEmpty())
            e.insert(u"working_dir"_s, ep.workingDirectory);
        e.insert(u"parameters"_s, parametersJson(ep.parameters));
        if (!ep.metricPatterns.isEmpty()) {
            QJsonArray mp;
            for (const MetricPattern &m : ep.metricPatterns) {
                QJsonObject o;
                o.insert(u"pattern"_s, m.regex);
                if (!m.metric.isEmpty())
                    o.insert(u"name"_s, m.metric);
                mp.append(o);
            }
            e.insert(u"metrics"_s, mp);
        }
        e.insert(u"location"_s, locationJson(project.projectFile, ep.location));
        eps.append(e);
    }
    root.insert(u"entry_points"_s, eps);

    QJsonArray datasets;
    for (const DatasetSpec &d : project.datasets) {
        QJsonObject o;
        o.insert(u"name"_s, d.name);
        o.insert(u"paths"_s, toArray(d.paths));
        o.insert(u"key"_s, toArray(d.key));
        if (!d.description.isEmpty())
            o.insert(u"description"_s, d.description);
        o.insert(u"files"_s, filesJson(project, d.paths));
        if (d.checks)
            o.insert(u"checks"_s, checksJson(*d.checks));
        datasets.append(o);
    }
    root.insert(u"datasets"_s, datasets);

    QJsonArray models;
    for (const ModelSpec &m : project.models) {
        QJsonObject o;
        o.insert(u"name"_s, m.name);
        o.insert(u"paths"_s, toArray(m.paths));
        if (!m.description.isEmpty())
            o.insert(u"description"_s, m.description);
        o.insert(u"files"_s, filesJson(project, m.paths));
        if (m.gate) {
            QJsonArray conditions;
            for (const GateCondition &c : m.gate->conditions)
                conditions.append(c.text);
            o.insert(u"gate"_s, QJsonObject{{u"metrics"_s, conditions},
                                            {u"data_checks"_s, m.gate->dataChecks}});
        }
        models.append(o);
    }
    root.insert(u"models"_s, models);

    QJsonArray pipelines;
    for (const PipelineSpec &p : project.pipelines)
        pipelines.append(pipelineJson(project, p));
    root.insert(u"pipelines"_s, pipelines);

    if (project.drift) {
        QJsonObject d;
        d.insert(u"reference"_s, project.drift->reference);
        d.insert(u"current"_s, project.drift->current);
        const DriftSettings &ds = *project.drift;
        if (!ds.test.isEmpty())
            d.insert(u"test"_s, ds.test);
        if (ds.threshold)
            d.insert(u"threshold"_s, *ds.threshold);
        d.insert(u"drift_share"_s, ds.driftShare);
        d.insert(u"binning"_s, ds.binning);
        QJsonObject types;
        for (const auto &[column, kind] : ds.columnTypes)
            types.insert(column, kind);
        if (!types.isEmpty())
            d.insert(u"column_types"_s, types);
        if (!ds.ignore.isEmpty())
            d.insert(u"ignore"_s, toArray(ds.ignore));
        if (ds.retrain) {
            QJsonObject r;
            if (!ds.retrain->pipeline.isEmpty())
                r.insert(u"pipeline"_s, ds.retrain->pipeline);
            else
                r.insert(u"entry_point"_s, ds.retrain->entryPoint);
            QJsonObject params;
            for (const auto &[name, value] : ds.retrain->parameters)
                params.insert(name, value);
            r.insert(u"parameters"_s, params);
            d.insert(u"retrain"_s, r);
        }
        root.insert(u"drift"_s, d);
    }
    QJsonArray warnings;
    for (const Error &w : project.warnings)
        warnings.append(w.toString());
    root.insert(u"warnings"_s, warnings);
    return root;
}

QString projectToText(const Project &project)
{
    QString out;
    out += u"Project %1 (%2)\n"_s.arg(project.name, QDir::toNativeSeparators(project.rootDir));
    if (project.format == ProjectFormat::None)
        out += u"  No project file: run `cairn-cli init` here to write a cairn.yaml.\n"_s;
    else
        out += u"  Declared in %1\n"_s.arg(project.relativePath(project.projectFile));
    if (!project.description.isEmpty())
        out += u"  %1\n"_s.arg(project.description);

    out += u"\nEntry points (%1)\n"_s.arg(project.entryPoints.size());
    for (const EntryPoint &ep : project.entryPoints) {
        out += u"  %1: %2\n"_s.arg(ep.name, ep.command.simplified());
        if (!ep.description.isEmpty())
            out += u"      %1\n"_s.arg(ep.description);
        for (const Parameter &p : ep.parameters) {
            QString line = u"      %1 (%2)"_s.arg(p.name, paramTypeName(p.type));
            line += p.defaultValue ? u" = %1"_s.arg(*p.defaultValue) : u", required"_s;
            if (!p.description.isEmpty())
                line += u"  — "_s + p.description;
            out += line + u'\n';
        }
    }
    auto files = [&](const QStringList &patterns) {
        const QStringList found = project.resolveFiles(patterns);
        if (found.isEmpty())
            return u"no file matches yet"_s;
        qint64 bytes = 0;
        for (const QString &f : found)
            bytes += QFileInfo(f).size();
        return u"%1 file%2, %3"_s.arg(found.size())
            .arg(found.size() == 1 ? QString() : u"s"_s)
            .arg(QLocale::c().formattedDataSize(bytes));
    };
    out += u"\nDatasets (%1)\n"_s.arg(project.datasets.size());
    for (const DatasetSpec &d : project.datasets) {
        out += u"  %1: %2 (%3)%4\n"_s.arg(d.name, d.paths.join(u", "_s), files(d.paths),
                                          d.key.isEmpty() ? QString()
                                                          : u", key "_s + d.key.join(u", "_s));
        if (d.checks) {
            QStringList on;
            if (d.checks->minRows || d.checks->maxRows)
                on.append(u"rows"_s);
            for (const ColumnCheck &c : d.checks->columns)
                on.append(c.column);
            if (d.checks->drift)
                on.append(u"drift"_s);
            // A dataset of several files is validated one file at a time.
            const bool one = project.resolveFiles(d.paths).size() <= 1;
            out += u"      checks: %1 (cairn-cli validate %2)\n"_s.arg(on.join(u", "_s),
                                                                       one ? d.name : u"FILE"_s);
        }
    }
    out += u"\nModels (%1)\n"_s.arg(project.models.size());
    for (const ModelSpec &m : project.models) {
        out += u"  %1: %2 (%3)\n"_s.arg(m.name, m.paths.join(u", "_s), files(m.paths));
        if (m.gate) {
            QStringList conditions;
            for (const GateCondition &c : m.gate->conditions)
                conditions.append(c.text);
            if (m.gate->dataChecks)
                conditions.append(u"the checks of the datasets the run used"_s);
            out += u"      gate: %1\n"_s.arg(conditions.join(u"; "_s));
        }
    }
    if (!project.pipelines.isEmpty())
        out += u"\nPipelines (%1)\n"_s.arg(project.pipelines.size());
    for (const PipelineSpec &p : project.pipelines) {
        QStringList steps;
        for (const PipelineStep &step : p.steps)
            steps.append(step.displayName());
        out += u"  %1: %2\n"_s.arg(p.name, steps.join(u" \u2192 "_s));
        if (!p.description.isEmpty())
            out += u"      %1\n"_s.arg(p.description);
        for (const Parameter &param : p.parameters) {
            QString line = u"      %1 (%2)"_s.arg(param.name, paramTypeName(param.type));
            line += param.defaultValue ? u" = %1"_s.arg(*param.defaultValue) : u", required"_s;
            out += line + u'\n';
        }
    }
    if (project.drift) {
        out += u"\nDrift\n  reference: %1\n  current: %2\n"_s.arg(project.drift->reference,
                                                                  project.drift->current);
        if (const auto &r = project.drift->retrain) {
            QStringList params;
            for (const auto &[name, value] : r->parameters)
                params.append(name + u'=' + value);
            out += u"  retrain: %1 %2\n"_s.arg(r->pipeline.isEmpty() ? r->entryPoint
                                                                     : u"pipeline "_s + r->pipeline,
                                               params.join(u' '));
        }
    }
    if (!project.warnings.isEmpty()) {
        out += u"\nWarnings\n"_s;
        for (const Error &w : project.warnings)
            out += u"  "_s + w.toString() + u'\n';
    }
    return out;
}

} // namespace cairn
