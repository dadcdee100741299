#include "common/logging.h"
#include "mlflow/mlflowimport.h"
#include "projectfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn {

QString findProjectFile(const QString &rootDir, ProjectFormat *format)
{
    const QDir dir(rootDir);
    auto found = [&](const QString &name, ProjectFormat f) {
        if (format)
            *format = f;
        return dir.filePath(name);
    };
    if (QFileInfo(dir.filePath(u"cairn.yaml"_s)).isFile())
        return found(u"cairn.yaml"_s, ProjectFormat::Cairn);
    // MLflow matches the MLproject file name case-insensitively.
    const auto entries = dir.entryList(QDir::Files | QDir::Hidden);
    for (const QString &e : entries) {
        if (e.compare(u"MLproject"_s, Qt::CaseInsensitive) == 0)
            return found(e, ProjectFormat::MLproject);
    }
    if (QFileInfo(dir.filePath(u"dvc.yaml"_s)).isFile())
        return found(u"dvc.yaml"_s, ProjectFormat::Dvc);
    if (format)
        *format = ProjectFormat::None;
    return {};
}

static Result<QByteArray> readSmallFile(const QString &path)
{
    constexpr qint64 maxSize = 16 * 1024 * 1024;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read the project file: %1"_s.arg(f.errorString()), path)
                        .withHint(u"Check that the file exists and that you may read it"_s));
    if (f.size() > maxSize)
        return fail(Error(u"the project file is %1 MB, which is too large for a project file"_s.arg(
                              f.size() / (1024 * 1024)),
                          path));
    return f.readAll();
}

std::expected<Project, Errors> loadProject(const QString &dir)
{
    const QFileInfo info(dir);
    if (!info.exists())
        return std::unexpected(Errors{Error(u"the folder does not exist"_s, dir)
                                          .withHint(u"Choose an existing project folder"_s)});
    if (!info.isDir())
        return std::unexpected(Errors{Error(u"this is a file, not a project folder"_s, dir)
                                          .withHint(u"Open the folder that contains it"_s)});
    const QString root = info.canonicalFilePath();

    ProjectFormat format = ProjectFormat::None;
    const QString file = findProjectFile(root, &format);
    qCDebug(lcProject) << "loading" << root << "from" << file;
    if (file.isEmpty()) {
        Project p;
        p.rootDir = root;
        p.name = QFileInfo(root).fileName();
        if (auto store = mirroredMlflowStore(root)) {
            // A store opened read-only: its runs are in this folder's database, its files stay
            // where they are, and it declares nothing to launch.
            p.format = ProjectFormat::MlflowStore;
            p.projectFile = store->path;
            const QFileInfo s(store->path);
            p.name = s.fileName() == u"mlruns"_s || s.fileName() == u"mlflow.db"_s
                         ? u"%1/%2"_s.arg(s.dir().dirName(), s.fileName())
                         : s.fileName();
        }
        return p;
    }
    const auto bytes = readSmallFile(file);
    if (!bytes)
        return std::unexpected(Errors{bytes.error()});
    switch (format) {
    case ProjectFormat::Cairn:
        return parseCairnYaml(file, *bytes, root);
    case ProjectFormat::MLproject:
        return parseMLproject(file, *bytes, root);
    case ProjectFormat::Dvc: {
        QByteArray params;
        const QString paramsFile = QDir(root).filePath(u"params.yaml"_s);
        if (QFileInfo(paramsFile).isFile()) {
            if (auto p = readSmallFile(paramsFile))
                params = *p;
        }
        return parseDvcYaml(file, *bytes, root, params);
    }
    case ProjectFormat::None:
    case ProjectFormat::MlflowStore:
        break;
    }
    return std::unexpected(Errors{Error(u"unknown project format"_s, file)});
}

QString cairnYamlTemplate(const QString &name)
{
    QString yamlName = name;
    yamlName.replace(u'"', u"\\\""_s);
    return uR"(# Cairn project file. Reference: docs/project-file.md
version: 1
name: "%1"

# Commands Cairn can launch. {name} placeholders are replaced by parameter values,
# shell-quoted. Parameter types: int, float, string, bool, path.
entry_points:
  train:
    description: Train the model
    command: python train.py --data {data} --epochs {epochs} --lr {lr}
    parameters:
      data: {type: path, default: data/train.csv, description: Training table}
      epochs: {type: int, default: 10}
      lr: {type: float, default: 0.01, description: Learning rate}

# Tables the project reads: a path or a glob, and optionally the key column(s).
datasets:
  train:
    path: data/train.csv
    # key: id

# Model artifacts the project writes.
models:
  model:
    path: models/*

# Drift: the data the model was trained on, and the batches to compare with it.
# drift:
#   reference: train
#   current: data/incoming/*.csv
)"_s.arg(yamlName);
}

} // namespace cairn
