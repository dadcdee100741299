#pragma once

#include "settings/settings.h"

#include <QColor>
#include <QIcon>

namespace cairn::ui {

// Applies the theme: System keeps the platform's style and palette (so it follows the desktop's
// light or dark setting), Light and Dark use Fusion with a fixed palette.
void applyTheme(Theme theme);

// True when the current palette is dark (text lighter than the window background).
bool isDarkPalette();

// Backgrounds of diff cells, readable with the palette's text colour in light and dark themes.
enum class DiffColor
{
    Added,   // a row or column only in the new version
    Removed, // only in the old one
    Changed, // a cell whose value changed
    Absent,  // a cell of a column the row's table lacks
};
QColor diffColor(DiffColor kind);

// Colours of a check's outcome (validation rules, gate conditions, pipeline steps): a strong
// foreground for icons and chips, readable on the palette's base in light and dark themes.
enum class Verdict
{
    Pass,
    Fail,
    Skipped, // not evaluated, or a step after a failed one
    Running,
    Pending,
};
QColor verdictColor(Verdict verdict);
// A small filled circle in the verdict's colour, for tree items and chips.
QIcon verdictIcon(Verdict verdict);

} // namespace cairn::ui
