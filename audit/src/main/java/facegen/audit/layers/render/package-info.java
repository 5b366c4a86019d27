/** Layer rows of the renderer's differentiable stages (interpolate, texture, antialias, normals, SH shading, displacement). */
package facegen.audit.layers.render;
