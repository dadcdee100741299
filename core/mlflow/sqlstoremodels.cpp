#include "sqlstore_p.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cairn::mlflow::sql {

Result<void> Reader::readRegistry()
{
    if (!has(u"registered_models"_s))
        return ok();
    QList<MlflowRegisteredModel> &models = m_store.registeredModels;
    QHash<QString, qsizetype> modelIndex;
    const QString rm = u"registered_models"_s;
    auto r = forEachRow(u"SELECT name, %1, %2, %3 FROM registered_models ORDER BY name"_s.arg(
                            col(rm, u"creation_time"_s), col(rm, u"last_updated_time"_s),
                            col(rm, u"description"_s)),
                        [&](const Statement &s) {
                            MlflowRegisteredModel model;
                            model.name = s.text(0);
                            model.creationTime = s.int64(1);
                            model.lastUpdatedTime = s.int64(2);
                            model.description = s.text(3);
                            modelIndex.insert(model.name, models.size());
                            models.append(std::move(model));
                        });
    if (!r)
        return r;

    qint64 orphaned = 0;
    if (has(u"registered_model_tags"_s)) {
        r = forEachRow(u"SELECT name, key, value FROM registered_model_tags"_s,
                       [&](const Statement &s) {
                           const qsizetype i = modelIndex.value(s.text(0), -1);
                           if (i < 0)
                               ++orphaned;
                           else
                               models[i].tags.insert(s.text(1), s.text(2));
                       });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), u"registered_model_tags"_s, u"registered model"_s);
    }

    // (model, version) → where the version is.
    QHash<QPair<QString, QString>, QPair<qsizetype, qsizetype>> versionIndex;
    if (has(u"model_versions"_s)) {
        const QString mv = u"model_versions"_s;
        const QString sql =
            u"SELECT name, version, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 "
            u"FROM model_versions ORDER BY name, version"_s.arg(
                col(mv, u"creation_time"_s), col(mv, u"last_updated_time"_s),
                col(mv, u"description"_s), col(mv, u"user_id"_s), col(mv, u"current_stage"_s),
                col(mv, u"source"_s), col(mv, u"run_id"_s), col(mv, u"status"_s),
                col(mv, u"status_message"_s), col(mv, u"storage_location"_s),
                col(mv, u"model_id"_s));
        r = forEachRow(sql, [&](const Statement &s) {
            const qsizetype i = modelIndex.value(s.text(0), -1);
            if (i < 0) {
                ++orphaned;
                return;
            }
            MlflowModelVersion version;
            version.version = s.text(1);
            version.creationTime = s.int64(2);
            version.lastUpdatedTime = s.int64(3);
            version.description = s.text(4);
            version.userId = s.text(5);
            version.currentStage = s.text(6);
            if (version.currentStage.isEmpty())
                version.currentStage = u"None"_s;
            version.deleted = version.currentStage == u"Deleted_Internal"_s;
            version.source = s.text(7);
            version.runId = s.text(8);
            version.status = s.text(9);
            version.statusMessage = s.text(10);
            version.storageLocation = s.text(11);
            version.modelId = s.text(12);
            versionIndex.insert({models[i].name, version.version}, {i, models[i].versions.size()});
            models[i].versions.append(std::move(version));
        });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), u"model_versions"_s, u"registered model"_s);
    }

    if (has(u"model_version_tags"_s)) {
        r = forEachRow(
            u"SELECT name, version, key, value FROM model_version_tags"_s, [&](const Statement &s) {
                const auto at = versionIndex.value({s.text(0), s.text(1)}, {-1, -1});
                if (at.first < 0)
                    ++orphaned;
                else
                    models[at.first].versions[at.second].tags.insert(s.text(2), s.text(3));
            });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), u"model_version_tags"_s, u"model version"_s);
    }

    if (has(u"registered_model_aliases"_s)) {
        r = forEachRow(
            u"SELECT name, alias, version FROM registered_model_aliases ORDER BY name, alias"_s,
            [&](const Statement &s) {
                const qsizetype i = modelIndex.value(s.text(0), -1);
                if (i < 0) {
                    ++orphaned;
                    return;
                }
                const QString alias = s.text(1);
                const QString version = s.text(2);
                models[i].aliases.insert(alias, version);
                const auto at = versionIndex.value({models[i].name, version}, {-1, -1});
                if (at.first >= 0)
                    models[i].versions[at.second].aliases.append(alias);
            });
        if (!r)
            return r;
        orphans(orphaned, u"registered_model_aliases"_s, u"registered model"_s);
    }
    return ok();
}

Result<void> Reader::readLoggedModels()
{
    if (!has(u"logged_models"_s))
        return ok();
    QList<MlflowLoggedModel> &models = m_store.loggedModels;
    const QString lm = u"logged_models"_s;
    const QString sql =
        u"SELECT model_id, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 "
        u"FROM logged_models"_s.arg(
            col(lm, u"experiment_id"_s), col(lm, u"name"_s), col(lm, u"artifact_location"_s),
            col(lm, u"creation_timestamp_ms"_s), col(lm, u"last_updated_timestamp_ms"_s),
            col(lm, u"status"_s), col(lm, u"lifecycle_stage"_s), col(lm, u"model_type"_s),
            col(lm, u"source_run_id"_s), col(lm, u"status_message"_s));
    auto r = forEachRow(sql, [&](const Statement &s) {
        MlflowLoggedModel model;
        model.id = s.text(0);
        model.experimentId = s.text(1);
        model.name = s.text(2);
        model.artifactLocation = s.text(3);
        model.creationTime = s.int64(4);
        model.lastUpdatedTime = s.int64(5);
        model.status = int(s.int64(6));
        model.lifecycleStage = s.text(7);
        if (model.lifecycleStage.isEmpty())
            model.lifecycleStage = u"active"_s;
        model.modelType = s.text(8);
        model.sourceRunId = s.text(9);
        model.statusMessage = s.text(10);
        models.append(std::move(model));
    });
    if (!r)
        return r;
    std::stable_sort(models.begin(), models.end(),
                     [&](const MlflowLoggedModel &a, const MlflowLoggedModel &b) {
                         const qsizetype ea = m_experimentIndex.value(a.experimentId, -1);
                         const qsizetype eb = m_experimentIndex.value(b.experimentId, -1);
                         if (ea != eb)
                             return ea < eb;
                         return a.id < b.id;
                     });
    IdIndex index;
    for (qsizetype i = 0; i < models.size(); ++i)
        index.insert(models[i].id, i);

    qint64 orphaned = 0;
    const struct
    {
        QString table, key, value;
        bool params;
    } keyValues[] = {
        {u"logged_model_params"_s, u"param_key"_s, u"param_value"_s, true},
        {u"logged_model_tags"_s, u"tag_key"_s, u"tag_value"_s, false},
    };
    for (const auto &kv : keyValues) {
        if (!has(kv.table))
            continue;
        r = forEachRow(u"SELECT model_id, %1, %2 FROM %3"_s.arg(kv.key, kv.value, kv.table),
                       [&](const Statement &s) {
                           const qsizetype i = index.find(s.utf8(0));
                           if (i < 0) {
                               ++orphaned;
                               return;
                           }
                           MlflowLoggedModel &model = models[i];
                           (kv.params ? model.params : model.tags).insert(s.text(1), s.text(2));
                       });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), kv.table, u"logged model"_s);
    }

    const QString t = u"logged_model_metrics"_s;
    if (!has(t))
        return ok();
    QList<MetricSet> metrics(models.size());
    const QString metricSql =
        u"SELECT model_id, metric_name, metric_value, %1, %2, %3, %4, %5 FROM %6"_s.arg(
            col(t, u"metric_timestamp_ms"_s, u"0"_s), col(t, u"metric_step"_s, u"0"_s),
            col(t, u"run_id"_s), col(t, u"dataset_name"_s), col(t, u"dataset_digest"_s), t);
    r = forEachRow(metricSql, [&](const Statement &s) {
        const qsizetype i = index.find(s.utf8(0));
        if (i < 0) {
            ++orphaned;
            return;
        }
        MlflowMetric &metric = metrics[i].get(s.utf8(1));
        MlflowMetricPoint point;
        point.value = metricValue(s, 2, -1);
        point.timestamp = s.int64(3);
        point.step = s.int64(4);
        point.context = mlflowContextIndex(metric, {s.text(5), s.text(6), s.text(7)});
        metric.points.append(point);
    });
    if (!r)
        return r;
    orphans(orphaned, t, u"logged model"_s);
    for (qsizetype i = 0; i < models.size(); ++i)
        models[i].metrics = metrics[i].finish();
    return ok();
}

} // namespace cairn::mlflow::sql
