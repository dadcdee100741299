// Being written (issue 6): gate, register, promote, models.
#include "commands.h"

#include <cstdio>

namespace cairn::cli {

static int notYet(const char *name)
{
    std::fprintf(stderr, "cairn-cli: \"%s\" is not built yet\n", name);
    return 2;
}
int cmdGate(const QStringList &)
{
    return notYet("gate");
}
int cmdRegister(const QStringList &)
{
    return notYet("register");
}
int cmdPromote(const QStringList &)
{
    return notYet("promote");
}
int cmdModels(const QStringList &)
{
    return notYet("models");
}

} // namespace cairn::cli
