/** Spherical-harmonics shading (DECA's constants) and UV displacement (detailed mesh and detailed normals). */
package facegen.render.shading;
