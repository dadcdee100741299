#pragma once

// ONNX models (onnx/onnx.proto, read with libonnx's generated protobuf classes) as plain values:
// the model's header, opsets, metadata, the main graph's inputs, outputs and nodes, and its
// initializers as little-endian tensors in the safetensors dtype vocabulary ("F32", "I64", ...),
// so diffTensors compares them with the same figures as safetensors.
//
// Reading checks what a damaged or hostile file could abuse before anything is used: a file that
// protobuf cannot parse, or that parses into something without a graph, is an Error naming the
// file; a negative dimension, an element count that overflows, raw data of the wrong length and
// typed fields of the wrong count are Errors naming the initializer. Protobuf cannot read a
// message over 2 GB: bigger models keep their weights in external files (data_location
// EXTERNAL), which are read relative to the model's folder and must stay inside it.

#include "common/error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace cairn::diff {

// The largest file protobuf parses (2 GB - 1).
inline constexpr qint64 maxOnnxFileSize = 0x7fffffff;

struct OnnxValueInfo
{
    QString name;
    QString type; // "F32 [N, 3, 224, 224]", "sequence(F32 [?])", "map(I64, F32 [])"
    QString docString;
};

struct OnnxNode
{
    QString name; // may be empty
    QString opType;
    QString domain; // "" is ai.onnx
    QStringList inputs;
    QStringList outputs;
    QMap<QString, QString> attributes; // name -> the value as text ("3", "[1, 1]", "\"same\"")
    QString docString;
};

struct OnnxTensor
{
    QString name;
    QString dtype; // safetensors spelling where one exists ("F32"), else "STRING", "C128", ...
    std::vector<qint64> shape;
    std::string data; // little-endian, row-major; strings as 8-byte length + bytes each
    QString location; // the external file, when the data came from one
    std::span<const std::byte> bytes() const
    {
        return {reinterpret_cast<const std::byte *>(data.data()), data.size()};
    }
};

struct OnnxModel
{
    QString name; // the file's name as given
    qint64 fileSize = 0;
    qint64 irVersion = 0;
    QString producerName;
    QString producerVersion;
    QString domain;
    qint64 modelVersion = 0;
    QString docString;
    QString graphName;
    QString graphDocString;
    QMap<QString, qint64> opsets; // domain ("" shown as "ai.onnx") -> version
    QMap<QString, QString> metadata;
    QList<OnnxValueInfo> inputs; // the graph's inputs that are not initializers
    QList<OnnxValueInfo> outputs;
    QList<OnnxNode> nodes;
    std::vector<OnnxTensor> initializers;
    int sparseInitializers = 0; // counted, not compared
};

// True when the first bytes look like a serialized ModelProto: field 1 (ir_version, a small
// varint) followed by another ModelProto field. Does not validate the file.
bool looksLikeOnnx(QByteArrayView head);

// Reads a model from disk; external data is read relative to the file's folder.
Result<OnnxModel> readOnnx(const QString &path);
// Reads a model held in memory (e.g. a git blob); `name` is used in messages. External data is
// read relative to `baseDir`, or refused with an Error when `baseDir` is empty.
Result<OnnxModel> readOnnxBytes(const QByteArray &bytes, const QString &name,
                                const QString &baseDir = {});

// The ONNX element type's name in the vocabulary above (e.g. 1 -> "F32"), "TYPE<n>" if unknown.
QString onnxDtypeName(int elemType);

} // namespace cairn::diff
