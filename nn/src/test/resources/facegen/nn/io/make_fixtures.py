"""Writes the interoperability fixtures of facegen.nn.io's tests with CPython and NumPy (run once; the outputs
are committed). PyTorch is not needed: a stand-in `torch` package provides the globals that torch.save's
pickles name, and the pickler gets torch.save's persistent_id, so data.pkl has the opcodes torch.save writes.

    cd nn/src/test/resources/facegen/nn/io && python3 make_fixtures.py
"""
import argparse
import collections
import io
import os
import pickle
import sys
import types
import zipfile

import numpy as np

# ---------------------------------------------------------------- NumPy
np.save("f4_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3) / 4)
np.save("f8_fortran_2x3x2.npy", np.asfortranarray(np.arange(12, dtype="<f8").reshape(2, 3, 2) - 5.5))
np.save("i4_bigendian_3.npy", np.array([1, -2, 300000], dtype=">i4"))
np.save("b1_4.npy", np.array([True, False, False, True]))
np.save("f2_scalar.npy", np.float16(1.5))
np.savez("arrays.npz", w=np.arange(4, dtype="<f4").reshape(2, 2), b=np.array([0.5], dtype="<f8"))
np.savez_compressed("arrays_compressed.npz", w=np.arange(4, dtype="<f4").reshape(2, 2), b=np.array([0.5], dtype="<f8"))
np.save("object.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)

# ---------------------------------------------------------------- torch.save stand-in
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks):
    raise AssertionError("never called while writing")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
torch._utils = torch_utils


class Storage:
    def __init__(self, key, values):
        self.key, self.values = key, np.asarray(values, dtype="<f4")


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.size, self.stride, False,
                                     collections.OrderedDict()))


def state_dict(**tensors):
    d = collections.OrderedDict(tensors)
    d._metadata = collections.OrderedDict([("", {"version": 1})])
    return d


def torch_save(obj, path):
    storages = {}

    def persistent_id(o):
        if isinstance(o, Storage):
            storages[o.key] = o
            return ("storage", FloatStorage, o.key, "cpu", o.values.size)
        return None

    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=2)
    p.persistent_id = persistent_id
    p.dump(obj)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        for key in sorted(storages):
            z.writestr("archive/data/" + key, storages[key].values.tobytes())
        z.writestr("archive/version", "3\n")


s0 = Storage("0", np.arange(6) / 8)        # weight [2, 3], its transpose a strided view of the same storage
s1 = Storage("1", [7.0, 0.25, -1.5])       # a scalar at offset 1
torch_save({"g_ema": state_dict(weight=Tensor(s0, 0, (2, 3), (3, 1)),
                                weight_t=Tensor(s0, 0, (3, 2), (1, 3)),
                                scale=Tensor(s1, 1, (), ())),
            "iter": 1200, "lr": 0.002, "name": "demo"}, "torch_layout.pt")
torch_save({"g_ema": state_dict(weight=Tensor(s0, 0, (2, 3), (3, 1))),
            "args": argparse.Namespace(size=256, lr=0.002)}, "torch_with_namespace.pt")
print("wrote", sorted(f for f in os.listdir(".") if not f.endswith(".py")))
