#include "pipelinestore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace cairn::pipeline {

namespace {

PipelineStep::Kind kindFromName(const QString &name)
{
    for (auto kind :
         {PipelineStep::Kind::Run, PipelineStep::Kind::Validate, PipelineStep::Kind::Gate,
          PipelineStep::Kind::Register, PipelineStep::Kind::Promote}) {
        if (pipelineStepKindName(kind) == name)
            return kind;
    }
    return PipelineStep::Kind::Run;
}

constexpr StepStatus kStatuses[] = {StepStatus::Pending,   StepStatus::Running,
                                    StepStatus::Finished,  StepStatus::Failed,
                                    StepStatus::Cancelled, StepStatus::Skipped};

std::optional<QDateTime> optionalTime(const Statement &s, int col)
{
    if (s.isNull(col))
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(s.int64(col));
}

QString paramsToJson(const ParamValues &params)
{
    QJsonObject o;
    for (const auto &[k, v] : params)
        o.insert(k, v);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

ParamValues paramsFromJson(const QString &json)
{
    ParamValues out;
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.append({it.key(), it.value().toString()});
    return out;
}

} // namespace

// <project>/.cairn/pipelines/<id>: steps.json (the steps with their values substituted, as the
// pipeline was at launch) and the detached supervisor's stderr.
QString pipelineDirectory(const QString &projectRoot, qint64 id)
{
    return QDir(projectRoot).filePath(u".cairn/pipelines/%1"_s.arg(id));
}

QJsonObject stepToJson(const PipelineStep &step)
{
    QJsonObject o;
    o.insert(u"kind"_s, pipelineStepKindName(step.kind));
    o.insert(u"target"_s, step.target);
    QJsonArray params;
    for (const auto &[k, v] : step.parameters)
        params.append(QJsonArray{k, v});
    o.insert(u"parameters"_s, params);
    o.insert(u"alias"_s, step.alias);
    return o;
}

PipelineStep stepFromJson(const QJsonObject &o)
{
    PipelineStep step;
    step.kind = kindFromName(o.value(u"kind"_s).toString());
    step.target = o.value(u"target"_s).toString();
    for (const QJsonValue &v : o.value(u"parameters"_s).toArray())
        step.parameters.append({v.toArray().at(0).toString(), v.toArray().at(1).toString()});
    step.alias = o.value(u"alias"_s).toString();
    return step;
}

QString stepStatusName(StepStatus status)
{
    switch (status) {
    case StepStatus::Pending:
        return u"pending"_s;
    case StepStatus::Running:
        return u"running"_s;
    case StepStatus::Finished:
        return u"finished"_s;
    case StepStatus::Failed:
        return u"failed"_s;
    case StepStatus::Cancelled:
        return u"cancelled"_s;
    case StepStatus::Skipped:
        return u"skipped"_s;
    }
    return {};
}

StepStatus stepStatusFromName(QStringView name)
{
    for (StepStatus s : kStatuses) {
        if (stepStatusName(s) == name)
            return s;
    }
    return StepStatus::Failed;
}

Result<qint64> PipelineStore::create(const PipelineRunRecord &record)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto ins = m_db.prepare(u"INSERT INTO pipeline_runs (pipeline, status, params, created_ms) "
                            "VALUES (?1, 'queued', ?2, ?3)");
    if (!ins)
        return fail(ins.error());
    ins->bind(1, record.pipeline)
        .bind(2, paramsToJson(record.params))
        .bind(3, record.created.toMSecsSinceEpoch());
    if (auto r = ins->exec(); !r)
        return fail(r.error());
    const qint64 id = m_db.lastInsertId();
    auto step = m_db.prepare(u"INSERT INTO pipeline_steps (pipeline_run_id, position, name, kind, "
                             "status) VALUES (?1, ?2, ?3, ?4, 'pending')");
    if (!step)
        return fail(step.error());
    for (const StepRecord &s : record.steps) {
        if (auto r = step->bind(1, id).bind(2, s.position).bind(3, s.name).bind(4, s.kind).exec();
            !r)
            return fail(r.error());
        step->reset();
    }
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return id;
}

Result<bool> PipelineStore::claim(qint64 id, qint64 supervisorPid, qint64 supervisorStart)
{
    auto s = m_db.prepare(u"UPDATE pipeline_runs SET status = 'running', started_ms = ?2, "
                          "supervisor_pid = ?3, supervisor_start = ?4 WHERE id = ?1 AND "
                          "status = 'queued'");
    if (!s)
        return fail(s.error());
    s->bind(1, id)
        .bind(2, QDateTime::currentMSecsSinceEpoch())
        .bind(3, supervisorPid)
        .bind(4, supervisorStart);
    if (auto r = s->exec(); !r)
        return fail(r.error());
    return m_db.changes() == 1;
}

Result<void> PipelineStore::recordSupervisor(qint64 id, qint64 supervisorPid,
                                             qint64 supervisorStart)
{
    auto s = m_db.prepare(u"UPDATE pipeline_runs SET supervisor_pid = ?2, supervisor_start = ?3 "
                          "WHERE id = ?1 AND status = 'queued'");
    if (!s)
        return fail(s.error());
    return s->bind(1, id).bind(2, supervisorPid).bind(3, supervisorStart).exec();
}

Result<void> PipelineStore::setStep(qint64 id, const StepRecord &step)
{
    auto s = m_db.prepare(u"UPDATE pipeline_steps SET status = ?3, run_id = ?4, message = ?5 "
                          "WHERE pipeline_run_id = ?1 AND position = ?2");
    if (!s)
        return fail(s.error());
    return s->bind(1, id)
        .bind(2, step.position)
        .bind(3, stepStatusName(step.status))
        .bind(4, step.runId)
        .bind(5, step.message)
        .exec();
}

Result<void> PipelineStore::end(qint64 id, const QString &status, const QString &error)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto s = m_db.prepare(
        u"UPDATE pipeline_runs SET status = ?2, error = ?3, ended_ms = ?4 WHERE id = ?1");
    if (!s)
        return fail(s.error());
    s->bind(1, id).bind(2, status).bind(3, error).bind(4, QDateTime::currentMSecsSinceEpoch());
    if (auto r = s->exec(); !r)
        return fail(r.error());
    auto skip = m_db.prepare(u"UPDATE pipeline_steps SET status = 'skipped' WHERE "
                             "pipeline_run_id = ?1 AND status = 'pending'");
    if (!skip)
        return fail(skip.error());
    if (auto r = skip->bind(1, id).exec(); !r)
        return fail(r.error());
    return tx.commit();
}

Result<bool> PipelineStore::endIf(qint64 id, const QString &fromStatus, const QString &status,
                                  const QString &error)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto s = m_db.prepare(u"UPDATE pipeline_runs SET status = ?3, error = ?4, ended_ms = ?5 "
                          "WHERE id = ?1 AND status = ?2");
    if (!s)
        return fail(s.error());
    s->bind(1, id)
        .bind(2, fromStatus)
        .bind(3, status)
        .bind(4, error)
        .bind(5, QDateTime::currentMSecsSinceEpoch());
    if (auto r = s->exec(); !r)
        return fail(r.error());
    if (m_db.changes() != 1)
        return false;
    // A step the gone supervisor was running cannot finish any more.
    auto steps = m_db.prepare(u"UPDATE pipeline_steps SET status = CASE status WHEN 'pending' "
                              "THEN 'skipped' ELSE ?2 END, message = CASE status WHEN 'running' "
                              "THEN ?3 ELSE message END WHERE pipeline_run_id = ?1 AND status IN "
                              "('pending', 'running')");
    if (!steps)
        return fail(steps.error());
    const QString stepStatus = status == u"cancelled"_s ? u"cancelled"_s : u"failed"_s;
    if (auto r = steps->bind(1, id).bind(2, stepStatus).bind(3, error).exec(); !r)
        return fail(r.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return true;
}

Result<PipelineRunRecord> PipelineStore::get(qint64 id)
{
    auto s = m_db.prepare(u"SELECT id, pipeline, status, params, created_ms, started_ms, "
                          "ended_ms, error FROM pipeline_runs WHERE id = ?1");
    if (!s)
        return fail(s.error());
    s->bind(1, id);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return fail(Error(u"there is no pipeline run %1"_s.arg(id))
                        .withHint(u"`cairn-cli pipeline --list` lists them"_s));
    PipelineRunRecord r;
    r.id = s->int64(0);
    r.pipeline = s->text(1);
    r.status = s->text(2);
    r.params = paramsFromJson(s->text(3));
    r.created = QDateTime::fromMSecsSinceEpoch(s->int64(4));
    r.started = optionalTime(*s, 5);
    r.ended = optionalTime(*s, 6);
    r.error = s->text(7);
    auto steps = m_db.prepare(u"SELECT position, name, kind, status, run_id, message FROM "
                              "pipeline_steps WHERE pipeline_run_id = ?1 ORDER BY position");
    if (!steps)
        return fail(steps.error());
    steps->bind(1, id);
    while (true) {
        auto more = steps->step();
        if (!more)
            return fail(more.error());
        if (!*more)
            break;
        StepRecord step;
        step.position = int(steps->int64(0));
        step.name = steps->text(1);
        step.kind = steps->text(2);
        step.status = stepStatusFromName(steps->text(3));
        step.runId = steps->optionalInt64(4);
        step.message = steps->text(5);
        r.steps.append(step);
    }
    return r;
}

Result<QList<qint64>> PipelineStore::newestIds(int limit)
{
    auto s = m_db.prepare(u"SELECT id FROM pipeline_runs ORDER BY id DESC LIMIT ?1");
    if (!s)
        return fail(s.error());
    s->bind(1, qint64(limit < 0 ? -1 : limit));
    QList<qint64> ids;
    while (true) {
        auto more = s->step();
        if (!more)
            return fail(more.error());
        if (!*more)
            break;
        ids.append(s->int64(0));
    }
    return ids;
}

Result<std::optional<std::pair<qint64, qint64>>> PipelineStore::supervisor(qint64 id)
{
    auto s =
        m_db.prepare(u"SELECT supervisor_pid, supervisor_start FROM pipeline_runs WHERE id = ?1");
    if (!s)
        return fail(s.error());
    s->bind(1, id);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row || s->isNull(0))
        return std::optional<std::pair<qint64, qint64>>();
    return std::optional<std::pair<qint64, qint64>>(std::pair{s->int64(0), s->int64(1)});
}

} // namespace cairn::pipeline
