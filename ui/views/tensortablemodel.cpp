#include "tensortablemodel.h"

#include "theme.h"

#include <QLocale>
#include <QPainter>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {

QString shapeText(const std::vector<qint64> &shape, const QString &dtype)
{
    if (dtype.isEmpty())
        return {};
    QStringList dims;
    for (qint64 d : shape)
        dims.append(QString::number(d));
    return u"["_s + dims.join(u", "_s) + u"]"_s;
}

QVariant figure(const std::optional<double> &value)
{
    if (!value)
        return {};
    return formatFigure(*value);
}

double sortable(const std::optional<double> &value)
{
    if (!value || std::isnan(*value))
        return -std::numeric_limits<double>::infinity();
    return *value;
}

QString statusText(const QString &status)
{
    if (status == u"shape_changed"_s)
        return TensorTableModel::tr("shape changed");
    if (status == u"dtype_changed"_s)
        return TensorTableModel::tr("dtype changed");
    return status;
}

} // namespace

QString formatFigure(double value)
{
    if (std::isnan(value))
        return u"NaN"_s;
    if (std::isinf(value))
        return value > 0 ? u"∞"_s : u"−∞"_s;
    if (value == 0)
        return u"0"_s;
    const double mag = std::fabs(value);
    if (mag < 1e-3 || mag >= 1e6)
        return QString::number(value, 'e', 3);
    return QString::number(value, 'g', 4);
}

TensorTableModel::TensorTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void TensorTableModel::setTensors(QList<diff::TensorDiff> tensors)
{
    beginResetModel();
    m_tensors = std::move(tensors);
    m_maxRel = 0;
    for (const diff::TensorDiff &t : m_tensors)
        if (t.relL2 && std::isfinite(*t.relL2))
            m_maxRel = std::max(m_maxRel, *t.relL2);
    endResetModel();
}

int TensorTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tensors.size());
}

int TensorTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TensorTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_tensors.size())
        return {};
    const diff::TensorDiff &t = m_tensors[index.row()];
    if (role == StatusRole)
        return t.status;
    if (role == BarRole) {
        if (index.column() != RelL2 || !t.relL2 || !std::isfinite(*t.relL2) || m_maxRel <= 0)
            return {};
        return *t.relL2 / m_maxRel;
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Name:
            return t.name;
        case Status:
            return t.status;
        case ShapeA:
            return shapeText(t.shapeA, t.dtypeA);
        case ShapeB:
            return shapeText(t.shapeB, t.dtypeB);
        case DType:
            return QString(t.dtypeA + t.dtypeB);
        case Elements:
            return t.elements;
        case RelL2:
            return sortable(t.relL2);
        case L2Diff:
            return sortable(t.l2Diff);
        case MaxAbsDiff:
            return sortable(t.maxAbsDiff);
        case Cosine:
            return sortable(t.cosine);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name:
            return t.name;
        case Status:
            return statusText(t.status);
        case ShapeA:
            return shapeText(t.shapeA, t.dtypeA);
        case ShapeB:
            return shapeText(t.shapeB, t.dtypeB);
        case DType:
            if (t.dtypeA.isEmpty() || t.dtypeB.isEmpty() || t.dtypeA == t.dtypeB)
                return t.dtypeA.isEmpty() ? t.dtypeB : t.dtypeA;
            return QString(t.dtypeA + u" → "_s + t.dtypeB);
        case Elements:
            return QLocale().toString(t.elements);
        case RelL2:
            return figure(t.relL2);
        case L2Diff:
            return figure(t.l2Diff);
        case MaxAbsDiff:
            return figure(t.maxAbsDiff);
        case Cosine:
            return figure(t.cosine);
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Elements)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && !t.note.isEmpty())
        return t.note;
    if (role == Qt::BackgroundRole && index.column() == Status) {
        if (t.status == u"added"_s)
            return diffColor(DiffColor::Added);
        if (t.status == u"removed"_s)
            return diffColor(DiffColor::Removed);
        if (t.status != u"unchanged"_s)
            return diffColor(DiffColor::Changed);
    }
    return {};
}

QVariant TensorTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        static const char *const names[] = {QT_TR_NOOP("Tensor"),
                                            QT_TR_NOOP("Status"),
                                            QT_TR_NOOP("Shape A"),
                                            QT_TR_NOOP("Shape B"),
                                            QT_TR_NOOP("Dtype"),
                                            QT_TR_NOOP("Elements"),
                                            QT_TR_NOOP("Relative change"),
                                            QT_TR_NOOP("L2 of difference"),
                                            QT_TR_NOOP("Max |difference|"),
                                            QT_TR_NOOP("Cosine")};
        return tr(names[section]);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case RelL2:
            return tr("‖b − a‖ / ‖a‖: the bar is relative to the largest change in the table");
        case L2Diff:
            return tr("‖b − a‖, the Euclidean norm of the difference");
        case MaxAbsDiff:
            return tr("The largest |b − a| over the tensor's elements");
        case Cosine:
            return tr("a·b / (‖a‖ ‖b‖): 1 when the tensor only changed scale");
        default:
            return {};
        }
    }
    return {};
}

void TensorFilterProxy::setChangedOnly(bool changedOnly)
{
    m_changedOnly = changedOnly;
    invalidateFilter();
}

bool TensorFilterProxy::filterAcceptsRow(int row, const QModelIndex &parent) const
{
    const QModelIndex index = sourceModel()->index(row, 0, parent);
    if (m_changedOnly && index.data(TensorTableModel::StatusRole).toString() == u"unchanged"_s)
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(row, parent);
}

bool TensorFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(TensorTableModel::SortRole);
    const QVariant r = right.data(TensorTableModel::SortRole);
    if (l.typeId() == QMetaType::QString)
        return QString::localeAwareCompare(l.toString(), r.toString()) < 0;
    return l.toDouble() < r.toDouble();
}

void ChangeBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    const QVariant bar = index.data(TensorTableModel::BarRole);
    if (bar.isValid()) {
        const double fraction = std::clamp(bar.toDouble(), 0.0, 1.0);
        QRect r = option.rect.adjusted(2, 3, -2, -3);
        r.setWidth(std::max(fraction > 0 ? 2 : 0, int(r.width() * fraction)));
        painter->save();
        QColor c = option.palette.color(QPalette::Highlight);
        c.setAlpha(isDarkPalette() ? 150 : 90);
        painter->fillRect(r, c);
        painter->restore();
    }
    QStyledItemDelegate::paint(painter, option, index);
}

} // namespace cairn::ui
