#!/usr/bin/env python3
"""make_seeds.py: writes the seed corpora of tests/fuzz/corpus/TARGET/ (small
valid files of each format, a few hundred bytes each) and copies the example
models for the model target. Run from anywhere; the files are committed, so
neither make check nor make fuzz needs Python. Crashers found by fuzzing are
added to the same folders by hand, as crash-NAME."""
import gzip, os, shutil, struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def npy(descr, shape, payload, version=1):
    dims = "".join("%d, " % s for s in shape) if len(shape) != 1 else "%d," % shape[0]
    if len(shape) > 1:
        dims = dims[:-2]
    head = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(head) + 1) % 64) % 64
    head = (head + " " * pad + "\n").encode()
    size = struct.pack("<H", len(head)) if version == 1 else struct.pack("<I", len(head))
    return b"\x93NUMPY" + bytes([version, 0]) + size + head + payload


def safetensors(tensors, meta=None):
    import json
    header, data = {}, b""
    if meta:
        header["__metadata__"] = meta
    for name, dtype, shape, payload in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def idx(count, rows, cols, labels):
    images = struct.pack(">IIII", 0x803, count, rows, cols) + bytes((i * 37) % 256 for i in range(count * rows * cols))
    lab = struct.pack(">II", 0x801, len(labels)) + bytes(labels)
    return images, lab


def idx_input(images, labels):
    # fuzz_idx.c: the image file's length (u16 BE), the image file, the label file.
    return struct.pack(">H", len(images)) + images + labels


def wav(rate, channels, bits, samples):
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    data = b"".join(struct.pack("<h", s) for s in samples) if bits == 16 else bytes(samples)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def main():
    if os.path.isdir(CORPUS):
        for t in os.listdir(CORPUS):
            for f in os.listdir(os.path.join(CORPUS, t)):
                if f.startswith("seed-"):
                    os.remove(os.path.join(CORPUS, t, f))
    put("npy", "seed-f4.npy", npy("<f4", (2, 3), struct.pack("<6f", 0, 0.5, 1, -1, 2.5, 1e-3)))
    put("npy", "seed-u1.npy", npy("|u1", (4,), bytes([0, 1, 2, 255])))
    put("npy", "seed-i8-0d.npy", npy("<i8", (), struct.pack("<q", -7)))
    put("npy", "seed-b1-v2.npy", npy("|b1", (2, 2), bytes([1, 0, 0, 1]), version=2))
    put("npy", "seed-empty.npy", npy("<i4", (0, 3), b""))
    put("safetensors", "seed-meta.safetensors", safetensors(
        [("h.weight_ih", "F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)), ("h.bias", "F32", [2], struct.pack("<2f", 0, 1))],
        {"format": "pt", "model": "tiny"}))
    put("safetensors", "seed-dtypes.safetensors", safetensors(
        [("a", "I64", [1], struct.pack("<q", 3)), ("b", "BOOL", [2], b"\x01\x00"), ("c", "U8", [0], b""),
         ("d", "F16", [1], b"\x00\x3c"), ("e", "F64", [], struct.pack("<d", 0.25))]))
    images, labels = idx(2, 28, 28, [3, 9])
    put("idx", "seed-plain", idx_input(images, labels))
    put("idx", "seed-gzip", idx_input(gzip.compress(images, mtime=0), gzip.compress(labels, mtime=0)))
    images, labels = idx(1, 2, 3, [0])
    put("idx", "seed-small", idx_input(images, labels))
    tone = [int(8000 * ((i % 16) - 8) / 8) for i in range(400)]
    put("wav", "seed-8k", b"\x01" + wav(8000, 1, 16, tone))
    put("wav", "seed-16k", b"\x00" + wav(16000, 1, 16, tone[:100]))
    put("wav", "seed-stereo", b"\x00" + wav(8000, 2, 16, tone[:100]))
    put("wav", "seed-u8", b"\x00" + wav(8000, 1, 8, [128 + (i % 7) for i in range(64)]))
    put("text", "seed-plain", b"\xe6" + b"Alice was beginning to get very tired of sitting by her sister.\n" * 3)
    put("text", "seed-bom-crlf", b"\x80" + b"\xef\xbb\xbfab\r\nba\r\nab\r\nba\r\n")
    put("text", "seed-gutenberg", b"\xc0" + b"header\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n"
        b"the text itself, the text itself\r\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\nlicence\r\n")
    for d in ("examples", os.path.join("tests", "train"), os.path.join("tests", "text")):
        for f in sorted(os.listdir(os.path.join(ROOT, d))):
            if f.endswith(".snn"):
                shutil.copy(os.path.join(ROOT, d, f), os.path.join(CORPUS, "model", "seed-" + f))


if __name__ == "__main__":
    os.makedirs(os.path.join(CORPUS, "model"), exist_ok=True)
    main()
