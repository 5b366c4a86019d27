/** Cameras (DECA's orthographic scale + translation, and a pinhole perspective camera) and rotations, as tensor ops. */
package facegen.render.camera;
