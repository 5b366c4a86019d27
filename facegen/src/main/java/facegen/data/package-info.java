/**
 * Training images: {@link facegen.data.ImageDataset} (square 8-bit RGB images, batches scaled to [-1, 1]),
 * {@link facegen.data.PngFolder} (a folder of PNGs, every file checked for size and channels up front) and
 * {@link facegen.data.ProceduralFaces} (face-like images facegen draws itself, for tests and demos), plus
 * {@link facegen.data.Png} to write images and grids.
 */
package facegen.data;
