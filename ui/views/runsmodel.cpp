#include "runsmodel.h"

#include <QColor>
#include <QLocale>

namespace cairn::ui {

QString formatDuration(qint64 ms)
{
    if (ms <= 0)
        return {};
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QColor statusColor(RunStatus status)
{
    switch (status) {
    case RunStatus::Queued:
        return QColor(0x7f, 0x8c, 0x8d);
    case RunStatus::Running:
        return QColor(0x29, 0x80, 0xb9);
    case RunStatus::Finished:
        return QColor(0x27, 0xae, 0x60);
    case RunStatus::Failed:
        return QColor(0xc0, 0x39, 0x2b);
    case RunStatus::Cancelled:
        return QColor(0xd3, 0x84, 0x00);
    case RunStatus::Lost:
        return QColor(0x8e, 0x44, 0xad);
    }
    return {};
}

void RunsModel::setRuns(QList<RunRecord> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

const RunRecord *RunsModel::run(qint64 id) const
{
    for (const RunRecord &r : m_runs) {
        if (r.id == id)
            return &r;
    }
    return nullptr;
}

int RunsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_runs.size())
        return {};
    const RunRecord &r = m_runs[index.row()];
    if (role == RunIdRole)
        return r.id;
    if (role == StatusRole)
        return int(r.status);
    if (role == Qt::DisplayRole || role == SortRole) {
        const bool sort = role == SortRole;
        switch (index.column()) {
        case IdColumn:
            return r.id;
        case StatusColumn:
            return runStatusName(r.status);
        case NameColumn:
            return r.name;
        case EntryPointColumn:
            return r.entryPoint;
        case StartedColumn:
            if (sort)
                return r.created.toMSecsSinceEpoch();
            return QLocale().toString(r.started.isValid() ? r.started : r.created,
                                      QLocale::ShortFormat);
        case DurationColumn:
            return sort ? QVariant(r.durationMs()) : QVariant(formatDuration(r.durationMs()));
        case ExitColumn:
            if (r.exitSignal)
                return sort ? QVariant(1000 + *r.exitSignal)
                            : QVariant(tr("signal %1").arg(*r.exitSignal));
            if (r.exitCode)
                return *r.exitCode;
            return sort ? QVariant(-1) : QVariant();
        case CommandColumn:
            return r.command;
        }
    }
    if (role == Qt::ForegroundRole && index.column() == StatusColumn)
        return statusColor(r.status);
    if (role == Qt::ToolTipRole) {
        if (!r.error.isEmpty())
            return r.error;
        if (index.column() == CommandColumn)
            return r.command;
    }
    if (role == Qt::TextAlignmentRole &&
        (index.column() == IdColumn || index.column() == DurationColumn ||
         index.column() == ExitColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn:
        return tr("Run");
    case StatusColumn:
        return tr("Status");
    case NameColumn:
        return tr("Name");
    case EntryPointColumn:
        return tr("Entry point");
    case StartedColumn:
        return tr("Started");
    case DurationColumn:
        return tr("Duration");
    case ExitColumn:
        return tr("Exit");
    case CommandColumn:
        return tr("Command");
    }
    return {};
}

} // namespace cairn::ui
