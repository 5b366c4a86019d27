"""PyTorch's side of `facegen bench engine` on a GPU machine (where libtorch's Java natives are not carried).

Same cases, shapes, warm-up and median-of-11 method as facegen's EngineBench, float32, with
torch.cuda.synchronize() inside each timed run so queued kernels count. Prints TSV rows:
op, shape, device, torch_ms. Join them with `facegen bench engine --backend cuda` rows by op and shape.

Usage: python3 tools/torch-bench/engine_bench.py [cuda|cpu]
"""
import statistics
import sys
import time

import torch

WARMUP, WARMUP_S, RUNS = 5, 2.0, 11


def median_ms(fn, device):
    start = time.perf_counter()
    i = 0
    while i < WARMUP or time.perf_counter() - start < WARMUP_S:
        fn()
        i += 1
    if device == "cuda":
        torch.cuda.synchronize()
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    device = sys.argv[1] if len(sys.argv) > 1 else "cuda"
    # true float32 on both sides: cuDNN would otherwise run convolutions in TF32 (10-bit mantissa)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    g = torch.Generator(device="cpu").manual_seed(42)
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    print(f"# torch {torch.__version__} on {name}")
    print("op\tshape\tdevice\ttorch_ms")
    for n in (256, 512, 1024):
        a = torch.randn(n, n, generator=g).to(device)
        b = torch.randn(n, n, generator=g).to(device)
        ms = median_ms(lambda: torch.matmul(a, b), device)
        print(f"matmul\t{n}x{n}x{n}\t{device}\t{ms:.3f}")
    for batch, c, size in ((4, 128, 64), (8, 512, 8)):
        x = torch.randn(batch, c, size, size, generator=g).to(device)
        w = torch.randn(c, c, 3, 3, generator=g).to(device)
        dy = torch.randn(batch, c, size, size, generator=g).to(device)

        def conv():
            lx = x.detach().requires_grad_(True)
            lw = w.detach().requires_grad_(True)
            torch.nn.functional.conv2d(lx, lw, padding=1).backward(dy)

        ms = median_ms(conv, device)
        print(f"conv2d fwd+bwd\tN{batch} C{c}->{c} {size}x{size} k3 p1\t{device}\t{ms:.3f}")
    x = torch.randn(1 << 20, generator=g).to(device)
    ms = median_ms(lambda: x.exp() * x + x.sin() / 2, device)
    print(f"elementwise fwd\texp(x)*x+sin(x)/2 n={1 << 20}\t{device}\t{ms:.3f}")


if __name__ == "__main__":
    main()
