#pragma once

// Include QCustomPlot through this header. Its header uses Qt's `foreach`, which this project
// turns off (QT_NO_FOREACH); a range-for stands in while the header is read.
#ifndef foreach
#define CAIRN_DEFINED_FOREACH
#define foreach(declaration, container) for (declaration : container)
#endif
#include <qcustomplot.h>
#ifdef CAIRN_DEFINED_FOREACH
#undef foreach
#undef CAIRN_DEFINED_FOREACH
#endif
