/**
 * The renderer: a morphable head, a differentiable rasteriser in four composable stages (as nvdiffrast), spherical
 * harmonics shading, UV displacement, and OBJ/PNG export.
 *
 * <p>Symbols (AlbedoGAN / DECA): shape coefficients beta ({@code shape}), expression psi ({@code expression}), pose
 * theta ({@code pose}: global rotation then jaw, axis-angle), camera {@code cam = [s, tx, ty]}, albedo A (a UV map),
 * lighting {@code shCoeffs} (9 x 3 spherical-harmonics coefficients), displacement D (a UV map). A render is
 * {@code I = A(uv) * shading(n)}, with n the (detailed) normals.
 *
 * <p>Conventions shared by every package here: vertex tensors are {@code [B, V, C]}; images are
 * {@code [B, C, H, W]} (the engine's convention) with row 0 at the top; clip space is OpenGL's (x right, y up,
 * z/w in [-1, 1] with smaller z nearer); the pixel (i, j) has its centre at screen position (i + 0.5, j + 0.5);
 * UV coordinates are in [0, 1] with v growing down the texture's rows (OBJ's vt flips v on export).
 */
package facegen.render;
