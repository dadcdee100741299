#pragma once

// The model registry: registered versions of the project's declared models, aliases on them,
// and the full history of alias changes (docs/registry.md). Kept in the project database (schema
// v5, store/projectdb.cpp). Promotion to any alias but `archived` requires the model's gate to
// pass, evaluated at that moment; an override needs a written reason, which is recorded.

#include "common/error.h"
#include "gate.h"
#include "project/project.h"
#include "store/database.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMap>

#include <optional>

namespace cairn::registry {

inline constexpr QStringView kStaging = u"staging";
inline constexpr QStringView kProduction = u"production";
// Any number of versions can be archived; archiving a version takes its other aliases away.
inline constexpr QStringView kArchived = u"archived";

struct VersionFile
{
    QString path; // relative to the project root
    QString hash; // xxh128:<hex>
    qint64 size = 0;
};

struct DatasetUse
{
    QString name; // the dataset's name in the project file
    QString path;
    QString hash;
};

struct ModelVersion
{
    QString model;
    int version = 0; // 1, 2, ...
    QDateTime created;
    std::optional<qint64> runId; // the run that wrote the files
    QString entryPoint;          // that run's entry point, when known
    QList<VersionFile> files;
    QJsonObject metrics; // metricsSnapshot() at registration
    QList<DatasetUse> datasets;
    GateReport gate; // as evaluated at registration
    QString note;
    QStringList aliases; // held now, conventional ones first
};

struct Transition
{
    qint64 id = 0;
    QString model;
    int version = 0;
    QString alias;  // empty for "register"
    QString action; // "register", "set", "remove"
    std::optional<int> previousVersion;
    QDateTime when;
    std::optional<bool> gatePassed; // nullopt when no gate was needed
    bool overridden = false;
    QString reason;
    QString user; // $USER
};

struct RegisteredModel
{
    QString name;
    QDateTime created;
    QList<ModelVersion> versions; // newest first
    QMap<QString, QList<int>> aliases;
};

// Every registered model with its versions and aliases.
Result<QList<RegisteredModel>> listModels(Database &db);
Result<ModelVersion> modelVersion(Database &db, const QString &model, int version);
// The version holding `alias` now (for `archived`, the newest archived one), if any.
Result<std::optional<ModelVersion>> versionByAlias(Database &db, const QString &model,
                                                   const QString &alias);
// Newest first; `model` empty: every model.
Result<QList<Transition>> history(Database &db, const QString &model = {});

// Registers the model files run `runId` left (its lineage "after" records) as the next version,
// with the metrics snapshot, the datasets the run used and the gate evaluated now. Errors: the
// model is not declared, the run did not finish, it recorded none of the model's files, or the
// same content is already registered (the message names that version).
Result<ModelVersion> registerVersion(const Project &project, Database &db, const QString &model,
                                     qint64 runId, const QString &note = {});

struct PromoteRequest
{
    QString model;
    int version = 0;
    QString alias;  // "staging", "production", "archived" or a free name ("champion")
    QString reason; // required to promote past a failed gate
};

// Moves `alias` to the version (or archives it). The gate is evaluated now; when it fails and
// no reason is given, the promotion is refused with an Error whose message lists the failed
// conditions and whose hint says how to override. Recorded in the history either way it
// succeeds.
Result<Transition> promote(const Project &project, Database &db, const PromoteRequest &request);
// True for the Error promote() returns when the gate failed and no reason was given (the
// CLI exits 1 on it, 2 on other errors).
bool isGateRefusal(const Error &error);
// Takes `alias` off `version`; recorded with the reason.
Result<Transition> removeAlias(Database &db, const QString &model, int version,
                               const QString &alias, const QString &reason = {});

// A valid alias: lower-case letters, digits, '-' and '_', starting with a letter; not "latest"
// and not a number. Returns an error message, empty when valid.
QString checkAliasName(const QString &alias);

QJsonObject modelVersionToJson(const ModelVersion &version);
QJsonObject transitionToJson(const Transition &transition);
// `{"models": [{"name", "created", "aliases": {"production": 3}, "versions": [...]}]}`
QJsonObject modelsToJson(const QList<RegisteredModel> &models);
QString modelsToText(const QList<RegisteredModel> &models);

} // namespace cairn::registry
