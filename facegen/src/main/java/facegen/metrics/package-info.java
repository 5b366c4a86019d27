/**
 * Image-quality metrics that need no pretrained network: {@link facegen.metrics.SlicedWasserstein}, ProGAN's
 * sliced Wasserstein distance on 7 x 7 Laplacian-pyramid patches between generated and real images.
 */
package facegen.metrics;
