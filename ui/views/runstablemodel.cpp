#include "runstablemodel.h"

#include "mlflow/mlflowimport.h"
#include "runs/runfilter.h"
#include "runsmodel.h"
#include "store/projectdb.h"

#include <QColor>
#include <QCoreApplication>
#include <QFileInfo>
#include <QLocale>
#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {

constexpr int kMaxParamColumns = 12;
constexpr int kMaxMetricColumns = 12;

void bindAll(Statement &s, const QVariantList &values, int first)
{
    int i = first;
    for (const QVariant &v : values) {
        switch (v.typeId()) {
        case QMetaType::Double:
        case QMetaType::Float:
            s.bind(i++, v.toDouble());
            break;
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong:
        case QMetaType::Bool:
            s.bind(i++, v.toLongLong());
            break;
        default:
            if (v.isNull())
                s.bindNull(i++);
            else
                s.bind(i++, v.toString());
        }
    }
}

// The SQL expressions a column sorts by, with the values they bind.
std::pair<QStringList, QVariantList> sortExpression(const RunsTableModel::Column &c)
{
    using K = RunsTableModel::ColumnKind;
    switch (c.kind) {
    case K::Id:
        return {{u"runs.id"_s}, {}};
    case K::Status:
        return {{u"runs.status"_s}, {}};
    case K::Name:
        return {{u"runs.name"_s}, {}};
    case K::EntryPoint:
        return {{u"runs.entry_point"_s}, {}};
    case K::Started:
        return {{u"coalesce(runs.started_ms, runs.created_ms)"_s}, {}};
    case K::Duration:
        return {{u"(coalesce(runs.ended_ms, ?) - runs.started_ms)"_s},
                {QDateTime::currentMSecsSinceEpoch()}};
    case K::Exit:
        return {{u"coalesce(runs.exit_code, 1000 + runs.exit_signal)"_s}, {}};
    case K::Param:
        // Numbers sort as numbers, other values after them as text.
        return {
            {u"(SELECT CASE WHEN p.value GLOB '*[^0-9.eE+-]*' OR p.value = '' THEN NULL ELSE "
             "CAST(p.value AS REAL) END FROM params p WHERE p.run_id = runs.id AND p.key = ?)"_s,
             u"(SELECT p.value FROM params p WHERE p.run_id = runs.id AND p.key = ?)"_s},
            {c.key, c.key}};
    case K::Metric:
        return {{u"(SELECT l.value FROM latest_metrics l JOIN metric_keys k ON k.id = l.key_id "
                 "WHERE l.run_id = runs.id AND k.name = ?)"_s},
                {c.key}};
    }
    return {{u"runs.id"_s}, {}};
}

struct Loaded
{
    QList<RunsTableModel::Column> columns;
    QStringList paramKeys;
    QStringList metricNames;
    QVector<qint64> ids;
    FilterContext context;
    QString error;
};

} // namespace

RunsTableModel::RunsTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_columns = {{ColumnKind::Id, {}},      {ColumnKind::Status, {}},
                 {ColumnKind::Name, {}},    {ColumnKind::EntryPoint, {}},
                 {ColumnKind::Started, {}}, {ColumnKind::Duration, {}},
                 {ColumnKind::Exit, {}}};
}

RunsTableModel::~RunsTableModel()
{
    *m_alive = false;
}

void RunsTableModel::setProjectRoot(const QString &root)
{
    m_root = root;
    // MLflow's runs belong to experiments: that is what the column holds for them.
    const bool store = mirroredMlflowStore(root).has_value();
    if (store != m_mlflowStore) {
        m_mlflowStore = store;
        emit headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
    }
    reload(false);
}

void RunsTableModel::setFilter(const Filter &filter)
{
    m_filter = filter;
    reload(false);
}

void RunsTableModel::refresh()
{
    reload(true);
}

void RunsTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= m_columns.size())
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    reload(false);
}

void RunsTableModel::reload(bool keepRows)
{
    const quint64 generation = ++m_generation;
    m_loading = true;
    const QString root = m_root;
    const Filter filter = m_filter;
    const Column sortBy = m_columns.value(m_sortColumn, Column{ColumnKind::Id, {}});
    const Qt::SortOrder order = m_sortOrder;
    if (!keepRows) {
        // Rows of the previous query must not show while the new one runs.
        beginResetModel();
        m_ids.clear();
        m_rowOfId.clear();
        m_pages.clear();
        m_requested.clear();
        endResetModel();
    }
    QPointer<RunsTableModel> self(this);
    auto alive = m_alive;
    (void)QtConcurrent::run(QThreadPool::globalInstance(), [=]() {
        Loaded out;
        if (root.isEmpty() || !QFileInfo::exists(projectDatabasePath(root))) {
            // No runs yet: an empty table.
        } else if (auto db = openProjectDatabase(root, Database::Mode::ReadOnly); !db) {
            out.error = db.error().toString();
        } else {
            Database &d = **db;
            // Columns for the parameters and metrics the newest runs use (bounded work however many
            // runs there are); the filter may name any of them.
            if (auto ctx = loadFilterContext(d))
                out.context = *ctx;
            if (auto s = d.prepare(
                    u"SELECT key FROM params WHERE run_id > (SELECT coalesce(max(id), 0) - 2000 "
                    "FROM runs) GROUP BY key ORDER BY count(*) DESC, key LIMIT ?1")) {
                s->bind(1, qint64(kMaxParamColumns));
                while (s->step().value_or(false))
                    out.paramKeys.append(s->text(0));
            }
            if (auto s = d.prepare(u"SELECT k.name FROM metric_keys k JOIN latest_metrics l ON "
                                   "l.key_id = k.id WHERE l.run_id > (SELECT coalesce(max(id), 0) "
                                   "- 2000 FROM runs) "
                                   "GROUP BY k.id ORDER BY count(*) DESC, k.name LIMIT ?1")) {
                s->bind(1, qint64(kMaxMetricColumns));
                while (s->step().value_or(false))
                    out.metricNames.append(s->text(0));
            }
            const auto [orderExpr, orderValues] = sortExpression(sortBy);
            QString sql = u"SELECT runs.id FROM runs"_s;
            if (!filter.where.isEmpty())
                sql += u" WHERE "_s + filter.where;
            const QString direction = order == Qt::AscendingOrder ? u" ASC"_s : u" DESC"_s;
            QStringList orderBy;
            for (const QString &e : orderExpr)
                orderBy << e + direction;
            sql += u" ORDER BY "_s + orderBy.join(u", "_s) + u", runs.id DESC"_s;
            auto s = d.prepare(sql);
            if (!s) {
                out.error = s.error().message;
            } else {
                bindAll(*s, filter.values, 1);
                bindAll(*s, orderValues, int(filter.values.size()) + 1);
                while (true) {
                    auto row = s->step();
                    if (!row) {
                        out.error = row.error().message;
                        break;
                    }
                    if (!*row)
                        break;
                    out.ids.append(s->int64(0));
                }
            }
        }
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [=, out = std::move(out)]() {
                RunsTableModel *m = *alive ? self.data() : nullptr;
                if (!m || m->m_generation != generation)
                    return;
                m->m_loading = false;
                if (!out.error.isEmpty()) {
                    emit m->loadFailed(out.error);
                    return;
                }
                m->beginResetModel();
                QList<Column> cols = m->m_columns.mid(0, 7);
                for (const QString &k : out.paramKeys)
                    cols.append({ColumnKind::Param, k});
                for (const QString &n : out.metricNames)
                    cols.append({ColumnKind::Metric, n});
                const Column sorted = m->m_columns.value(m->m_sortColumn);
                m->m_columns = cols;
                // Keep sorting by the same column if it still exists.
                m->m_sortColumn = 0;
                for (int i = 0; i < cols.size(); ++i) {
                    if (cols[i].kind == sorted.kind && cols[i].key == sorted.key)
                        m->m_sortColumn = i;
                }
                m->m_paramKeys = out.paramKeys;
                m->m_filterContext = out.context;
                m->m_metricNames = out.metricNames;
                m->m_ids = out.ids;
                m->m_rowOfId.clear();
                for (int i = 0; i < out.ids.size(); ++i)
                    m->m_rowOfId.insert(out.ids[i], i);
                m->m_pages.clear();
                m->m_requested.clear();
                m->endResetModel();
                emit m->loaded();
            },
            Qt::QueuedConnection);
    });
}

void RunsTableModel::requestPage(int page) const
{
    if (m_requested.contains(page))
        return;
    m_requested.insert(page);
    const qsizetype from = qsizetype(page) * PageSize;
    const QVector<qint64> ids = m_ids.mid(from, PageSize);
    if (ids.isEmpty())
        return;
    const QString root = m_root;
    const quint64 generation = m_generation;
    QPointer<RunsTableModel> self(const_cast<RunsTableModel *>(this));
    auto alive = m_alive;
    (void)QtConcurrent::run(QThreadPool::globalInstance(), [=]() {
        Page p;
        auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
        if (!db)
            return;
        Database &d = **db;
        QStringList marks;
        for (qsizetype i = 0; i < ids.size(); ++i)
            marks << u"?"_s;
        const QString in = u"("_s + marks.join(u',') + u")"_s;
        QHash<qint64, Row> rows;
        if (auto s =
                d.prepare(u"SELECT id, name, entry_point, command, status, created_ms, started_ms, "
                          "ended_ms, exit_code, exit_signal, error FROM runs WHERE id IN "_s +
                          in)) {
            for (qsizetype i = 0; i < ids.size(); ++i)
                s->bind(int(i + 1), ids[i]);
            while (s->step().value_or(false)) {
                Row r;
                r.run.id = s->int64(0);
                r.run.name = s->text(1);
                r.run.entryPoint = s->text(2);
                r.run.command = s->text(3);
                r.run.status = runStatusFromName(s->text(4)).value_or(RunStatus::Lost);
                r.run.created = QDateTime::fromMSecsSinceEpoch(s->int64(5));
                if (!s->isNull(6))
                    r.run.started = QDateTime::fromMSecsSinceEpoch(s->int64(6));
                if (!s->isNull(7))
                    r.run.ended = QDateTime::fromMSecsSinceEpoch(s->int64(7));
                if (!s->isNull(8))
                    r.run.exitCode = int(s->int64(8));
                if (!s->isNull(9))
                    r.run.exitSignal = int(s->int64(9));
                r.run.error = s->text(10);
                rows.insert(r.run.id, r);
            }
        }
        if (auto s = d.prepare(u"SELECT run_id, key, value FROM params WHERE run_id IN "_s + in)) {
            for (qsizetype i = 0; i < ids.size(); ++i)
                s->bind(int(i + 1), ids[i]);
            while (s->step().value_or(false)) {
                auto it = rows.find(s->int64(0));
                if (it != rows.end())
                    it->params.insert(s->text(1), s->text(2));
            }
        }
        if (auto s = d.prepare(u"SELECT l.run_id, k.name, l.value FROM latest_metrics l JOIN "
                               "metric_keys k ON k.id = l.key_id WHERE l.run_id IN "_s +
                               in)) {
            for (qsizetype i = 0; i < ids.size(); ++i)
                s->bind(int(i + 1), ids[i]);
            while (s->step().value_or(false)) {
                auto it = rows.find(s->int64(0));
                if (it != rows.end())
                    it->metrics.insert(s->text(1), s->optionalReal(2).value_or(std::nan("")));
            }
        }
        for (qint64 id : ids)
            p.rows.append(rows.value(id));
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [=, p = std::move(p)]() {
                RunsTableModel *m = *alive ? self.data() : nullptr;
                if (!m || m->m_generation != generation)
                    return;
                m->m_pages.insert(page, p);
                const int first = page * PageSize;
                const int last = std::min<int>(int(m->m_ids.size()), first + PageSize) - 1;
                if (last >= first)
                    emit m->dataChanged(m->index(first, 0), m->index(last, m->columnCount() - 1));
            },
            Qt::QueuedConnection);
    });
}

const RunsTableModel::Row *RunsTableModel::rowAt(int row) const
{
    const int page = row / PageSize;
    auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd()) {
        requestPage(page);
        return nullptr;
    }
    const int offset = row % PageSize;
    if (offset >= it->rows.size())
        return nullptr;
    return &it->rows[offset];
}

qint64 RunsTableModel::runIdAt(int row) const
{
    return row >= 0 && row < m_ids.size() ? m_ids[row] : -1;
}

int RunsTableModel::rowOfRun(qint64 id) const
{
    return m_rowOfId.value(id, -1);
}

int RunsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int RunsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant RunsTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_ids.size() || index.column() >= m_columns.size())
        return {};
    if (role == RunIdRole)
        return m_ids[index.row()];
    const Row *r = rowAt(index.row());
    if (role == LoadedRole)
        return r != nullptr;
    if (!r) {
        if (role == Qt::DisplayRole && index.column() == 0)
            return m_ids[index.row()];
        return {};
    }
    const RunRecord &run = r->run;
    const Column &c = m_columns[index.column()];
    if (role == StatusRole)
        return int(run.status);
    if (role == Qt::ForegroundRole && c.kind == ColumnKind::Status)
        return statusColor(run.status);
    if (role == Qt::ToolTipRole) {
        if (!run.error.isEmpty())
            return run.error;
        return run.command;
    }
    if (role == Qt::TextAlignmentRole) {
        switch (c.kind) {
        case ColumnKind::Id:
        case ColumnKind::Duration:
        case ColumnKind::Exit:
        case ColumnKind::Metric:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        case ColumnKind::Param: {
            bool numeric = false;
            r->params.value(c.key).toDouble(&numeric);
            return numeric ? int(Qt::AlignRight | Qt::AlignVCenter)
                           : int(Qt::AlignLeft | Qt::AlignVCenter);
        }
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (c.kind) {
    case ColumnKind::Id:
        return run.id;
    case ColumnKind::Status:
        return runStatusName(run.status);
    case ColumnKind::Name:
        return run.name;
    case ColumnKind::EntryPoint:
        return run.entryPoint;
    case ColumnKind::Started:
        return QLocale().toString(run.started.isValid() ? run.started : run.created,
                                  QLocale::ShortFormat);
    case ColumnKind::Duration:
        return formatDuration(run.durationMs());
    case ColumnKind::Exit:
        if (run.exitSignal)
            return tr("signal %1").arg(*run.exitSignal);
        return run.exitCode ? QVariant(*run.exitCode) : QVariant();
    case ColumnKind::Param:
        return r->params.value(c.key);
    case ColumnKind::Metric: {
        auto it = r->metrics.constFind(c.key);
        if (it == r->metrics.constEnd())
            return {};
        return QLocale().toString(*it, 'g', 5);
    }
    }
    return {};
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_columns.size())
        return {};
    const Column &c = m_columns[section];
    if (role == Qt::ToolTipRole) {
        if (c.kind == ColumnKind::Param)
            return tr("Parameter %1").arg(c.key);
        if (c.kind == ColumnKind::Metric)
            return tr("Latest value of the metric %1").arg(c.key);
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (c.kind) {
    case ColumnKind::Id:
        return tr("Run");
    case ColumnKind::Status:
        return tr("Status");
    case ColumnKind::Name:
        return tr("Name");
    case ColumnKind::EntryPoint:
        return m_mlflowStore ? tr("Experiment") : tr("Entry point");
    case ColumnKind::Started:
        return tr("Started");
    case ColumnKind::Duration:
        return tr("Duration");
    case ColumnKind::Exit:
        return tr("Exit");
    case ColumnKind::Param:
    case ColumnKind::Metric:
        return c.key;
    }
    return {};
}

} // namespace cairn::ui
