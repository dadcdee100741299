#include "dvcexpmodel.h"

#include <QApplication>
#include <QFont>
#include <QLocale>
#include <QPalette>
#include <QSet>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {
// The (file, key) pairs of every row's metrics or params files, in the order they first appear.
QList<DvcExpModel::ValueColumn> columnsOf(const QList<dvc::DvcRow> &rows, bool metric)
{
    QList<DvcExpModel::ValueColumn> columns;
    QSet<QString> seen;
    QSet<QString> files;
    for (const dvc::DvcRow &row : rows) {
        for (const dvc::ValuesFile &f : metric ? row.metrics : row.params) {
            files.insert(f.path);
            for (const dvc::FlatValue &v : f.values) {
                const QString id = f.path + u':' + v.key;
                if (seen.contains(id))
                    continue;
                seen.insert(id);
                columns.append({metric, f.path, v.key, {}});
            }
        }
    }
    for (DvcExpModel::ValueColumn &c : columns)
        c.label = files.size() > 1 ? QString(c.file + u':' + c.key) : c.key;
    return columns;
}
} // namespace

void DvcExpModel::setRows(QList<dvc::DvcRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_columns = columnsOf(m_rows, true) + columnsOf(m_rows, false);
    endResetModel();
}

int DvcExpModel::columnOf(bool metric, const QString &label) const
{
    for (int i = 0; i < m_columns.size(); ++i) {
        if (m_columns[i].metric == metric && m_columns[i].label == label)
            return FixedColumnCount + i;
    }
    return -1;
}

QString DvcExpModel::revisionLabel(const dvc::DvcRow &row)
{
    if (row.workspace)
        return row.differsFromHead ? tr("workspace (modified)") : tr("workspace");
    if (!row.experiment.isEmpty())
        return tr("%1 [%2]").arg(row.experiment, row.shortRev);
    if (!row.refs.isEmpty())
        return tr("%1 (%2)").arg(row.shortRev, row.refs.join(u", "_s));
    return row.shortRev;
}

int DvcExpModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DvcExpModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FixedColumnCount + int(m_columns.size());
}

const dvc::FlatValue *DvcExpModel::valueAt(int row, int column) const
{
    const ValueColumn &c = m_columns[column - FixedColumnCount];
    const dvc::DvcRow &r = m_rows[row];
    const dvc::ValuesFile *file = c.metric ? r.metricsFile(c.file) : r.paramsFile(c.file);
    return file ? file->find(c.key) : nullptr;
}

QVariant DvcExpModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const dvc::DvcRow &r = m_rows[index.row()];
    const int column = index.column();
    if (role == RowRole)
        return index.row();
    if (role == RevRole)
        return r.rev;
    if (column == ExperimentColumn) {
        switch (role) {
        case Qt::DisplayRole:
            // Experiments hang below the commit they started from, as in `dvc exp show`.
            return r.experiment.isEmpty() ? revisionLabel(r)
                                          : QString(QStringLiteral("  └ ") + revisionLabel(r));
        case SortRole:
            return index.row();
        case Qt::ToolTipRole: {
            if (r.workspace)
                return r.differsFromHead ? tr("The workspace differs from HEAD in %1")
                                               .arg(r.changedFiles.join(u", "_s))
                                         : tr("The workspace: the files on disk");
            QString tip = r.rev;
            if (!r.experiment.isEmpty())
                tip += u'\n' +
                       tr("DVC experiment %1, based on %2").arg(r.experiment, r.baseline.left(7));
            return tip;
        }
        case Qt::FontRole:
            if (r.workspace && r.differsFromHead) {
                QFont f = QApplication::font();
                f.setBold(true);
                return f;
            }
            break;
        }
        return {};
    }
    if (column == CreatedColumn) {
        switch (role) {
        case Qt::DisplayRole:
            return r.created.isValid()
                       ? QLocale().toString(r.created.toLocalTime(), QLocale::ShortFormat)
                       : QString();
        case SortRole:
            return r.created;
        }
        return {};
    }
    if (column == SummaryColumn) {
        if (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole)
            return r.summary;
        return {};
    }
    const dvc::FlatValue *v = valueAt(index.row(), column);
    switch (role) {
    case Qt::DisplayRole:
        return v ? v->text : u"-"_s;
    case SortRole:
        if (!v)
            return {};
        if (const auto n = v->number())
            return *n;
        return v->text;
    case Qt::TextAlignmentRole:
        if (!v)
            return int(Qt::AlignHCenter | Qt::AlignVCenter);
        if (v->number())
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (!v)
            return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
        break;
    }
    return {};
}

QVariant DvcExpModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (section < FixedColumnCount) {
        if (role != Qt::DisplayRole)
            return {};
        switch (section) {
        case ExperimentColumn:
            return tr("Experiment");
        case CreatedColumn:
            return tr("Created");
        case SummaryColumn:
            return tr("Message");
        }
        return {};
    }
    const ValueColumn &c = m_columns[section - FixedColumnCount];
    switch (role) {
    case Qt::DisplayRole:
        return c.label;
    case Qt::ToolTipRole:
        return c.metric ? tr("Metric %1:%2").arg(c.file, c.key)
                        : tr("Param %1:%2").arg(c.file, c.key);
    case Qt::FontRole:
        if (c.metric) {
            QFont f = QApplication::font();
            f.setBold(true);
            return f;
        }
        break;
    }
    return {};
}

} // namespace cairn::ui
