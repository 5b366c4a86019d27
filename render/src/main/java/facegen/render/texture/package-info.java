/** Procedural UV maps for the synthetic world: albedos (skin, lips, eyes, brows) and displacement (wrinkles, pores). */
package facegen.render.texture;
