/**
 * Pretrained face networks rebuilt on engine primitives from the architectures in the sources of npm
 * {@code @vladmandic/face-api@1.7.15} ({@code src/}): {@link facegen.nn.facenets.FaceLandmark68Net} (68 iBUG
 * landmarks), {@link facegen.nn.facenets.FaceRecognitionNet} (128-D descriptor, ResNet-34),
 * {@link facegen.nn.facenets.TinyFaceDetector}, joined by {@link facegen.nn.facenets.FacePipeline}; losses in
 * {@link facegen.nn.facenets.FaceLosses}; and human-models' {@link facegen.nn.facenets.MobileFaceNet}, a TF.js graph
 * model run by {@link facegen.nn.tfjs.TfjsGraphModel}. Weights come from the package's TF.js manifests ({@link facegen.nn.facenets.FaceApiWeights},
 * test-data/face-api); layers are TF-semantics compositions ({@link facegen.nn.facenets.TfConv2d},
 * {@link facegen.nn.facenets.SeparableConv2d}, {@link facegen.nn.tfjs.TfPadding}, SAME padding being
 * asymmetric); {@link facegen.nn.facenets.NetInput} reproduces face-api's pad-to-square and TF legacy bilinear
 * resize. All run on every backend, with frozen weights, and are differentiable w.r.t. the input image
 * [N, 3, H, W] in 0..255. Matches against face-api's own TF.js runtime: test-data/facenets-reference.
 */
package facegen.nn.facenets;
