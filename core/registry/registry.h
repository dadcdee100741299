#pragma once

// The model registry: registered versions of the project's declared models, aliases on them,
// and the full history of alias changes (docs/registry.md). Kept in the project database (schema
// v5, one holder per alias enforced since v6, store/projectdb.cpp). Promotion to any alias but
// `archived` requires the model's gate to pass, evaluated at that moment; an override needs a
// written reason, which is recorded.

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

// True when run `runId`'s lineage shows it wrote one of `model`'s files: an "after" hash that
// differs from the file's "before" hash, or a file that was not there before. Every run records
// every declared file, so a run that only read the model (an evaluation, a pipeline's `cairn
// gate`) holds "after" records of it too: this is what tells the run that trained it.
Result<bool> runWroteModel(Database &db, const QString &model, qint64 runId);
// The finished runs whose lineage shows they wrote (changed or created) one of `model`'s files,
// newest first, at most `limit` of them (0 or less: all). Errors: the model is not declared.
Result<QList<qint64>> runsThatWrote(Database &db, const Project &project, const QString &model,
                                    int limit);

// Registers the model files run `runId` left (its lineage "after" records) as the next version,
// with the metrics snapshot, the datasets the run used and the gate evaluated now. Errors: the
// model is not declared, the run did not finish, it recorded none of the model's files, it did
// not write them (runWroteModel(); the message names the runs that wrote that content, if
// any), or the same content is already registered (the message names that version).
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
// succeeds. preparePromotion() then commitPromotion().
Result<Transition> promote(const Project &project, Database &db, const PromoteRequest &request);

// A promotion whose gate was evaluated, not yet applied.
struct PreparedPromotion
{
    PromoteRequest request;
    Transition transition;          // what will be recorded: gate outcome, override, reason
    std::optional<GateReport> gate; // none when archiving
};
// Checks the request and evaluates the gate, outside any transaction (data checks take time).
// A failed gate without a reason is the refusal promote() returns.
Result<PreparedPromotion> preparePromotion(const Project &project, Database &db,
                                           const PromoteRequest &request);
// Applies a prepared promotion in one write transaction. Inside it, every alias the gate read
// (GateReport::aliasesRead) must still be held by the same version, else nothing moves and the
// Error says "production moved to version N while the gate was evaluated; promote again" (not a
// gate refusal); the version's own aliases are read there too (archiving takes them all away).
Result<Transition> commitPromotion(Database &db, const PreparedPromotion &prepared);
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
