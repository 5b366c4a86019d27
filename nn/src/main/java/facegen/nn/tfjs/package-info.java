/**
 * TensorFlow.js model files: {@link facegen.nn.tfjs.TfjsWeights} reads a weights manifest
 * ({@code *-weights_manifest.json}: groups of shard files, each listing tensors by name, shape, dtype and
 * optional quantization) and its {@code .bin} shards into host tensors in TF.js layout (convolution filters
 * [kH, kW, in, out], depthwise filters [kH, kW, C, multiplier], dense weights [in, out]); the networks in
 * {@code facegen.nn.facenets} transpose them to the engine's layouts. {@link facegen.nn.tfjs.TfjsGraphModel}
 * interprets graph models (GraphDef nodes as JSON + the same manifest) over engine primitives, in NHWC;
 * {@link facegen.nn.tfjs.TfPadding} is TF's SAME / VALID rule.
 *
 * <p>Format source: tfjs-core {@code src/io/io_utils.ts} ({@code decodeWeights}) and {@code src/io/types.ts}
 * ({@code WeightsManifestEntry}), as bundled in {@code @vladmandic/face-api@1.7.15}.
 */
package facegen.nn.tfjs;
