#!/usr/bin/env bash
# Compiles every kernel source kernels/<source>.cl to PTX for the CUDA backend's fallback when NVRTC is absent at
# run time: the text is "#define FACEGEN_CUDA" + prelude.h + the source (what Nvrtc.java compiles), the target
# compute_80 (Ampere and newer JIT it), and ptxas must accept each result for sm_80 or the build fails.
# Usage: build-ptx.sh KERNEL_DIR OUTPUT_DIR   (Maven passes src/main/resources/facegen/engine/kernels and
#        target/classes/facegen/engine/kernels/ptx). Without nvcc it says so and succeeds.
set -euo pipefail
KERNELS="$1"
OUT="$2"

find_tool() {
  for candidate in "$(command -v "$1" 2>/dev/null || true)" "${CUDA_HOME:-/nonexistent}/bin/$1" \
      "${CUDA_PATH:-/nonexistent}/bin/$1" "/usr/local/cuda/bin/$1"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
}
NVCC="$(find_tool nvcc)"
PTXAS="$(find_tool ptxas)"
if [ -z "$NVCC" ] || [ -z "$PTXAS" ]; then
  echo "[facegen] CUDA PTX not built: no nvcc/ptxas on the PATH, in CUDA_HOME or /usr/local/cuda;" \
    "the CUDA backend will need NVRTC (libnvrtc) at run time" >&2
  exit 0
fi

mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
VERSION="$("$NVCC" --version | sed -n 's/.*release [0-9.]*, V\([0-9.]*\).*/\1/p')"
built=0
for cl in "$KERNELS"/*.cl; do
  source="$(basename "$cl" .cl)"
  ptx="$OUT/$source.ptx"
  # Rebuild only what changed: a kernel source, the prelude, this script or the compiler.
  if [ -f "$ptx" ] && [ "$ptx" -nt "$cl" ] && [ "$ptx" -nt "$KERNELS/prelude.h" ] && [ "$ptx" -nt "$0" ] \
      && grep -qx "nvcc $VERSION" "$OUT/compiler.txt" 2>/dev/null; then
    continue
  fi
  { printf '#define FACEGEN_CUDA\n'; cat "$KERNELS/prelude.h"; printf '\n#line 1 "%s.cl"\n' "$source"; cat "$cl"; } \
    >"$WORK/$source.cu"
  if ! "$NVCC" -ptx -arch=compute_80 "$WORK/$source.cu" -o "$WORK/$source.ptx" 2>"$WORK/log"; then
    echo "[facegen] nvcc could not compile kernels/$source.cl:" >&2; cat "$WORK/log" >&2; exit 1
  fi
  if ! "$PTXAS" -arch=sm_80 "$WORK/$source.ptx" -o "$WORK/$source.cubin" 2>"$WORK/log"; then
    echo "[facegen] ptxas rejected the PTX of kernels/$source.cl:" >&2; cat "$WORK/log" >&2; exit 1
  fi
  mv "$WORK/$source.ptx" "$ptx"
  built=$((built + 1))
done
echo "nvcc $VERSION" >"$OUT/compiler.txt"
if [ "$built" -gt 0 ]; then
  echo "[facegen] CUDA PTX: $built kernel source(s) compiled by nvcc $VERSION into $OUT"
fi
