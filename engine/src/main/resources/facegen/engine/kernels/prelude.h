/*
 * prelude.h: the few macros that let one kernel text compile as OpenCL C (1.2) and as CUDA C.
 *
 * Every file in this folder is written in the common subset of the two languages and uses only these names
 * for what differs. The OpenCL driver compiles "#define FACEGEN_OPENCL" + this file + the source; the CUDA
 * driver compiles "#define FACEGEN_CUDA" + this file + the source (NVRTC at run time, or nvcc -ptx at build
 * time). Work-items are numbered CUDA-style: a grid of groups, each of GROUP_SIZE items, dimension 0..2.
 *
 *   KERNEL void name(GLOBAL float* out, GLOBAL const float* in, int n)  a kernel entry point
 *   DEVICE float helper(float x)                                         a helper function
 *   SHARED float tile[16][16];      work-group shared memory (declare at the kernel's outermost scope)
 *   BARRIER();                      all items of the group reach here and see each other's SHARED writes
 *   GROUP_ID(d) LOCAL_ID(d) GROUP_SIZE(d) NUM_GROUPS(d) GLOBAL_ID(d)    ids as int, d a literal 0, 1 or 2
 *   EXPF LOGF SQRTF POWF SINF COSF FMAXF FMINF FLOORF FABSF             float maths, correctly rounded or
 *                                                                       within a few ulp on both
 *   strided_offset(flat, rank, dims, strides)                           see below
 */
#if defined(FACEGEN_OPENCL)

#define KERNEL __kernel
#define DEVICE static inline
#define GLOBAL __global
#define SHARED __local
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define GROUP_ID(d) ((int) get_group_id(d))
#define LOCAL_ID(d) ((int) get_local_id(d))
#define GROUP_SIZE(d) ((int) get_local_size(d))
#define NUM_GROUPS(d) ((int) get_num_groups(d))
#define EXPF(x) exp(x)
#define LOGF(x) log(x)
#define SQRTF(x) sqrt(x)
#define POWF(x, y) pow(x, y)
#define SINF(x) sin(x)
#define COSF(x) cos(x)
#define FMAXF(x, y) fmax(x, y)
#define FMINF(x, y) fmin(x, y)
#define FLOORF(x) floor(x)
#define FABSF(x) fabs(x)

#elif defined(FACEGEN_CUDA)

#define KERNEL extern "C" __global__
#define DEVICE __device__ __forceinline__  /* not static: an unused helper draws no warning */
#define GLOBAL
#define SHARED __shared__
#define BARRIER() __syncthreads()
#define FACEGEN_DIM3(v, d) ((int) ((d) == 0 ? (v).x : (d) == 1 ? (v).y : (v).z))
#define GROUP_ID(d) FACEGEN_DIM3(blockIdx, d)
#define LOCAL_ID(d) FACEGEN_DIM3(threadIdx, d)
#define GROUP_SIZE(d) FACEGEN_DIM3(blockDim, d)
#define NUM_GROUPS(d) FACEGEN_DIM3(gridDim, d)
#define EXPF(x) expf(x)
#define LOGF(x) logf(x)
#define SQRTF(x) sqrtf(x)
#define POWF(x, y) powf(x, y)
#define SINF(x) sinf(x)
#define COSF(x) cosf(x)
#define FMAXF(x, y) fmaxf(x, y)
#define FMINF(x, y) fminf(x, y)
#define FLOORF(x) floorf(x)
#define FABSF(x) fabsf(x)

#else
#error "define FACEGEN_OPENCL or FACEGEN_CUDA before including prelude.h"
#endif

#define GLOBAL_ID(d) (GROUP_ID(d) * GROUP_SIZE(d) + LOCAL_ID(d))

/* The one helper several kernel families share (each source compiles alone, after this prelude): the offset
   sum_k i_k strides[k] of the element at row-major position flat, (i_0, ..., i_{r-1}), of a tensor of extents
   dims; a stride of 0 reads a broadcast axis. */
DEVICE int strided_offset(int flat, int rank, GLOBAL const int* dims, GLOBAL const int* strides) {
    int offset = 0;
    for (int k = rank - 1; k >= 0; k--) {
        offset += (flat % dims[k]) * strides[k];
        flat /= dims[k];
    }
    return offset;
}
