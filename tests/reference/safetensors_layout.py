"""The safetensors file layout, written by hand for the reference scripts (make_goldens.py,
make_interop.py), which do not use the `safetensors` package: an 8-byte little-endian header
length N, N bytes of JSON header padded with spaces to a multiple of 8 ({"__metadata__": ...,
name: {dtype, shape, data_offsets}}), then the raw tensor bytes in the order given."""

import json
import struct


def write_layout(path, entries, metadata=None):
    """entries: (name, dtype, shape, raw bytes) in file order; metadata: a dict of strings, or None
    for no __metadata__. Returns the size of the data section."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": [int(s) for s in shape],
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((-len(hbytes)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for _, _, _, raw in entries:
            f.write(raw)
    return offset
