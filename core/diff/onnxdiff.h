#pragma once

// Compares two ONNX models: the header (IR version, producer, domain, model version, doc
// strings), opset imports, metadata_props, the main graph's inputs and outputs, its nodes, and
// its initializers, which diffTensors compares like safetensors tensors (same figures, same
// statuses).
//
// Nodes are paired in three passes: by name where the name is non-empty and unique on both
// sides; then by signature (op_type, domain, inputs, outputs); then, among the nodes left, in
// order, by op_type and domain (so an edited attribute, or an input renamed, reads as a changed
// node rather than one removed and one added). What is left is added or removed. A changed node
// lists each change: op_type, domain, name, inputs, outputs, and attributes with old -> new
// values. Subgraphs (If, Loop, Scan bodies) are compared as a whole: an attribute's text carries
// its node count and a hash.

#include "modeldiff.h"
#include "onnxmodel.h"

#include <QJsonObject>

namespace cairn::diff {

// Changes of a set of named values: only in b, only in a, different (a's, b's).
struct KeyedChanges
{
    QMap<QString, QString> added;
    QMap<QString, QString> removed;
    QMap<QString, QPair<QString, QString>> changed;
    bool isEmpty() const { return added.isEmpty() && removed.isEmpty() && changed.isEmpty(); }
    int size() const { return int(added.size() + removed.size() + changed.size()); }
};

KeyedChanges compareMaps(const QMap<QString, QString> &a, const QMap<QString, QString> &b);

struct OnnxNodeChange
{
    QString node;   // the node's name, or "op_type -> outputs" for an unnamed node
    QString opType; // a's (b's for an added node)
    QString status; // "added", "removed", "changed"
    // For "changed": "op_type", "domain", "name", "inputs", "outputs", "doc_string" and
    // "attribute NAME" (value "" when one side lacks it). For added / removed: empty.
    QList<std::pair<QString, QPair<QString, QString>>> changes;
};

struct OnnxGraphDiff
{
    qint64 irVersionA = 0;
    qint64 irVersionB = 0;
    // producer_name, producer_version, domain, model_version, doc_string, graph_name,
    // graph_doc_string (ir_version separately above).
    KeyedChanges model;
    KeyedChanges opsets; // domain -> version
    KeyedChanges metadata;
    KeyedChanges inputs; // name -> type text
    KeyedChanges outputs;
    QList<OnnxNodeChange> nodes; // removed and changed in a's order, then added in b's order
    int nodesA = 0;
    int nodesB = 0;
    int nodesUnchanged = 0;
    int sparseInitializersA = 0;
    int sparseInitializersB = 0;

    bool identical() const;
};

OnnxGraphDiff diffOnnxGraphs(const OnnxModel &a, const OnnxModel &b);

// The initializers compared like tensors (a's and b's names set from the models).
Result<ModelDiff> diffOnnxInitializers(const OnnxModel &a, const OnnxModel &b,
                                       const Progress &progress = {});

// {"ir_version": {"a", "b"}, "opsets": {added, removed, changed}, "inputs": ..., "outputs": ...,
//  "nodes": {"added": [...], "removed": [...], "changed": [...]}, "metadata": ..., "model": ...,
//  "summary": {"nodes_a", "nodes_b", "nodes_unchanged", ...}}
QJsonObject onnxGraphDiffJson(const OnnxGraphDiff &diff);
QJsonObject keyedChangesJson(const KeyedChanges &changes);
// Lines for terminals, empty when the graphs are identical.
QString onnxGraphDiffText(const OnnxGraphDiff &diff, int maxNodes = 50);

} // namespace cairn::diff
