#pragma once

#include "settings/settings.h"

namespace cairn::ui {

// Applies the theme: System keeps the platform's style and palette (so it follows the desktop's
// light or dark setting), Light and Dark use Fusion with a fixed palette.
void applyTheme(Theme theme);

// True when the current palette is dark (text lighter than the window background).
bool isDarkPalette();

} // namespace cairn::ui
