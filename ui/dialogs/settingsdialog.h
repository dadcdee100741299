#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace cairn::ui {

// Edits the typed settings of settings/settings.h.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget *parent = nullptr);
    void accept() override;

private:
    void updateDetected();

    QLineEdit *m_python;
    QLabel *m_detected;
    QComboBox *m_theme;
    QSpinBox *m_concurrent;
    QSpinBox *m_objectsMaxFile;
    QSpinBox *m_objectsMaxTotal;
};

} // namespace cairn::ui
