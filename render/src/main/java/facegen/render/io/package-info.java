/** Files: OBJ + MTL meshes (write and read), 8- and 16-bit PNG images. */
package facegen.render.io;
