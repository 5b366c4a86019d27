/** The face image formation (albedo times SH shading over a background, antialiased) composed from the raster stages. */
package facegen.render.face;
