/**
 * Where primitives run: the {@link facegen.engine.backend.Backend} interface, reference-counted
 * {@link facegen.engine.backend.Storage}, and the implementations {@code reference} (float64 plain loops, the
 * auditable definition) and {@code cpu} (float32, Vector API, all cores).
 */
package facegen.engine.backend;
