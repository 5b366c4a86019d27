/**
 * Morphable heads: {@link facegen.render.head.MorphableHead} (template, shape/expression bases, joints, linear blend
 * skinning, 68 landmarks), the embedded procedural default built on the MediaPipe canonical face mesh
 * ({@link facegen.render.head.ProceduralHead}), and a loader for user-supplied FLAME models in {@code .npz} form
 * ({@link facegen.render.head.FlameLoader}). Symbols: beta = shape, psi = expression, theta = pose.
 */
package facegen.render.head;
