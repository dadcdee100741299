// Being written (issue 6): pipeline.
#include "commands.h"

#include <cstdio>

namespace cairn::cli {

int cmdPipeline(const QStringList &)
{
    std::fprintf(stderr, "cairn-cli: \"pipeline\" is not built yet\n");
    return 2;
}

} // namespace cairn::cli
