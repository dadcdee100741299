// Model diff of two ~1 GB safetensors files: cairn::diff::diffSafetensors (through
// `cairn-cli diff model A B --json` when CAIRN_CLI points to a CLI that has it, else this program
// re-run as a child that diffs in-process) against numpy (np.memmap of the same files, the same
// per-tensor figures in float64, what a data scientist would write), side by side: wall time and
// peak memory (the child's maximum resident set, from wait4), and a check that the figures agree.
//
// The files look like a transformer checkpoint before and after a short fine-tune: a few hundred
// tensors (embedding, per layer attention and MLP matrices with biases, layer norms), most F32,
// every fourth layer's matrices BF16, the layer norms of odd layers F16; about 30 % of the bytes
// changed slightly, the rest identical, and one shape change (the embedding gains rows).
//
//   build/release/tests/bench/bench_modeldiff [SIZE_MB=1024] [--keep DIR] [--runs N]
//
// Each program runs N times (default 3), alternately; the medians are compared.

#include "diff/modeldiff.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace cairn;

namespace {

const char *g_oracle = R"PY(
import json, struct, sys
import numpy as np

np.seterr(all="ignore")
DT = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": np.uint16,
      "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
      "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8, "BOOL": np.bool_}

def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    return header, np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)

def raw(mm, info):
    b, e = info["data_offsets"]
    return mm[b:e]

def values(mm, info):
    x = raw(mm, info).view(DT[info["dtype"]])
    if info["dtype"] == "BF16":
        x = (x.astype(np.uint32) << 16).view(np.float32)
    return x.astype(np.float64)

def num(v):
    v = float(v)
    return v if np.isfinite(v) else str(v)

ha, ma = load(sys.argv[1])
hb, mb = load(sys.argv[2])
out = {}
for name, ia in ha.items():
    ib = hb.get(name)
    r = {"l2_diff": None, "rel_l2": None, "max_abs_diff": None, "cosine": None}
    if ib is None:
        r["status"] = "removed"
    elif ia["shape"] != ib["shape"]:
        r["status"] = "shape_changed"
    elif ia["dtype"] == ib["dtype"] and np.array_equal(raw(ma, ia), raw(mb, ib)):
        r["status"] = "unchanged"
        x = raw(ma, ia).view(DT[ia["dtype"]])  # a zero norm has no cosine
        nonzero = x.size > 0 and (x[0] != 0 or bool(np.any(x != 0)))
        r.update(l2_diff=0.0, rel_l2=0.0, max_abs_diff=0.0, cosine=1.0 if nonzero else None)
    else:
        r["status"] = "changed" if ia["dtype"] == ib["dtype"] else "dtype_changed"
        a, b = values(ma, ia), values(mb, ib)
        d = a - b
        l2, na, nb = np.linalg.norm(d), np.linalg.norm(a), np.linalg.norm(b)
        r.update(l2_diff=num(l2), max_abs_diff=num(np.max(np.abs(d))) if d.size else 0.0,
                 rel_l2=num(l2 / na) if na != 0 else (0.0 if l2 == 0 else None),
                 cosine=num(np.dot(a, b) / (na * nb)) if na != 0 and nb != 0 else None)
    out[name] = r
for name in hb:
    if name not in ha:
        out[name] = {"status": "added", "l2_diff": None, "rel_l2": None, "max_abs_diff": None,
                     "cosine": None}
print(json.dumps({"tensors": out}))
)PY";

using test::measure;
using test::Measured;

// splitmix64: fast enough to write 2 GB in seconds.
struct Rng
{
    std::uint64_t s;
    std::uint64_t next()
    {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f) * 2 - 1; } // [-1, 1)
};

struct Spec
{
    QByteArray name;
    QByteArray dtype;
    std::vector<qint64> shapeA, shapeB;
    bool changed = false;
};

qint64 count(const std::vector<qint64> &shape)
{
    qint64 n = 1;
    for (qint64 d : shape)
        n *= d;
    return n;
}

int width(const QByteArray &dtype)
{
    return dtype == "F32" ? 4 : 2;
}

std::vector<Spec> layout(qint64 sizeMb)
{
    const qint64 d = sizeMb >= 256 ? 1024 : 256, ff = 4 * d, vocab = 32000;
    std::vector<Spec> specs;
    specs.push_back({"model.embed_tokens.weight", "F32", {vocab, d}, {vocab + 64, d}, false});
    const double perLayer = (4.0 * d * d + 2.0 * d * ff) * 4 * 0.9; // a BF16 layer every 4
    const qint64 layers =
        std::max<qint64>(1, qint64((double(sizeMb) * 1e6 - double(vocab * d * 4)) / perLayer));
    for (qint64 l = 0; l < layers; ++l) {
        const QByteArray p = "model.layers." + QByteArray::number(l) + ".";
        const QByteArray mat = l % 4 == 3 ? "BF16" : "F32";
        const QByteArray norm = l % 2 ? "F16" : "F32";
        const bool changed = l % 10 < 3;
        const auto add = [&](const QByteArray &n, const QByteArray &t, std::vector<qint64> s) {
            specs.push_back({p + n, t, s, s, changed});
        };
        for (const char *m : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
            add(QByteArray("self_attn.") + m + ".weight", mat, {d, d});
            add(QByteArray("self_attn.") + m + ".bias", "F32", {d});
        }
        add("mlp.up_proj.weight", mat, {ff, d});
        add("mlp.up_proj.bias", "F32", {ff});
        add("mlp.down_proj.weight", mat, {d, ff});
        add("mlp.down_proj.bias", "F32", {d});
        add("input_layernorm.weight", norm, {d});
        add("input_layernorm.bias", norm, {d});
        add("post_attention_layernorm.weight", norm, {d});
        add("post_attention_layernorm.bias", norm, {d});
    }
    specs.push_back({"model.norm.weight", "F32", {d}, {d}, true});
    specs.push_back({"lm_head.weight", "BF16", {vocab, d}, {vocab, d}, false});
    return specs;
}

void writeHeader(QFile &f, const std::vector<Spec> &specs, bool second)
{
    QJsonObject header;
    header.insert("__metadata__", QJsonObject{{"format", "pt"}, {"step", second ? "200" : "0"}});
    qint64 offset = 0;
    for (const Spec &s : specs) {
        const std::vector<qint64> &shape = second ? s.shapeB : s.shapeA;
        QJsonArray dims;
        for (qint64 d : shape)
            dims.append(d);
        const qint64 bytes = count(shape) * width(s.dtype);
        header.insert(QString::fromUtf8(s.name),
                      QJsonObject{{"dtype", QString::fromUtf8(s.dtype)},
                                  {"shape", dims},
                                  {"data_offsets", QJsonArray{offset, offset + bytes}}});
        offset += bytes;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    json += QByteArray((8 - json.size() % 8) % 8, ' ');
    QByteArray n(8, '\0');
    for (int i = 0; i < 8; ++i)
        n[i] = char((quint64(json.size()) >> (8 * i)) & 0xFF);
    f.write(n);
    f.write(json);
}

void generate(const QString &a, const QString &b, qint64 sizeMb)
{
    const std::vector<Spec> specs = layout(sizeMb);
    QFile fa(a), fb(b);
    if (!fa.open(QIODevice::WriteOnly) || !fb.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(a));
    writeHeader(fa, specs, false);
    writeHeader(fb, specs, true);
    Rng rng{42};
    std::vector<char> bufA, bufB;
    for (const Spec &s : specs) {
        const qint64 n = count(s.shapeA), nb = count(s.shapeB);
        const int w = width(s.dtype);
        bufA.resize(size_t(n * w));
        bufB.resize(size_t(nb * w));
        for (qint64 i = 0; i < nb; ++i) {
            float x = 0.02f * rng.uniform(), y = x;
            if (s.changed)
                y = x + 2e-4f * rng.uniform();
            if (s.dtype == "F32") {
                if (i < n)
                    std::memcpy(&bufA[size_t(i) * 4], &x, 4);
                std::memcpy(&bufB[size_t(i) * 4], &y, 4);
            } else if (s.dtype == "BF16") {
                std::uint32_t ux, uy;
                std::memcpy(&ux, &x, 4);
                std::memcpy(&uy, &y, 4);
                const std::uint16_t hx = std::uint16_t(ux >> 16), hy = std::uint16_t(uy >> 16);
                if (i < n)
                    std::memcpy(&bufA[size_t(i) * 2], &hx, 2);
                std::memcpy(&bufB[size_t(i) * 2], &hy, 2);
            } else { // F16 around 1: exponent 14..15, random mantissa; changed: low bits move
                const std::uint64_t r = rng.next();
                const std::uint16_t hx = std::uint16_t(((14 + (r & 1)) << 10) | ((r >> 8) & 0x3FF));
                const std::uint16_t hy = s.changed ? std::uint16_t(hx ^ ((r >> 20) & 3)) : hx;
                if (i < n)
                    std::memcpy(&bufA[size_t(i) * 2], &hx, 2);
                std::memcpy(&bufB[size_t(i) * 2], &hy, 2);
            }
        }
        fa.write(bufA.data(), qint64(bufA.size()));
        fb.write(bufB.data(), qint64(bufB.size()));
    }
}

// The child: diff in-process and print the JSON.
int runCairn(const QString &a, const QString &b)
{
    auto fa = diff::SafetensorsFile::open(a);
    auto fb = diff::SafetensorsFile::open(b);
    if (!fa || !fb) {
        std::fprintf(stderr, "%s\n", qPrintable((fa ? fb.error() : fa.error()).toString()));
        return 2;
    }
    auto r = diff::diffSafetensors(*fa, *fb);
    if (!r) {
        std::fprintf(stderr, "%s\n", qPrintable(r.error().toString()));
        return 2;
    }
    const QByteArray json = QJsonDocument(diff::modelDiffJson(*r)).toJson(QJsonDocument::Compact);
    std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
    return 0;
}

// Same statuses and figures (1e-9 relative, as numpy's BLAS sums in another order).
int compare(const QJsonObject &ours, const QJsonObject &theirs, int *compared, double *worst)
{
    int differ = 0;
    const QJsonArray tensors = ours.value("tensors").toArray();
    const QJsonObject oracle = theirs.value("tensors").toObject();
    if (tensors.size() != oracle.size()) {
        std::printf("  tensor counts differ: cairn %lld, numpy %lld\n", qint64(tensors.size()),
                    qint64(oracle.size()));
        ++differ;
    }
    for (const QJsonValue &v : tensors) {
        const QJsonObject t = v.toObject();
        const QString name = t.value("name").toString();
        const QJsonObject o = oracle.value(name).toObject();
        bool same = t.value("status") == o.value("status");
        for (const char *key : {"l2_diff", "rel_l2", "max_abs_diff", "cosine"}) {
            const QJsonValue x = t.value(key), y = o.value(key);
            if (x.isDouble() && y.isDouble()) {
                const double e = std::abs(x.toDouble() - y.toDouble());
                const double rel = y.toDouble() == 0 ? e : e / std::abs(y.toDouble());
                *worst = std::max(*worst, rel);
                same = same && rel <= 1e-9;
            } else {
                same = same && x.type() == y.type();
            }
        }
        ++*compared;
        if (!same) {
            ++differ;
            std::printf("  differs: %s: cairn %s\n          numpy %s\n", qPrintable(name),
                        QJsonDocument(t).toJson(QJsonDocument::Compact).constData(),
                        QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
        }
    }
    return differ;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 4 && args[1] == "--cairn")
        return runCairn(args[2], args[3]);
    qint64 sizeMb = 1024;
    QString keep;
    int runs = 3;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == "--keep" && i + 1 < args.size())
            keep = args[++i];
        else if (args[i] == "--runs" && i + 1 < args.size())
            runs = std::max(1, args[++i].toInt());
        else
            sizeMb = std::max<qint64>(16, args[i].toLongLong());
    }
    QTemporaryDir tmp;
    const QString dir = keep.isEmpty() ? tmp.path() : keep;
    QDir().mkpath(dir);
    const QString tag = QString::number(sizeMb);
    const QString a = dir + "/base_" + tag + ".safetensors";
    const QString b = dir + "/tuned_" + tag + ".safetensors";
    const QString oracle = dir + "/modeldiff_oracle.py";
    test::writeFile(oracle, g_oracle);

    std::printf(
        "bench_modeldiff: two ~%lld MB safetensors files\nmachine: %s\ncommand: %s %lld\n\n",
        sizeMb, qPrintable(test::machineDescription()), argv[0], sizeMb);
    if (!QFile::exists(a) || !QFile::exists(b)) {
        std::printf("generating the files...\n");
        std::fflush(stdout);
        generate(a, b, sizeMb);
    }
    std::printf("a %.0f MB, b %.0f MB, %zu tensors\n", double(QFileInfo(a).size()) / 1e6,
                double(QFileInfo(b).size()) / 1e6, layout(sizeMb).size());

    // Ours: the CLI when it has `diff model`, else this program as a child.
    QStringList ours = {QCoreApplication::applicationFilePath(), "--cairn", a, b};
    QString oursName = "diffSafetensors (in-process)";
    const QString cli = qEnvironmentVariable("CAIRN_CLI");
    if (!cli.isEmpty()) {
        const Measured probe = measure({cli, "diff", "model", a, b, "--json"}, dir + "/probe.json");
        // Its exit status is 0 for no difference, 1 for differences.
        if ((probe.exitCode == 0 || probe.exitCode == 1) &&
            QJsonDocument::fromJson(probe.out).object().value("tensors").isArray()) {
            ours = {cli, "diff", "model", a, b, "--json"};
            oursName = "cairn-cli diff model --json";
        } else {
            std::printf("CAIRN_CLI has no working `diff model --json` (exit %d): in-process\n",
                        probe.exitCode);
        }
    }
    // Warm the page cache for both, so neither pays for the first read.
    (void)test::readFile(a).size();
    (void)test::readFile(b).size();

    std::vector<Measured> oursRuns, theirsRuns;
    for (int run = 0; run < runs; ++run) {
        oursRuns.push_back(measure(ours, dir + "/cairn.json"));
        theirsRuns.push_back(measure({test::python(), oracle, a, b}, dir + "/numpy.json"));
        const Measured &x = oursRuns.back(), &y = theirsRuns.back();
        if (x.exitCode != 0 && !(x.exitCode == 1 && ours.first() == cli)) {
            std::printf("a run failed: cairn exit %d\n", x.exitCode);
            return 1;
        }
        if (y.exitCode != 0) {
            std::printf("a run failed: cairn exit %d, numpy exit %d\n", x.exitCode, y.exitCode);
            return 1;
        }
        std::printf("run %d: cairn %.2f s %.0f MB, numpy %.2f s %.0f MB (%.1fx)\n", run + 1,
                    x.seconds, double(x.peakKb) / 1024, y.seconds, double(y.peakKb) / 1024,
                    y.seconds / x.seconds);
        std::fflush(stdout);
    }
    const auto median = [](std::vector<Measured> v) {
        Measured m = v.back();
        std::sort(v.begin(), v.end(), [](auto &x, auto &y) { return x.seconds < y.seconds; });
        m.seconds = v[v.size() / 2].seconds;
        std::sort(v.begin(), v.end(), [](auto &x, auto &y) { return x.peakKb < y.peakKb; });
        m.peakKb = v[v.size() / 2].peakKb;
        return m;
    };
    const Measured mine = median(oursRuns), theirs = median(theirsRuns);

    int compared = 0;
    double worst = 0;
    const int differ = compare(QJsonDocument::fromJson(mine.out).object(),
                               QJsonDocument::fromJson(theirs.out).object(), &compared, &worst);
    const QJsonObject s = QJsonDocument::fromJson(mine.out).object().value("summary").toObject();

    std::printf("\nmedian of %d runs:\n%-32s %12s %14s\n", runs, "", "wall time", "peak memory");
    std::printf("%-32s %10.2f s %11.0f MB\n", qPrintable(oursName), mine.seconds,
                double(mine.peakKb) / 1024);
    std::printf("%-32s %10.2f s %11.0f MB\n", "numpy (memmap, float64)", theirs.seconds,
                double(theirs.peakKb) / 1024);
    std::printf("%-32s %10.1fx %13.2fx\n", "cairn vs numpy", theirs.seconds / mine.seconds,
                double(mine.peakKb) / double(theirs.peakKb));
    std::printf("\n%d tensors compared, %d differ (largest relative difference %.2g); "
                "%d changed, %d unchanged, %d shape changed\n",
                compared, differ, worst, s.value("changed").toInt(), s.value("unchanged").toInt(),
                s.value("shape_changed").toInt());
    const bool fast = theirs.seconds / mine.seconds >= 2;
    std::printf("target: at least 2x faster than numpy (%s)\n", fast ? "met" : "NOT met");
    return differ == 0 && compared > 0 ? 0 : 1;
}
