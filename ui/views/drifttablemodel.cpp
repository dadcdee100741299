#include "drifttablemodel.h"

#include "charts/driftcharts.h"

#include <QApplication>
#include <QFont>
#include <QLocale>
#include <QPalette>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::ui {

QString formatDriftNumber(double value)
{
    if (std::isnan(value))
        return u"NaN"_s;
    if (std::isinf(value))
        return value > 0 ? u"∞"_s : u"−∞"_s;
    const double a = std::abs(value);
    if (a != 0 && (a < 1e-3 || a >= 1e6))
        return QString::number(value, 'e', 2);
    return QString::number(value, 'g', 4);
}

QString formatShare(double share)
{
    const double pct = share * 100;
    if (pct == std::round(pct))
        return QString::number(pct, 'f', 0) + u'%';
    return QString::number(pct, 'f', std::abs(pct) < 0.1 ? 2 : 1) + u'%';
}

DriftTableModel::DriftTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void DriftTableModel::setReport(const drift::DriftReport &report)
{
    beginResetModel();
    m_report = report;
    endResetModel();
}

void DriftTableModel::clear()
{
    setReport({});
}

const drift::ColumnDrift *DriftTableModel::columnAt(int row) const
{
    if (row < 0 || row >= m_report.columns.size())
        return nullptr;
    return &m_report.columns.at(row);
}

int DriftTableModel::rowOf(const QString &columnName) const
{
    for (int i = 0; i < m_report.columns.size(); ++i) {
        if (m_report.columns.at(i).name == columnName)
            return i;
    }
    return -1;
}

DriftTableModel::Status DriftTableModel::statusOf(const drift::ColumnDrift &c)
{
    if (!c.skipped.isEmpty())
        return Status::Skipped;
    if (!c.result)
        return Status::Failed;
    return c.result->drifted ? Status::Drifted : Status::Stable;
}

int DriftTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_report.columns.size());
}

int DriftTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DriftTableModel::display(const drift::ColumnDrift &c, int column) const
{
    const QLocale locale;
    switch (Column(column)) {
    case NameColumn:
        return c.name;
    case KindColumn:
        return drift::kindName(c.kind);
    case TestColumn:
        return c.test.isEmpty() ? tr("not tested") : c.test;
    case ScoreColumn:
        return c.result ? formatDriftNumber(c.result->score) : QString();
    case PValueColumn:
        return c.result && c.result->pValue ? formatDriftNumber(*c.result->pValue) : QString();
    case ThresholdColumn:
        return c.test.isEmpty() ? QString() : formatDriftNumber(c.threshold);
    case DriftedColumn:
        switch (statusOf(c)) {
        case Status::Drifted:
            return tr("Drifted");
        case Status::Stable:
            return tr("No drift");
        case Status::Skipped:
            return tr("Skipped");
        case Status::Failed:
            return tr("Error");
        }
        return {};
    case MissingColumn: {
        QString text = formatShare(c.missingShareRef) + u" → "_s + formatShare(c.missingShareCur);
        if (c.missingDrifted)
            text.prepend(u"⚠ "_s);
        return text;
    }
    case NRefColumn:
        return locale.toString(c.nRef);
    case NCurColumn:
        return locale.toString(c.nCur);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant DriftTableModel::sortValue(const drift::ColumnDrift &c, int column) const
{
    switch (Column(column)) {
    case NameColumn:
    case KindColumn:
    case TestColumn:
        return display(c, column).toString().toLower();
    case ScoreColumn:
        return c.result ? QVariant(c.result->score) : QVariant();
    case PValueColumn:
        return c.result && c.result->pValue ? QVariant(*c.result->pValue) : QVariant();
    case ThresholdColumn:
        return c.test.isEmpty() ? QVariant() : QVariant(c.threshold);
    case DriftedColumn:
        return int(statusOf(c)) * 2 + (c.missingDrifted ? 1 : 0);
    case MissingColumn:
        return std::abs(c.missingShareCur - c.missingShareRef);
    case NRefColumn:
        return double(c.nRef);
    case NCurColumn:
        return double(c.nCur);
    case ColumnCount:
        break;
    }
    return {};
}

QString DriftTableModel::toolTip(const drift::ColumnDrift &c, int column) const
{
    if (!c.skipped.isEmpty())
        return tr("%1 is not tested: %2").arg(c.name, c.skipped);
    if (!c.error.isEmpty())
        return tr("%1 could not be tested: %2").arg(c.name, c.error);
    if (column == MissingColumn) {
        const double moved = std::abs(c.missingShareCur - c.missingShareRef) * 100;
        return c.missingDrifted
                   ? tr("The share of missing values moved by %1 points: missing-value drift")
                         .arg(QString::number(moved, 'f', 1))
                   : tr("Missing values: %1 of the reference, %2 of the current data")
                         .arg(formatShare(c.missingShareRef), formatShare(c.missingShareCur));
    }
    if (column == ScoreColumn || column == DriftedColumn || column == PValueColumn) {
        if (!c.result)
            return {};
        const bool pValue = drift::isPValueTest(c.test);
        QString tip = pValue ? tr("%1: p-value %2; drift when it is below the threshold %3")
                                   .arg(c.test, formatDriftNumber(c.result->score),
                                        formatDriftNumber(c.threshold))
                             : tr("%1: distance %2; drift when it reaches the threshold %3")
                                   .arg(c.test, formatDriftNumber(c.result->score),
                                        formatDriftNumber(c.threshold));
        if (c.result->statistic)
            tip += u'\n' + tr("Statistic: %1").arg(formatDriftNumber(*c.result->statistic));
        for (const drift::TestOutcome &t : c.tests.mid(1)) {
            if (t.result)
                tip += u'\n' + tr("%1: %2 (%3)")
                                   .arg(t.name, formatDriftNumber(t.result->score),
                                        t.result->drifted ? tr("drift") : tr("no drift"));
            else
                tip += u'\n' + tr("%1: %2").arg(t.name, t.error);
        }
        return tip;
    }
    return {};
}

QVariant DriftTableModel::data(const QModelIndex &index, int role) const
{
    const drift::ColumnDrift *c = index.isValid() ? columnAt(index.row()) : nullptr;
    if (!c)
        return {};
    const int column = index.column();
    const Status status = statusOf(*c);
    switch (role) {
    case Qt::DisplayRole:
        return display(*c, column);
    case SortRole:
        return sortValue(*c, column);
    case StatusRole:
        return int(status);
    case ColumnNameRole:
        return c->name;
    case MissingDriftedRole:
        return c->missingDrifted;
    case Qt::ToolTipRole: {
        const QString tip = toolTip(*c, column);
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case Qt::TextAlignmentRole:
        if (column == ScoreColumn || column == PValueColumn || column == ThresholdColumn ||
            column == NRefColumn || column == NCurColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (column == DriftedColumn)
            return QVariant::fromValue(Qt::AlignCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::BackgroundRole:
        if (column == DriftedColumn && (status == Status::Drifted || status == Status::Stable))
            return driftBadgeColor(status == Status::Drifted);
        if (column == MissingColumn && c->missingDrifted)
            return driftWarningBadgeColor();
        return {};
    case Qt::ForegroundRole:
        if (column == DriftedColumn && (status == Status::Drifted || status == Status::Stable))
            return driftBadgeTextColor(status == Status::Drifted);
        if (status == Status::Skipped || status == Status::Failed)
            return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (column == DriftedColumn && status == Status::Drifted) {
            QFont f;
            f.setBold(true);
            return f;
        }
        if (status == Status::Skipped || status == Status::Failed) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

QVariant DriftTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (Column(section)) {
        case NameColumn:
            return tr("Column");
        case KindColumn:
            return tr("Kind");
        case TestColumn:
            return tr("Test");
        case ScoreColumn:
            return tr("Score");
        case PValueColumn:
            return tr("p-value");
        case ThresholdColumn:
            return tr("Threshold");
        case DriftedColumn:
            return tr("Drift");
        case MissingColumn:
            return tr("Missing");
        case NRefColumn:
            return tr("n ref");
        case NCurColumn:
            return tr("n cur");
        case ColumnCount:
            break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case ScoreColumn:
            return tr("The drift score: a p-value for statistical tests (drift when small), a "
                      "distance for the others (drift when large)");
        case PValueColumn:
            return tr("Only for tests that give a p-value");
        case MissingColumn:
            return tr("Share of missing values in the reference and in the current data; ⚠ "
                      "when it moved by at least the missing-share threshold");
        case NRefColumn:
        case NCurColumn:
            return tr("Values compared, after dropping missing and infinite ones");
        default:
            break;
        }
    }
    return {};
}

DriftSortProxy::DriftSortProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(DriftTableModel::SortRole);
    setFilterKeyColumn(DriftTableModel::NameColumn);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void DriftSortProxy::setDriftedOnly(bool on)
{
    if (on == m_driftedOnly)
        return;
    m_driftedOnly = on;
    invalidateFilter();
}

bool DriftSortProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    // Empty cells go last whichever way the column is sorted.
    const bool descending = sortOrder() == Qt::DescendingOrder;
    if (!l.isValid() || !r.isValid()) {
        if (l.isValid() == r.isValid())
            return false;
        return l.isValid() != descending;
    }
    if (l.typeId() == QMetaType::QString || r.typeId() == QMetaType::QString)
        return l.toString().localeAwareCompare(r.toString()) < 0;
    const double a = l.toDouble();
    const double b = r.toDouble();
    const bool aNan = std::isnan(a);
    const bool bNan = std::isnan(b);
    if (aNan || bNan)
        return aNan != bNan && !aNan != descending;
    return a < b;
}

bool DriftSortProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_driftedOnly) {
        const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
        const auto status = DriftTableModel::Status(idx.data(DriftTableModel::StatusRole).toInt());
        if (status != DriftTableModel::Status::Drifted &&
            !idx.data(DriftTableModel::MissingDriftedRole).toBool())
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace cairn::ui
