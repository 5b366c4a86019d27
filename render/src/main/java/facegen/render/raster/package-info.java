/**
 * The differentiable rasteriser, four composable stages as nvdiffrast: {@link facegen.render.raster.Rasterizer#rasterize}
 * (visibility, host, not differentiable), {@link facegen.render.raster.Interpolation#interpolate} (attributes at
 * pixels; gradients to attributes and positions), {@link facegen.render.raster.Texturing#texture} (bilinear lookups;
 * gradients to texture and UVs) and {@link facegen.render.raster.Antialiasing#antialias} (analytic silhouette
 * coverage; gradients to positions at occlusion edges). Images are [B, C, H, W]; see {@link facegen.render}.
 */
package facegen.render.raster;
