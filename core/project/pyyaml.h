#pragma once

#include <QString>

#include <optional>

namespace cairn {

// What Python's str() gives for a plain (unquoted) YAML scalar after PyYAML's safe_load, which
// MLflow uses to read MLproject files: `true`/`yes`/`on` become "True", `.0` becomes "0.0",
// `010` becomes "8", `1e-1` stays "1e-1" (YAML 1.1 floats need a dot). nullopt for null
// (`~`, `null`, empty), which MLflow treats as "no default".
std::optional<QString> pyyamlPlainScalarAsPythonStr(const QString &text);

// Python's repr() of a float: the shortest text that reads back to the same value, in
// scientific notation when the exponent is below -4 or at least 16, and with ".0" on integral
// values ("0.1", "1e-05", "1e+16", "3.0", "inf", "nan").
QString pythonFloatRepr(double value);

} // namespace cairn
