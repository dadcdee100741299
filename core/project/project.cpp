#include "project.h"

#include "glob.h"

#include <QDir>

using namespace Qt::StringLiterals;

namespace cairn {

QString projectFormatName(ProjectFormat format)
{
    switch (format) {
    case ProjectFormat::None:
        return u"none"_s;
    case ProjectFormat::Cairn:
        return u"cairn.yaml"_s;
    case ProjectFormat::MLproject:
        return u"MLproject"_s;
    case ProjectFormat::Dvc:
        return u"dvc.yaml"_s;
    case ProjectFormat::MlflowStore:
        return u"MLflow store"_s;
    }
    return {};
}

const Parameter *EntryPoint::parameter(QStringView paramName) const
{
    for (const Parameter &p : parameters) {
        if (p.name == paramName)
            return &p;
    }
    return nullptr;
}

template<typename T>
static const T *findByName(const QList<T> &list, QStringView name)
{
    for (const T &item : list) {
        if (item.name == name)
            return &item;
    }
    return nullptr;
}

const EntryPoint *Project::entryPoint(QStringView entryName) const
{
    return findByName(entryPoints, entryName);
}

const DatasetSpec *Project::dataset(QStringView datasetName) const
{
    return findByName(datasets, datasetName);
}

const ModelSpec *Project::model(QStringView modelName) const
{
    return findByName(models, modelName);
}

const PipelineSpec *Project::pipeline(QStringView pipelineName) const
{
    return findByName(pipelines, pipelineName);
}

QString pipelineStepKindName(PipelineStep::Kind kind)
{
    switch (kind) {
    case PipelineStep::Kind::Run:
        return u"run"_s;
    case PipelineStep::Kind::Validate:
        return u"validate"_s;
    case PipelineStep::Kind::Gate:
        return u"gate"_s;
    case PipelineStep::Kind::Register:
        return u"register"_s;
    case PipelineStep::Kind::Promote:
        return u"promote"_s;
    }
    return {};
}

QString PipelineStep::displayName() const
{
    switch (kind) {
    case Kind::Run:
        return target;
    case Kind::Promote:
        return u"promote %1 \u2192 %2"_s.arg(target, alias);
    default:
        return u"%1 %2"_s.arg(pipelineStepKindName(kind), target);
    }
}

QStringList Project::resolveFiles(const QStringList &patterns) const
{
    QStringList out;
    for (const QString &p : patterns)
        out += expandGlob(rootDir, p);
    out.removeDuplicates();
    return out;
}

QString Project::absolutePath(const QString &relative) const
{
    return QDir::cleanPath(QDir(rootDir).absoluteFilePath(relative));
}

QString Project::relativePath(const QString &absolute) const
{
    return QDir(rootDir).relativeFilePath(absolute);
}

QString Project::stateDir() const
{
    return QDir(rootDir).filePath(u".cairn"_s);
}

} // namespace cairn
