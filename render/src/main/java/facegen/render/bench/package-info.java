/** {@code facegen bench render}: the four raster stages forward and backward, timed. */
package facegen.render.bench;
