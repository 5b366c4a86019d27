// Shared by reference.mjs and bench.mjs: face-api's bundled TF.js on its pure-JS cpu backend, the three face-api
// nets and the mobilefacenet graph model loaded from test-data, PNG decoding and the square crop.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

// The bundle picks its platform at import: on Node it wants util.TextEncoder from a module the bundle stubs
// out, so we let it take the browser platform, which uses Node 20's global TextEncoder, fetch and performance.
globalThis.WorkerGlobalScope = class {};
const faceapi = await import('@vladmandic/face-api/dist/face-api.esm.js');
const { tf } = faceapi;
export { faceapi, tf };

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const weightsDir = path.join(root, 'test-data/face-api');
export const photosDir = path.join(root, 'test-data/photos');
const graphDir = path.join(root, 'test-data/human-models');

export function loadNet(net, name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(weightsDir, `${name}-weights_manifest.json`), 'utf8'));
  const specs = manifest.flatMap((g) => g.weights);
  const bin = Buffer.concat(manifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(weightsDir, p))));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  net.loadFromWeightMap(tf.io.decodeWeights(buffer, specs));
}

// A TF.js graph model (model.json + shards) from disk, through the in-memory IO handler (no fetch).
export async function loadGraph(name) {
  const model = JSON.parse(fs.readFileSync(path.join(graphDir, `${name}.json`), 'utf8'));
  const weightSpecs = model.weightsManifest.flatMap((g) => g.weights);
  const bin = Buffer.concat(model.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(graphDir, p))));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs, weightData }));
}

// RGB samples as an int32 [H, W, 3] tensor (alpha dropped, as face-api does with canvas input).
export function readPng(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    for (let c = 0; c < 3; c++) rgb[3 * i + c] = png.data[4 * i + c];
  }
  return tf.tensor3d(rgb, [png.height, png.width, 3], 'int32');
}

// The square integer crop both sides use for landmarks and descriptors: the detection box's centre, side = its
// longer edge, kept inside the image (facegen.nn.facenets.FaceBox#squareCrop does the same).
export function squareCrop(box, width, height) {
  const side = Math.min(Math.round(Math.max(box.width, box.height)), width, height);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const x = Math.min(Math.max(Math.round(cx - side / 2), 0), width - side);
  const y = Math.min(Math.max(Math.round(cy - side / 2), 0), height - side);
  return { x, y, size: side };
}

// Selects the cpu backend and loads every net; returns the human-models graph models by name.
export async function loadAll() {
  await tf.setBackend('cpu');
  await tf.ready();
  loadNet(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model');
  loadNet(faceapi.nets.faceLandmark68Net, 'face_landmark_68_model');
  loadNet(faceapi.nets.faceRecognitionNet, 'face_recognition_model');
  return {
    mobilefacenet: await loadGraph('mobilefacenet'),
    facemesh: await loadGraph('facemesh'),
    blazeface: await loadGraph('blazeface'),
  };
}

// human's src/face/mobilefacenet.ts: legacy bilinear resize of the [0, 1] crop to 112, then the graph.
export function mobilefacenetInput(face) {
  return resized(face, 112, 1 / 255, 0);
}

// image [H, W, 3] (0..255) -> [1, size, size, 3] legacy-bilinear resized, then x * scale + offset.
export function resized(image, size, scale, offset) {
  return tf.tidy(() => tf.image.resizeBilinear(tf.cast(image, 'float32').mul(scale).add(offset).expandDims(0), [size, size], false));
}
