#pragma once

// Compares two safetensors files tensor by tensor (and ONNX initializers, through diffTensors):
// which tensors were added, removed, reshaped, retyped, changed or left alone, and for each
// compared pair how far apart the values are.
//
// The figures, over the tensor's values a (first file) and b (second file) as float64:
//   l2_diff      = ||a - b||                         (Euclidean norm of the difference)
//   rel_l2       = ||a - b|| / ||a||                 (null when ||a|| = 0, except 0 when a = b)
//   max_abs_diff = max |a_i - b_i|                   (0 for a tensor with no elements)
//   cosine       = a.b / (||a|| ||b||)               (null when either norm is 0)
// They equal numpy's on a.astype(np.float64) and b.astype(np.float64) to about 1e-13 relative
// (each block of values is summed in double and the block sums are added with compensation).
// A NaN in either tensor makes the figures NaN (it is not an error); infinities follow IEEE.
// Byte-identical tensors are the exception: they did not change, so they report 0 (numpy would
// give NaN for NaN - NaN).
//
// Status of a tensor:
//   unchanged     same name, dtype and shape, identical bytes (figures 0, 0, 0, 1 — cosine
//                 null when the tensor is all zeros or empty)
//   changed       same name, dtype and shape, different bytes
//   dtype_changed same name and shape, another dtype: the figures are still computed on the
//                 converted values, which measures e.g. the error of an F32 -> F16/BF16 cast
//   shape_changed same name, another shape: no figures
//   added / removed  only in the second / first file
// Values of the types Cairn does not convert (F4, F6_*, F8_E8M0, C64) are compared by bytes
// only: the figures stay null and `note` says why.

#include "data/rowcount.h" // cairn::Progress
#include "safetensors.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPair>

#include <optional>

namespace cairn::diff {

struct TensorDiff
{
    QString name;
    QString status; // "added", "removed", "changed", "unchanged", "shape_changed", "dtype_changed"
    std::vector<qint64> shapeA, shapeB; // empty (and dtype empty) on the side that lacks it
    QString dtypeA, dtypeB;
    // The tensor's number of elements: those compared when figures were computed, else the
    // element count of the side that has it (the first file's for shape_changed).
    qint64 elements = 0;
    std::optional<double> l2Diff, relL2, maxAbsDiff, cosine;
    QString note; // why figures are missing, when they are
};

struct ModelDiffSummary
{
    int added = 0;
    int removed = 0;
    int changed = 0;
    int unchanged = 0;
    int shapeChanged = 0;
    int dtypeChanged = 0;
    int tensorsA = 0;
    int tensorsB = 0;
    qint64 elementsCompared = 0; // elements of the tensors that got figures
    qint64 bytesA = 0;           // the data (tensor bytes) of each file
    qint64 bytesB = 0;
};

struct ModelDiff
{
    QString a; // the files' names as given
    QString b;
    // The first file's tensors in its order, then the added ones in the second file's order.
    QList<TensorDiff> tensors;
    QMap<QString, QString> metadataAdded;   // "__metadata__" keys only in b (b's values)
    QMap<QString, QString> metadataRemoved; // only in a (a's values)
    QMap<QString, QPair<QString, QString>> metadataChanged; // key -> (a's value, b's value)
    ModelDiffSummary summary;
};

// One tensor as diffTensors reads it: `bytes` hold the values little-endian and row-major in
// `dtype` (spelled as safetensors spells it: "F32", "BF16", "I64", ...; other names, e.g.
// "STRING" or "C128", are compared by bytes only). The bytes must outlive the call.
struct TensorData
{
    QString name;
    QString dtype;
    std::vector<qint64> shape;
    std::span<const std::byte> bytes;
    qint64 elements() const; // the product of the shape (1 for a scalar)
};

// The numeric kernel shared by every tensor format: pairs the tensors by name (names must be
// unique on each side) and computes the figures above. A pair of the same dtype whose bytes
// differ in length (e.g. strings) is "changed" without figures. `a` and `b` of the result are
// left empty, metadata too.
Result<ModelDiff> diffTensors(const std::vector<TensorData> &a, const std::vector<TensorData> &b,
                              const Progress &progress = {});

// Compares the files. Works on all cores in chunks of a few MB, reads the mapped data without
// copying it, and reports progress in bytes of tensor data compared (both files together);
// false from `progress` cancels (the Error is "cancelled").
Result<ModelDiff> diffSafetensors(const SafetensorsFile &a, const SafetensorsFile &b,
                                  const Progress &progress = {});

// "[2, 3]" ("[]" for a scalar).
QString shapeText(const std::vector<qint64> &shape);

// The JSON of `cairn-cli diff model A B --json`: absent figures are null, non-finite ones the
// strings "NaN", "Infinity" and "-Infinity".
QJsonObject modelDiffJson(const ModelDiff &diff);
// A table for terminals: the differing tensors first (by rel_l2, largest first), then the
// unchanged ones, at most `maxRows` rows, and a summary line.
QString modelDiffText(const ModelDiff &diff, int maxRows = 50);

} // namespace cairn::diff
