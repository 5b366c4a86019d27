// Reference outputs of face-api's own TF.js runtime (the tfjs 4.22 pure-JS "cpu" backend bundled in
// @vladmandic/face-api 1.7.15) for facegen's match tests. Reads test-data/photos/*.png, the weights in
// test-data/face-api/ and the mobilefacenet graph model in test-data/human-models/, writes
// test-data/facenets-reference/face-api.json. No network access at run time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

// The bundle picks its platform at import: on Node it wants util.TextEncoder from a module the bundle stubs
// out, so we let it take the browser platform, which uses Node 20's global TextEncoder, fetch and performance.
globalThis.WorkerGlobalScope = class {};
const faceapi = await import('@vladmandic/face-api/dist/face-api.esm.js');
const { tf } = faceapi;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const weightsDir = path.join(root, 'test-data/face-api');
const photosDir = path.join(root, 'test-data/photos');
const graphDir = path.join(root, 'test-data/human-models');
const outFile = path.join(root, 'test-data/facenets-reference/face-api.json');
const DETECTOR_INPUT = 416;
const DETECTOR_THRESHOLD = 0.5;

function loadNet(net, name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(weightsDir, `${name}-weights_manifest.json`), 'utf8'));
  const specs = manifest.flatMap((g) => g.weights);
  const bin = Buffer.concat(manifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(weightsDir, p))));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  net.loadFromWeightMap(tf.io.decodeWeights(buffer, specs));
}

// A TF.js graph model (model.json + shards) from disk, through the in-memory IO handler (no fetch).
async function loadGraph(name) {
  const model = JSON.parse(fs.readFileSync(path.join(graphDir, `${name}.json`), 'utf8'));
  const weightSpecs = model.weightsManifest.flatMap((g) => g.weights);
  const bin = Buffer.concat(model.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(graphDir, p))));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs, weightData }));
}

// RGB samples as an int32 [H, W, 3] tensor (alpha dropped, as face-api does with canvas input).
function readPng(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    for (let c = 0; c < 3; c++) rgb[3 * i + c] = png.data[4 * i + c];
  }
  return tf.tensor3d(rgb, [png.height, png.width, 3], 'int32');
}

// The square integer crop both sides use for landmarks and descriptors: the detection box's centre, side = its
// longer edge, kept inside the image (facegen.nn.facenets.FaceBox#squareCrop does the same).
function squareCrop(box, width, height) {
  const side = Math.min(Math.round(Math.max(box.width, box.height)), width, height);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const x = Math.min(Math.max(Math.round(cx - side / 2), 0), width - side);
  const y = Math.min(Math.max(Math.round(cy - side / 2), 0), height - side);
  return { x, y, size: side };
}

await tf.setBackend('cpu');
await tf.ready();
loadNet(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model');
loadNet(faceapi.nets.faceLandmark68Net, 'face_landmark_68_model');
loadNet(faceapi.nets.faceRecognitionNet, 'face_recognition_model');
const mobilefacenet = await loadGraph('mobilefacenet');

const images = [];
for (const name of fs.readdirSync(photosDir).filter((f) => f.endsWith('.png')).sort()) {
  const img = readPng(path.join(photosDir, name));
  const [height, width] = img.shape;
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: DETECTOR_INPUT, scoreThreshold: DETECTOR_THRESHOLD });
  const detections = (await faceapi.nets.tinyFaceDetector.locateFaces(img, options))
    .map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score }));
  const entry = { image: name, width, height, detectorInputSize: DETECTOR_INPUT, detections };
  if (detections.length > 0) {
    const best = detections.reduce((a, b) => (b.score > a.score ? b : a));
    const crop = squareCrop(best, width, height);
    const face = tf.slice(img, [crop.y, crop.x, 0], [crop.size, crop.size, 3]);
    const marks = await faceapi.nets.faceLandmark68Net.detectLandmarks(face);
    entry.crop = crop;
    entry.landmarks = marks.positions.map((p) => [p.x + crop.x, p.y + crop.y]);
    entry.descriptor = Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(face));
    // human's src/face/mobilefacenet.ts: legacy bilinear resize of the [0, 1] crop to 112, then the graph
    const mobileInput = tf.tidy(() => tf.image.resizeBilinear(tf.cast(face, 'float32').div(255).expandDims(0), [112, 112], false));
    const embedding = mobilefacenet.execute(mobileInput);
    entry.mobilefacenet = Array.from(await embedding.data());
    tf.dispose([mobileInput, embedding]);
    face.dispose();
  }
  img.dispose();
  images.push(entry);
  console.log(name, `${detections.length} face(s)`, entry.crop ?? '');
}
const versions = { faceApi: faceapi.version, tfjs: tf.version_core, backend: tf.getBackend(), node: process.version };
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify({ generator: 'tools/tfjs-reference/reference.mjs', versions, images }, null, 1)}\n`);
console.log('wrote', path.relative(root, outFile));
