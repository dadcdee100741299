#pragma once

// One entry point for comparing two versions of a model file, used by `cairn-cli diff model`
// and the GUI alike. The format is found from the content (a safetensors header; an ONNX
// ModelProto), then from the file's name (.safetensors, .onnx, .json, .yaml / .yml, MLmodel),
// then from the content again (JSON starts with '{' or '['); anything else is opaque. Both
// sides must have the same format.
//
//   safetensors  tensors compared (diffSafetensors) and "__metadata__"
//   onnx         initializers compared like tensors (diffOnnxInitializers) and the graph
//                (diffOnnxGraphs)
//   json, yaml   a structural diff (diffStructured)
//   opaque       size and hashes only
// Every format also gets each side's size and xxh128, and sha256 except safetensors and ONNX
// (their content is compared tensor by tensor; SHA-256 of a large model would cost more than
// the whole diff).

#include "diff/modeldiff.h"
#include "diff/onnxdiff.h"
#include "diff/safetensors.h"
#include "diff/structdiff.h"
#include "vcs/revision.h"

#include <optional>

namespace cairn::diff {

enum class ModelFormat
{
    Safetensors,
    Onnx,
    Json,
    Yaml,
    Opaque,
};

// "safetensors", "onnx", "json", "yaml", "opaque"
QString modelFormatName(ModelFormat format);

struct ModelComparison
{
    ModelFormat format = ModelFormat::Opaque;
    QString a; // FileVersion::describe() of each side
    QString b;
    FileDigest digestA;
    FileDigest digestB;
    // Safetensors and ONNX: the tensors (for ONNX, the initializers) and the metadata.
    ModelDiff tensors;
    std::optional<OnnxGraphDiff> graph; // ONNX
    QList<StructChange> changes;        // JSON and YAML

    // No difference the comparison looks at: for safetensors and ONNX, the tensors, metadata
    // and graph (not the bytes: a file saved again with the same content is the same model);
    // for JSON and YAML, the structure; for opaque files, the hashes.
    bool identical() const;
};

// Opens a version of a safetensors file: mapped from disk, or from the bytes of a git blob.
Result<SafetensorsFile> openModel(const FileVersion &v);

// Detects the format of both versions and compares them. Progress runs over hashing the files
// and then comparing them; false cancels (the Error is "cancelled").
Result<ModelComparison> compareModelVersions(const FileVersion &a, const FileVersion &b,
                                             const Progress &progress = {});

// modelDiffJson's keys (a, b, tensors, metadata, summary; empty for JSON, YAML and opaque
// files) plus "format", "identical", "files" {a, b: {size, xxh128[, sha256]}, same}, and "graph"
// (ONNX) or "changes" (JSON, YAML).
QJsonObject modelComparisonJson(const ModelComparison &c);
// For terminals: at most `maxRows` tensors, node changes and structural changes.
QString modelComparisonText(const ModelComparison &c, int maxRows = 50);

} // namespace cairn::diff
