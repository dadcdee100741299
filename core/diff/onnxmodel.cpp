#include "onnxmodel.h"

#include "modeldiff.h" // shapeText

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QtEndian>

#include <bit>
#include <climits>
#include <cstring>
#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx_pb.h>

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace {

struct ElementType
{
    int onnx;
    QStringView name;
    int bits; // 0: not known, compared by bytes without a size check
};

// TensorProto.DataType (onnx.proto, including the types added after libonnx 1.12).
constexpr ElementType g_types[] = {
    {1, u"F32", 32},     {2, u"U8", 8},           {3, u"I8", 8},       {4, u"U16", 16},
    {5, u"I16", 16},     {6, u"I32", 32},         {7, u"I64", 64},     {8, u"STRING", 0},
    {9, u"BOOL", 8},     {10, u"F16", 16},        {11, u"F64", 64},    {12, u"U32", 32},
    {13, u"U64", 64},    {14, u"C64", 64},        {15, u"C128", 128},  {16, u"BF16", 16},
    {17, u"F8_E4M3", 8}, {18, u"F8_E4M3FNUZ", 8}, {19, u"F8_E5M2", 8}, {20, u"F8_E5M2FNUZ", 8},
    {21, u"U4", 4},      {22, u"I4", 4},
};

const ElementType *elementType(int onnx)
{
    for (const ElementType &t : g_types) {
        if (t.onnx == onnx)
            return &t;
    }
    return nullptr;
}

QString text(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QString typeText(const onnx::TypeProto &type)
{
    const auto tensor = [](int elem, bool hasShape,
                           const onnx::TensorShapeProto &shape) -> QString {
        QString out = onnxDtypeName(elem);
        if (!hasShape)
            return out; // rank unknown
        QStringList dims;
        for (const onnx::TensorShapeProto_Dimension &d : shape.dim()) {
            if (d.has_dim_value())
                dims << QString::number(d.dim_value());
            else if (d.has_dim_param())
                dims << text(d.dim_param());
            else
                dims << u"?"_s;
        }
        return out + u" ["_s + dims.join(u", "_s) + u']';
    };
    switch (type.value_case()) {
    case onnx::TypeProto::kTensorType:
        return tensor(type.tensor_type().elem_type(), type.tensor_type().has_shape(),
                      type.tensor_type().shape());
    case onnx::TypeProto::kSparseTensorType:
        return u"sparse("_s +
               tensor(type.sparse_tensor_type().elem_type(), type.sparse_tensor_type().has_shape(),
                      type.sparse_tensor_type().shape()) +
               u')';
    case onnx::TypeProto::kSequenceType:
        return u"sequence(%1)"_s.arg(typeText(type.sequence_type().elem_type()));
    case onnx::TypeProto::kOptionalType:
        return u"optional(%1)"_s.arg(typeText(type.optional_type().elem_type()));
    case onnx::TypeProto::kMapType:
        return u"map(%1, %2)"_s.arg(onnxDtypeName(type.map_type().key_type()),
                                    typeText(type.map_type().value_type()));
    default:
        return u"?"_s;
    }
}

OnnxValueInfo valueInfo(const onnx::ValueInfoProto &v)
{
    return {text(v.name()), v.has_type() ? typeText(v.type()) : u"?"_s, text(v.doc_string())};
}

// ---- Tensors ------------------------------------------------------------------------------

template<typename Stored, typename Value>
void put(std::string &out, Value v)
{
    const Stored s = qToLittleEndian(Stored(v));
    out.append(reinterpret_cast<const char *>(&s), sizeof s);
}

template<typename Bits, typename Float>
void putFloat(std::string &out, Float v)
{
    put<Bits>(out, std::bit_cast<Bits>(v));
}

struct Context
{
    QString file;    // for messages
    QString baseDir; // external data; empty: refused
};

Result<void> readExternal(const onnx::TensorProto &t, qint64 want, const Context &ctx,
                          OnnxTensor &out)
{
    const QString name = text(t.name());
    QString location;
    qint64 offset = 0;
    qint64 length = -1;
    for (const onnx::StringStringEntryProto &e : t.external_data()) {
        bool ok = true;
        if (e.key() == "location")
            location = text(e.value());
        else if (e.key() == "offset")
            offset = text(e.value()).toLongLong(&ok);
        else if (e.key() == "length")
            length = text(e.value()).toLongLong(&ok);
        if (!ok || offset < 0 || length < -1)
            return fail(
                Error(u"initializer \"%1\": external data %2 \"%3\" is not a byte count"_s.arg(
                          name, text(e.key()), text(e.value())),
                      ctx.file));
    }
    if (location.isEmpty())
        return fail(Error(u"initializer \"%1\" has external data without a location"_s.arg(name),
                          ctx.file));
    out.location = location;
    if (ctx.baseDir.isEmpty())
        return fail(
            Error(u"initializer \"%1\" keeps its data in the external file \"%2\", which "
                  "Cairn does not read for a model taken from a revision"_s.arg(name, location),
                  ctx.file)
                .withHint(u"Compare the model files in a working tree (check the "
                          "revision out), where the external files sit next to them"_s));
    const QString base = QDir::cleanPath(QDir(ctx.baseDir).absolutePath());
    const QString path = QDir::cleanPath(QDir(base).absoluteFilePath(location));
    if (QDir::isAbsolutePath(location) || !path.startsWith(base + u'/'))
        return fail(Error(u"initializer \"%1\": the external file \"%2\" is outside the model's "
                          "folder"_s.arg(name, location),
                          ctx.file)
                        .withHint(u"ONNX external data must be a relative path inside the "
                                  "model's folder"_s));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"initializer \"%1\": cannot open its external data file: %2"_s.arg(
                              name, f.errorString()),
                          path)
                        .withHint(u"Keep the external data files next to the model"_s));
    if (length < 0)
        length = want >= 0 ? want : f.size() - offset;
    if (offset > f.size() || length > f.size() - offset)
        return fail(Error(u"initializer \"%1\": bytes %2 to %3 of the external file are past "
                          "its end (%4 bytes)"_s.arg(name, QString::number(offset),
                                                     QString::number(offset + length),
                                                     QString::number(f.size())),
                          path));
    if (want >= 0 && length != want)
        return fail(
            Error(u"initializer \"%1\": %2 bytes of external data, but its shape and "
                  "type need %3"_s.arg(name, QString::number(length), QString::number(want)),
                  ctx.file));
    out.data.resize(size_t(length));
    if (!f.seek(offset) || f.read(out.data.data(), length) != length)
        return fail(Error(
            u"cannot read the external data of \"%1\": %2"_s.arg(name, f.errorString()), path));
    return ok();
}

template<typename Field, typename Store>
Result<void> typed(const Field &values, qint64 want, const QString &field, const QString &name,
                   const Context &ctx, Store store)
{
    if (qint64(values.size()) != want)
        return fail(
            Error(u"initializer \"%1\" has %2 values in %3, but its shape and type need "
                  "%4"_s.arg(name, QString::number(values.size()), field, QString::number(want)),
                  ctx.file));
    for (const auto &v : values)
        store(v);
    return ok();
}

// Converts `t`, moving its raw data out (a model's initializers can be most of 2 GB).
Result<OnnxTensor> convertTensor(onnx::TensorProto &t, const Context &ctx)
{
    OnnxTensor out;
    out.name = text(t.name());
    out.dtype = onnxDtypeName(t.data_type());
    qint64 elements = 1;
    for (const qint64 d : t.dims()) {
        if (d < 0)
            return fail(Error(u"initializer \"%1\" has a negative dimension (%2)"_s.arg(
                                  out.name, QString::number(d)),
                              ctx.file));
        if (__builtin_mul_overflow(elements, d, &elements) || elements > (qint64(1) << 56))
            return fail(
                Error(u"initializer \"%1\" has too many elements for its shape"_s.arg(out.name),
                      ctx.file));
        out.shape.push_back(d);
    }
    const ElementType *type = elementType(t.data_type());
    const int bits = type ? type->bits : 0;
    const qint64 want = bits ? (elements * bits + 7) / 8 : -1;
    if (t.has_data_location() && t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
        if (auto read = readExternal(t, want, ctx, out); !read)
            return fail(read.error());
        return out;
    }
    if (t.has_raw_data()) {
        if (want >= 0 && qint64(t.raw_data().size()) != want)
            return fail(Error(
                u"initializer \"%1\" has %2 bytes of raw data, but its shape %3 "
                "and type %4 need %5"_s.arg(out.name, QString::number(t.raw_data().size()),
                                            shapeText(out.shape), out.dtype, QString::number(want)),
                ctx.file));
        out.data = std::move(*t.mutable_raw_data());
        return out;
    }
    std::string &d = out.data;
    Result<void> r = ok();
    const int type32 = t.data_type();
    switch (type32) {
    case onnx::TensorProto_DataType_FLOAT:
    case onnx::TensorProto_DataType_COMPLEX64:
        r = typed(t.float_data(), type32 == 1 ? elements : 2 * elements, u"float_data"_s, out.name,
                  ctx, [&](float v) { putFloat<quint32>(d, v); });
        break;
    case onnx::TensorProto_DataType_DOUBLE:
    case onnx::TensorProto_DataType_COMPLEX128:
        r = typed(t.double_data(), type32 == 11 ? elements : 2 * elements, u"double_data"_s,
                  out.name, ctx, [&](double v) { putFloat<quint64>(d, v); });
        break;
    case onnx::TensorProto_DataType_INT64:
        r = typed(t.int64_data(), elements, u"int64_data"_s, out.name, ctx,
                  [&](qint64 v) { put<qint64>(d, v); });
        break;
    case onnx::TensorProto_DataType_UINT32:
        r = typed(t.uint64_data(), elements, u"uint64_data"_s, out.name, ctx,
                  [&](quint64 v) { put<quint32>(d, v); });
        break;
    case onnx::TensorProto_DataType_UINT64:
        r = typed(t.uint64_data(), elements, u"uint64_data"_s, out.name, ctx,
                  [&](quint64 v) { put<quint64>(d, v); });
        break;
    case onnx::TensorProto_DataType_STRING:
        r = typed(t.string_data(), elements, u"string_data"_s, out.name, ctx,
                  [&](const std::string &v) {
                      put<quint64>(d, v.size());
                      d += v;
                  });
        break;
    default:
        if (bits == 32) // INT32
            r = typed(t.int32_data(), elements, u"int32_data"_s, out.name, ctx,
                      [&](qint32 v) { put<qint32>(d, v); });
        else if (bits == 16) // INT16, UINT16, FLOAT16 and BFLOAT16 (the bits)
            r = typed(t.int32_data(), elements, u"int32_data"_s, out.name, ctx,
                      [&](qint32 v) { put<quint16>(d, quint16(v)); });
        else if (bits == 8) // INT8, UINT8, BOOL, the FLOAT8 types
            r = typed(t.int32_data(), elements, u"int32_data"_s, out.name, ctx,
                      [&](qint32 v) { d.push_back(char(quint8(v))); });
        else
            return fail(Error(u"initializer \"%1\" of type %2 has no raw data, and Cairn does "
                              "not read that type's typed fields"_s.arg(out.name, out.dtype),
                              ctx.file));
    }
    if (!r)
        return fail(r.error());
    return out;
}

// ---- Attributes ---------------------------------------------------------------------------

QString digest(const QByteArray &bytes)
{
    return u"sha256:"_s +
           QString::fromLatin1(
               QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().left(16));
}

QString tensorText(const onnx::TensorProto &t)
{
    onnx::TensorProto copy = t;
    auto converted = convertTensor(copy, Context{});
    if (!converted)
        return u"tensor %1 (unreadable: %2)"_s.arg(onnxDtypeName(t.data_type()),
                                                   converted.error().message);
    return u"tensor %1 %2 %3"_s.arg(
        converted->dtype, shapeText(converted->shape),
        digest(QByteArray::fromRawData(converted->data.data(), qsizetype(converted->data.size()))));
}

QString graphText(const onnx::GraphProto &g)
{
    const std::string bytes = g.SerializeAsString();
    return u"graph \"%1\" (%2 nodes) %3"_s.arg(
        text(g.name()), QString::number(g.node_size()),
        digest(QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size()))));
}

template<typename List, typename F>
QString listText(const List &values, F f)
{
    QStringList parts;
    for (const auto &v : values)
        parts << f(v);
    return u'[' + parts.join(u", "_s) + u']';
}

QString quoted(const std::string &s)
{
    return u'"' + text(s) + u'"';
}

QString attributeText(const onnx::AttributeProto &a)
{
    const auto number = [](float v) { return QString::number(double(v), 'g', 9); };
    const auto integer = [](qint64 v) { return QString::number(v); };
    int type = a.type();
    if (type == onnx::AttributeProto_AttributeType_UNDEFINED) { // IR < 2: the field set says
        type = a.has_f()               ? 1
               : a.has_i()             ? 2
               : a.has_s()             ? 3
               : a.has_t()             ? 4
               : a.has_g()             ? 5
               : a.floats_size() != 0  ? 6
               : a.ints_size() != 0    ? 7
               : a.strings_size() != 0 ? 8
               : a.tensors_size() != 0 ? 9
                                       : 0;
    }
    switch (type) {
    case onnx::AttributeProto_AttributeType_FLOAT:
        return number(a.f());
    case onnx::AttributeProto_AttributeType_INT:
        return integer(a.i());
    case onnx::AttributeProto_AttributeType_STRING:
        return quoted(a.s());
    case onnx::AttributeProto_AttributeType_TENSOR:
        return tensorText(a.t());
    case onnx::AttributeProto_AttributeType_GRAPH:
        return graphText(a.g());
    case onnx::AttributeProto_AttributeType_TYPE_PROTO:
        return typeText(a.tp());
    case onnx::AttributeProto_AttributeType_FLOATS:
        return listText(a.floats(), number);
    case onnx::AttributeProto_AttributeType_INTS:
        return listText(a.ints(), integer);
    case onnx::AttributeProto_AttributeType_STRINGS:
        return listText(a.strings(), quoted);
    case onnx::AttributeProto_AttributeType_TENSORS:
        return listText(a.tensors(), tensorText);
    case onnx::AttributeProto_AttributeType_GRAPHS:
        return listText(a.graphs(), graphText);
    case onnx::AttributeProto_AttributeType_TYPE_PROTOS:
        return listText(a.type_protos(), typeText);
    default: {
        const std::string bytes = a.SerializeAsString();
        return u"attribute of type %1 %2"_s.arg(
            QString::number(type),
            digest(QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size()))));
    }
    }
}

// ---- The model ----------------------------------------------------------------------------

Result<OnnxModel> parse(const char *data, qint64 size, const QString &name, const QString &baseDir)
{
    const auto notOnnx = [&](const QString &why) {
        return fail(Error(u"not an ONNX model: %1"_s.arg(why), name)
                        .withHint(u"Give an .onnx file saved by onnx.save or an exporter; "
                                  "the file may be truncated or damaged"_s));
    };
    if (size > maxOnnxFileSize)
        return fail(
            Error(u"the file is %1 bytes; protobuf cannot read an ONNX file over 2 GB"_s.arg(size),
                  name)
                .withHint(u"Save the model with external data (onnx.save_model(..., "
                          "save_as_external_data=True))"_s));
    onnx::ModelProto proto;
    google::protobuf::io::CodedInputStream in(reinterpret_cast<const quint8 *>(data), int(size));
    in.SetTotalBytesLimit(INT_MAX);
    if (!proto.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
        return notOnnx(u"protobuf cannot parse it as an onnx.ModelProto"_s);
    if (!proto.has_ir_version() || proto.ir_version() <= 0)
        return notOnnx(u"it has no IR version"_s);
    if (!proto.has_graph())
        return notOnnx(u"it has no graph"_s);

    OnnxModel m;
    m.name = name;
    m.fileSize = size;
    m.irVersion = proto.ir_version();
    m.producerName = text(proto.producer_name());
    m.producerVersion = text(proto.producer_version());
    m.domain = text(proto.domain());
    m.modelVersion = proto.model_version();
    m.docString = text(proto.doc_string());
    for (const onnx::OperatorSetIdProto &o : proto.opset_import())
        m.opsets.insert(o.domain().empty() ? u"ai.onnx"_s : text(o.domain()), o.version());
    for (const onnx::StringStringEntryProto &e : proto.metadata_props())
        m.metadata.insert(text(e.key()), text(e.value()));

    onnx::GraphProto &g = *proto.mutable_graph();
    m.graphName = text(g.name());
    m.graphDocString = text(g.doc_string());
    const Context ctx{name, baseDir};
    QSet<QString> initializerNames;
    for (onnx::TensorProto &t : *g.mutable_initializer()) {
        auto tensor = convertTensor(t, ctx);
        if (!tensor)
            return fail(tensor.error());
        if (initializerNames.contains(tensor->name))
            return fail(Error(u"two initializers are named \"%1\""_s.arg(tensor->name), name)
                            .withHint(u"onnx.checker.check_model rejects this model too"_s));
        initializerNames.insert(tensor->name);
        m.initializers.push_back(std::move(*tensor));
        t.Clear(); // the data moved out
    }
    m.sparseInitializers = g.sparse_initializer_size();
    for (const onnx::ValueInfoProto &v : g.input()) {
        if (!initializerNames.contains(text(v.name())))
            m.inputs.append(valueInfo(v));
    }
    for (const onnx::ValueInfoProto &v : g.output())
        m.outputs.append(valueInfo(v));
    for (const onnx::NodeProto &n : g.node()) {
        OnnxNode node;
        node.name = text(n.name());
        node.opType = text(n.op_type());
        node.domain = text(n.domain());
        node.docString = text(n.doc_string());
        for (const std::string &s : n.input())
            node.inputs << text(s);
        for (const std::string &s : n.output())
            node.outputs << text(s);
        for (const onnx::AttributeProto &a : n.attribute())
            node.attributes.insert(text(a.name()), attributeText(a));
        m.nodes.append(std::move(node));
    }
    return m;
}

} // namespace

QString onnxDtypeName(int elemType)
{
    const ElementType *t = elementType(elemType);
    return t ? t->name.toString() : u"TYPE%1"_s.arg(elemType);
}

bool looksLikeOnnx(QByteArrayView head)
{
    // 0x08: field 1 (ir_version) as a varint; IR versions are small.
    if (head.size() < 3 || quint8(head[0]) != 0x08 || quint8(head[1]) == 0 ||
        quint8(head[1]) > 0x7f)
        return false;
    // The next field: 2-8 and 14 (metadata_props), 20 (training_info), 25 (functions).
    const quint8 tag = quint8(head[2]);
    const int field = tag >> 3, wire = tag & 7;
    if (field >= 2 && field <= 8)
        return wire == (field == 5 ? 0 : 2); // model_version is a varint, the rest are bytes
    return tag == 0x72 || (tag == 0xa2 && head.size() > 3 && quint8(head[3]) == 0x01) ||
           (tag == 0xca && head.size() > 3 && quint8(head[3]) == 0x01);
}

Result<OnnxModel> readOnnxBytes(const QByteArray &bytes, const QString &name,
                                const QString &baseDir)
{
    return parse(bytes.constData(), bytes.size(), name, baseDir);
}

Result<OnnxModel> readOnnx(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot open: %1"_s.arg(f.errorString()), path));
    if (f.size() > maxOnnxFileSize)
        return parse(nullptr, f.size(), path, {});
    const QByteArray bytes = f.readAll();
    if (bytes.size() != f.size())
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), path));
    return parse(bytes.constData(), bytes.size(), path, QFileInfo(path).absolutePath());
}

} // namespace cairn::diff
