#!/usr/bin/env python3
"""make_badinput.py: writes the malformed files of tests/badinput/ (committed,
so make check needs no Python), one folder per reader; run_badinput.sh says
how each reaches spikec. A case is one file (npy/NAME.npy,
safetensors/NAME.safetensors) or one folder (idx/NAME/, wav/NAME/,
text/NAME/, npy_data/NAME/); its golden message is NAME.err beside it,
written by SPIKEC_GOLDEN_UPDATE=1 sh tests/badinput/run_badinput.sh.
Rerunning this script rewrites every case from scratch."""
import gzip, json, math, os, shutil, struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BAD = os.path.join(ROOT, "tests", "badinput")
FASHION = os.path.join(ROOT, "tests", "fixtures", "data", "fashion")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def clear(reader):
    d = os.path.join(BAD, reader)
    if os.path.isdir(d):
        for f in os.listdir(d):
            p = os.path.join(d, f)
            if f.endswith(".err") or f.endswith(".snn"):
                continue
            shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)


# ---- .npy: spikec infer tests/badinput/npy/model.snn --input FILE ------------
# model.snn reads (T, B, I) = (3, B, 2) analog values.

def npy_header(head, version=1, pad_to=64):
    pre = 10 if version == 1 else 12
    pad = (pad_to - (pre + len(head) + 1) % pad_to) % pad_to
    head = (head + " " * pad + "\n").encode()
    size = struct.pack("<H", len(head)) if version == 1 else struct.pack("<I", len(head))
    return b"\x93NUMPY" + bytes([version, 0]) + size + head


def npy_dict(descr="<f4", shape="(3, 1, 2)", fortran="False"):
    return "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


GOOD_X = struct.pack("<6f", 0, 0.25, 0.5, 0.75, 1, 0.5)


def npy_cases():
    d = os.path.join(BAD, "npy")
    ok = npy_header(npy_dict())
    cases = {
        "empty": b"",
        "truncated_magic": b"\x93NUM",
        "wrong_magic": b"PK\x03\x04" + ok[4:] + GOOD_X,
        "wrong_version": ok[:6] + b"\x04\x00" + ok[8:] + GOOD_X,
        "header_past_end": ok[:8] + struct.pack("<H", 4000) + ok[10:40],
        "header_len_huge_v2": b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{'descr'",
        "header_not_dict": npy_header("['<f4', False, (3, 1, 2)]") + GOOD_X,
        "header_unterminated": npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 2)") + GOOD_X,
        "missing_shape": npy_header("{'descr': '<f4', 'fortran_order': False, }") + GOOD_X,
        "negative_shape": npy_header(npy_dict(shape="(3, -1, 2)")) + GOOD_X,
        "huge_shape": npy_header(npy_dict(shape="(3, 4611686018427387904, 2)")) + GOOD_X,
        "shape_overflow": npy_header(npy_dict(shape="(4294967296, 4294967296, 2)")) + GOOD_X,
        "too_many_dims": npy_header(npy_dict(shape="(1, 1, 1, 1, 1, 1, 1, 1, 1)")) + GOOD_X[:4],
        "truncated_data": ok + GOOD_X[:10],
        "trailing_data": ok + GOOD_X + b"\0\0\0\0",
        "big_endian": npy_header(npy_dict(descr=">f4")) + GOOD_X,
        "object_dtype": npy_header(npy_dict(descr="|O")) + b"\0" * 48,
        "complex_dtype": npy_header(npy_dict(descr="<c8")) + GOOD_X * 2,
        "string_dtype": npy_header(npy_dict(descr="<U3")) + b"\0" * 72,
        "fortran_order": npy_header(npy_dict(fortran="True")) + GOOD_X,
        "nan_value": ok + struct.pack("<6f", 0, 0.25, math.nan, 0.75, 1, 0.5),
        "inf_value": ok + struct.pack("<6f", 0, 0.25, 0.5, -math.inf, 1, 0.5),
        "wrong_rank": npy_header(npy_dict(shape="(3, 2)")) + GOOD_X,
        "wrong_steps": npy_header(npy_dict(shape="(2, 1, 2)")) + GOOD_X[:16],
        "no_samples": npy_header(npy_dict(shape="(3, 0, 2)")),
    }
    for name, data in cases.items():
        write(os.path.join(d, name + ".npy"), data)


# ---- safetensors: spikec emit tests/badinput/safetensors/model.snn --checkpoint FILE
# model.snn has y.weight (1, 2) and y.bias (1).

def st(header, data, raw_header=None):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def tensors(weight=("F32", [1, 2], [0, 8]), bias=("F32", [1], [8, 12])):
    out = {"__metadata__": {"format": "pt"}}
    for name, t in (("y.weight", weight), ("y.bias", bias)):
        if t:
            out[name] = {"dtype": t[0], "shape": t[1], "data_offsets": t[2]}
    return out


W = struct.pack("<3f", 0.5, -0.5, 0.1)


def safetensors_cases():
    d = os.path.join(BAD, "safetensors")
    good = st(tensors(), W)
    cases = {
        "empty": b"",
        "short_length": b"\x10\x00\x00",
        "header_past_end": struct.pack("<Q", 4096) + good[8:],
        "header_len_huge": struct.pack("<Q", 1 << 62) + good[8:],
        "header_not_json": st(None, W, raw_header=b"{\"y.weight\": {\"dtype\": \"F32\",,}}"),
        "header_not_object": st(None, W, raw_header=b"[1, 2, 3]"),
        "header_nul": st(None, W, raw_header=b"{\"y.weight\"\0: 1}"),
        "metadata_not_strings": st(dict(tensors(), __metadata__={"epoch": 3}), W),
        "missing_dtype": st({"y.weight": {"shape": [1, 2], "data_offsets": [0, 8]}}, W),
        "unknown_dtype": st(tensors(weight=("F8", [1, 2], [0, 8])), W),
        "negative_shape": st(tensors(weight=("F32", [-1, 2], [0, 8])), W),
        "huge_shape": st(tensors(weight=("F32", [1 << 40, 1 << 40], [0, 8])), W),
        "offsets_past_end": st(tensors(bias=("F32", [1], [8, 4096])), W),
        "offsets_reversed": st(tensors(bias=("F32", [1], [12, 8])), W),
        "offsets_negative": st(tensors(bias=("F32", [1], [-4, 0])), W),
        "offsets_overlap": st(tensors(weight=("F32", [1, 2], [0, 8]), bias=("F32", [1], [4, 8])), W[:8]),
        "offsets_vs_shape": st(tensors(weight=("F32", [1, 3], [0, 8])), W),
        "duplicate_name": st(None, W, raw_header=(
            b"{\"y.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
            b"\"y.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}")),
        "truncated_data": good[:-2],
        "wrong_dtype": st(tensors(weight=("I32", [1, 2], [0, 8])), W),
        "wrong_shape": st(tensors(weight=("F32", [2, 1], [0, 8])), W),
        "missing_tensor": st(tensors(bias=None), W[:8]),
        "nan_weight": st(tensors(), struct.pack("<3f", 0.5, math.nan, 0.1)),
        "inf_bias": st(tensors(), struct.pack("<3f", 0.5, -0.5, math.inf)),
    }
    for name, data in cases.items():
        write(os.path.join(d, name + ".safetensors"), data)


# ---- IDX: SPIKEC_FASHION_MNIST_DIR=idx/NAME spikec run idx/model.snn ---------
# Each folder holds the four files, the good ones from tests/fixtures/data/fashion.

IMAGES, LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"


def idx_cases():
    d = os.path.join(BAD, "idx")
    good = {f[:-3]: gzip.open(os.path.join(FASHION, f)).read() for f in os.listdir(FASHION)}
    img, lab = good[IMAGES], good[LABELS]
    count = struct.unpack(">I", img[4:8])[0]
    cases = {
        "empty_images": {IMAGES: b""},
        "wrong_magic": {IMAGES: struct.pack(">I", 0x00000801) + img[4:]},
        "labels_for_images": {IMAGES: lab, LABELS: img},
        "truncated_header": {IMAGES: img[:10]},
        "truncated_pixels": {IMAGES: img[:-100]},
        "trailing_bytes": {IMAGES: img + b"\0" * 3},
        "zero_images": {IMAGES: img[:4] + struct.pack(">I", 0) + img[8:16], LABELS: lab[:4] + struct.pack(">I", 0)},
        "huge_count": {IMAGES: img[:4] + struct.pack(">I", 0xFFFFFFFF) + img[8:]},
        "huge_side": {IMAGES: img[:8] + struct.pack(">II", 100000, 28) + img[16:]},
        "wrong_side": {IMAGES: img[:8] + struct.pack(">II", 14, 56) + img[16:]},
        "huge_promise": {IMAGES: img[:4] + struct.pack(">I", 10000000) + img[8:],
                         LABELS: lab[:4] + struct.pack(">I", 10000000) + lab[8:]},
        "count_mismatch": {LABELS: lab[:4] + struct.pack(">I", count + 1) + lab[8:] + b"\0"},
        "label_out_of_range": {LABELS: lab[:8] + bytes([12]) + lab[9:]},
        "corrupt_gzip": {IMAGES: "corrupt"},
        "cut_gzip": {IMAGES: "cut"},
    }
    for name, files in cases.items():
        for f, data in good.items():
            data = files.get(f, data)
            if data == "corrupt":
                z = bytearray(gzip.compress(img, mtime=0))
                z[len(z) // 2] ^= 0xFF
                data = bytes(z)
            elif data == "cut":
                data = gzip.compress(img, mtime=0)[:150]
            else:
                data = gzip.compress(data, mtime=0)
            write(os.path.join(d, name, f + ".gz"), data)


# ---- WAV: SPIKEC_FSDD_DIR=wav/NAME spikec run wav/model.snn -----------------
# Each folder holds the bad recording 0_bad_0.wav (test half, read first) and
# a good training recording 1_good_5.wav.

def wav(rate=8000, channels=1, bits=16, fmt_tag=1, n=200, data=None, data_len=None, fmt_len=None):
    if data is None:
        if bits == 16:
            data = b"".join(struct.pack("<h", 4000 * ((i % 20) - 10) // 10) for i in range(n * channels))
        else:
            data = bytes((i * 13) % 256 for i in range(n * channels * bits // 8))
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    fl = len(fmt) if fmt_len is None else fmt_len
    dl = len(data) if data_len is None else data_len
    body = b"WAVE" + b"fmt " + struct.pack("<I", fl) + fmt + b"data" + struct.pack("<I", dl) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav_cases():
    d = os.path.join(BAD, "wav")
    good = wav()
    cases = {
        "empty": b"",
        "not_wav": b"this is a text file, not a recording\n" * 4,
        "truncated_header": good[:30],
        "truncated_data": good[:-150],
        "data_len_huge": wav(data_len=0xFFFFFF00),
        "no_samples": wav(data=b""),
        "stereo": wav(channels=2),
        "pcm24": wav(bits=24),
        "float32": wav(bits=32, fmt_tag=3),
        "rate_16k": wav(rate=16000),
        "pcm8": wav(bits=8),
        "fmt_len_wrong": wav(fmt_len=2),
        "aiff_named_wav": b"FORM" + struct.pack(">I", 4) + b"AIFF",
    }
    for name, data in cases.items():
        write(os.path.join(d, name, "0_bad_0.wav"), data)
        write(os.path.join(d, name, "1_good_5.wav"), good)


# ---- text: spikec run text/NAME/model.snn (data = text("text.txt")) --------

TEXT_MODEL = """# A character model of text.txt beside it (tests/badinput/run_badinput.sh).
model chars {
    input  c[8] tokens over 4 steps
    h    = slstm(c, 4)
    y    = dense(h, 8)
    loss = cross_entropy(y)
}

train {
    data      = text("text.txt", split = 0.5)
    optimizer = adam(lr = 1e-2)
    batch = 2   epochs = 1   seed = 1
}
"""


def text_cases():
    d = os.path.join(BAD, "text")
    cases = {
        "empty": b"",
        "bom_only": b"\xef\xbb\xbf",
        "crlf_only": b"\r\n",
        "gutenberg_empty": b"h\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n"
                           b"*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n",
        "unseen_at_eval": b"abababababababababababababababababababab" + b"abababababababababababab#babababababab",
        "too_many_chars": bytes(range(32, 127)) * 2,
        "too_short": b"abcabc",
        "binary": bytes((i * 131) % 256 for i in range(400)),
    }
    for name, data in cases.items():
        write(os.path.join(d, name, "text.txt"), data)
        write(os.path.join(d, name, "model.snn"), TEXT_MODEL)


# ---- npy(...) data: spikec run npy_data/NAME/model.snn ---------------------
# (T, N, I) = (4, 6, 2) inputs, 6 labels of 2 classes; the checks on values.

NPY_MODEL = """# A classifier of the arrays beside it (tests/badinput/run_badinput.sh).
model arrays {
    input  x[2] analog over 4 steps
    h    = slstm(x, 4)
    y    = dense(last(h), 2)
    loss = cross_entropy(y)
}

train {
    data      = npy(train = "x.npy", labels = "y.npy", split = 0.5)
    optimizer = adam(lr = 1e-2)
    batch = 2   epochs = 1   seed = 1
}
"""


def npy_data_cases():
    d = os.path.join(BAD, "npy_data")
    x = [0.5] * 48
    y = [0, 1, 0, 1, 0, 1]

    def xs(vals, shape="(4, 6, 2)"):
        return npy_header(npy_dict(shape=shape)) + struct.pack("<%df" % len(vals), *vals)

    def ys(vals, descr="<i4"):
        return npy_header(npy_dict(descr=descr, shape="(%d,)" % len(vals))) + struct.pack("<%di" % len(vals), *vals)

    cases = {
        "nan_input": (xs(x[:13] + [math.nan] + x[14:]), ys(y)),
        "inf_input": (xs(x[:40] + [math.inf] + x[41:]), ys(y)),
        "truncated_input": (xs(x)[:-20], ys(y)),
        "huge_input": (npy_header(npy_dict(shape="(4, 1099511627776, 2)")) + xs(x)[128:], ys(y)),
        "negative_label": (xs(x), ys([0, 1, -1, 1, 0, 1])),
        "float_labels": (xs(x), npy_header(npy_dict(shape="(6,)")) + struct.pack("<6f", *y)),
        "labels_count": (xs(x), ys(y[:5])),
    }
    for name, (xd, yd) in cases.items():
        write(os.path.join(d, name, "x.npy"), xd)
        write(os.path.join(d, name, "y.npy"), yd)
        write(os.path.join(d, name, "model.snn"), NPY_MODEL)


if __name__ == "__main__":
    for reader, make in (("npy", npy_cases), ("safetensors", safetensors_cases), ("idx", idx_cases),
                         ("wav", wav_cases), ("text", text_cases), ("npy_data", npy_data_cases)):
        clear(reader)
        make()
