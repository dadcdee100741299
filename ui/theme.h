#pragma once

#include "settings/settings.h"

#include <QColor>

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

} // namespace cairn::ui
