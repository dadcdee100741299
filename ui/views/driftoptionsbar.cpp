#include "driftoptionsbar.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>

using namespace Qt::StringLiterals;

namespace cairn::ui {

DriftOptionsBar::DriftOptionsBar(QWidget *parent)
    : QWidget(parent)
    , m_row(new QHBoxLayout(this))
    , m_test(new QComboBox)
    , m_threshold(new QDoubleSpinBox)
    , m_binning(new QComboBox)
{
    m_row->setContentsMargins(0, 0, 0, 0);
    m_row->setSpacing(6);
    m_test->setObjectName(u"driftTest"_s);
    m_test->addItem(tr("Default (Evidently's choice)"), QString());
    for (const QString &name : drift::testNames())
        m_test->addItem(name, name);
    m_test->setToolTip(tr("The test for every column. Default: Evidently's choice per column (ks "
                          "or chisquare for small data, wasserstein or jensenshannon for large)."));
    m_threshold->setObjectName(u"driftThreshold"_s);
    m_threshold->setRange(0, 1000);
    m_threshold->setDecimals(4);
    m_threshold->setSingleStep(0.01);
    m_threshold->setSpecialValueText(tr("Default"));
    m_threshold->setValue(0);
    m_binning->setObjectName(u"driftBinning"_s);
    m_binning->addItem(tr("Evidently bins"), int(drift::Binning::Evidently));
    m_binning->addItem(tr("Reference bins"), int(drift::Binning::Reference));
    m_binning->setToolTip(tr("Evidently: bins over both samples, per comparison. Reference: bins "
                             "from the reference alone, shared by every batch."));
    auto add = [this](const QString &caption, QWidget *field) {
        auto *label = new QLabel(caption);
        label->setBuddy(field);
        m_row->addWidget(label);
        m_row->addWidget(field);
        m_row->addSpacing(6);
    };
    add(tr("&Test"), m_test);
    add(tr("T&hreshold"), m_threshold);
    add(tr("&Binning"), m_binning);
    connect(m_test, &QComboBox::currentIndexChanged, this, &DriftOptionsBar::updateThresholdHint);
    updateThresholdHint();
}

void DriftOptionsBar::setOptions(const drift::DriftOptions &o)
{
    const int test = m_test->findData(o.test);
    m_test->setCurrentIndex(test >= 0 ? test : 0);
    m_threshold->setValue(o.threshold.value_or(0));
    m_binning->setCurrentIndex(m_binning->findData(int(o.binning)));
}

drift::DriftOptions DriftOptionsBar::options(drift::DriftOptions base) const
{
    base.test = m_test->currentData().toString();
    base.threshold =
        m_threshold->value() > 0 ? std::optional<double>(m_threshold->value()) : std::nullopt;
    base.binning = drift::Binning(m_binning->currentData().toInt());
    return base;
}

void DriftOptionsBar::updateThresholdHint()
{
    const QString test = m_test->currentData().toString();
    const bool pValue = drift::isPValueTest(test);
    m_threshold->setToolTip(
        test.isEmpty() ? tr("Drift threshold. Default: each column's test's own (0.05 for ks and "
                            "chisquare, 0.1 for wasserstein, jensenshannon and psi).")
                       : tr("Drift threshold for %1 (default %2): drift when the %3 %4 it.")
                             .arg(test, QString::number(drift::defaultThreshold(test), 'g', 3),
                                  pValue ? tr("p-value") : tr("distance"),
                                  pValue ? tr("is below") : tr("reaches")));
}

} // namespace cairn::ui
