#pragma once

// Safetensors files (huggingface/safetensors): an 8-byte little-endian length N, N bytes of
// UTF-8 JSON describing the tensors, then one byte buffer holding every tensor's data (little-
// endian, row-major) back to back. A file is checked as the reference reader checks it
// (SafeTensors::read_metadata and Metadata::validate) before anything is read from it, so a
// damaged or hostile file is an Error that names the file and the tensor, never a crash or an
// allocation sized by the file's claims. Two deliberate differences: duplicate tensor names are
// an error (the reference keeps the last one silently), and a dimension above 2^63 - 1 is an
// error even in a tensor with no elements.

#include "common/error.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace cairn::diff {

// The largest header the reference reader accepts (100 MB).
inline constexpr qint64 maxSafetensorsHeader = 100'000'000;

struct TensorInfo
{
    QString name;
    QString dtype;             // as the file spells it: "F32", "BF16", "I64", ...
    std::vector<qint64> shape; // empty for a 0-rank (scalar) tensor
    qint64 begin = 0;          // byte offsets into the data buffer (which starts at 8 + N)
    qint64 end = 0;

    // The number of elements: the product of the shape (1 for a scalar, 0 when a dimension is 0).
    qint64 elements() const;
    qint64 byteSize() const { return end - begin; }
};

// The element types the format defines, with their size in bits (0 for an unknown name).
int dtypeBits(QStringView dtype);
// True for the types whose values Cairn converts to numbers (BOOL, the integers, F64, F32, F16,
// BF16, F8_E5M2, F8_E4M3); false for the others (F4, F6_*, F8_E8M0, C64) and unknown names.
bool dtypeIsNumeric(QStringView dtype);

// An opened safetensors file. The data stays memory-mapped (or held, for fromBytes) as long as
// any copy of the object lives; copies are cheap and share it.
class SafetensorsFile
{
public:
    // Maps the file and checks its header. The file must not be truncated while it is open.
    static Result<SafetensorsFile> open(const QString &path);
    // Checks a file held in memory, e.g. read from a git revision; `name` is used in messages.
    static Result<SafetensorsFile> fromBytes(QByteArray bytes, const QString &name);
    // A quick look at the first bytes: a plausible header length followed by '{'. Does not
    // validate the file.
    static bool looksLikeSafetensors(const QString &path);

    const QString &name() const;
    // In file order (by data offset).
    const std::vector<TensorInfo> &tensors() const;
    const TensorInfo *find(const QString &tensorName) const;
    // The "__metadata__" entries (empty when the file has none).
    const QMap<QString, QString> &metadata() const;
    // The raw bytes of one of this file's tensors (little-endian, row-major, not aligned).
    std::span<const std::byte> bytes(const TensorInfo &tensor) const;
    qint64 fileSize() const;
    qint64 headerSize() const; // N, the JSON header's length in bytes

private:
    struct Data;
    std::shared_ptr<const Data> m_d;
    explicit SafetensorsFile(std::shared_ptr<const Data> d);
    static Result<SafetensorsFile> parse(std::shared_ptr<Data> d);
};

} // namespace cairn::diff
