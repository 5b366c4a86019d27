/**
 * Mesh topology on the host (triangle lists, edge adjacency, subdivision) and per-vertex quantities computed with
 * engine tensors (vertex normals).
 */
package facegen.render.mesh;
