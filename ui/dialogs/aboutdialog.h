#pragma once

#include <QDialog>

namespace cairn::ui {

class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);
};

} // namespace cairn::ui
