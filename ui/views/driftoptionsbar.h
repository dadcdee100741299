#pragma once

#include "drift/drift.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QHBoxLayout;

namespace cairn::ui {

// The drift options a user changes between comparisons, in one compact row: the test (Evidently's
// choice per column, or one for every column), the threshold (the test's default, or a number)
// and the binning (Evidently's, or reference-binned).
class DriftOptionsBar : public QWidget
{
    Q_OBJECT
public:
    explicit DriftOptionsBar(QWidget *parent = nullptr);

    // Shows the test, threshold and binning of `options`.
    void setOptions(const drift::DriftOptions &options);
    // `base` with the test, threshold and binning shown.
    drift::DriftOptions options(drift::DriftOptions base) const;

    // The row, to add buttons after the options.
    QHBoxLayout *row() const { return m_row; }
    QComboBox *testBox() const { return m_test; }
    QDoubleSpinBox *thresholdBox() const { return m_threshold; }
    QComboBox *binningBox() const { return m_binning; }

private:
    void updateThresholdHint();

    QHBoxLayout *m_row;
    QComboBox *m_test;
    QDoubleSpinBox *m_threshold;
    QComboBox *m_binning;
};

} // namespace cairn::ui
