/** The {@code facegen render} demo: random head, procedural albedo and detail, three views, OBJ/MTL/PNG export. */
package facegen.render.demo;
