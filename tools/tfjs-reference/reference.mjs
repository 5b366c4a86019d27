// Reference outputs of face-api's own TF.js runtime (the tfjs 4.22 pure-JS "cpu" backend bundled in
// @vladmandic/face-api 1.7.15) for facegen's match tests. Reads test-data/photos/*.png, the weights in
// test-data/face-api/ and the mobilefacenet graph model in test-data/human-models/, writes
// test-data/facenets-reference/face-api.json. No network access at run time.
import fs from 'node:fs';
import path from 'node:path';
import {
  faceapi, tf, root, photosDir, readPng, squareCrop, loadAll, mobilefacenetInput, resized,
} from './models.mjs';

const outFile = path.join(root, 'test-data/facenets-reference/face-api.json');
const DETECTOR_INPUT = 416;
const DETECTOR_THRESHOLD = 0.5;

const graphs = await loadAll();
const TOP_ANCHORS = 8;

async function run(model, input, outputs) {
  const result = model.execute(input, outputs);
  const out = Array.isArray(result) ? result : [result];  // a one-name list comes back as a bare tensor
  const values = await Promise.all(out.map((t) => t.data()));
  tf.dispose(out);
  return values.map((v) => Array.from(v));
}

// blazeface's raw heads: all scores, and the 16 regressors of the TOP_ANCHORS best-scoring anchors per head.
async function blazeface(img) {
  const input = resized(img, 256, 1 / 127.5, -1);       // human's src/face/blazeface.ts: x / 127.5 - 1
  const [reg384, score384, reg512, score512] = await run(graphs.blazeface, input, ['Identity_3', 'Identity_1', 'Identity_2', 'Identity']);
  input.dispose();
  const top = (scores, regs) => scores.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0]).slice(0, TOP_ANCHORS)
    .map(([, i]) => ({ anchor: i, regressors: regs.slice(16 * i, 16 * i + 16) }));
  return { scores384: score384, scores512: score512, top384: top(score384, reg384), top512: top(score512, reg512) };
}

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
    const mobileInput = mobilefacenetInput(face);
    [entry.mobilefacenet] = await run(graphs.mobilefacenet, mobileInput, ['embeddings']);
    // human's facemesh input: the [0, 1] crop at 192; outputs mesh (468 x, y, z in input px) and face flag
    const meshInput = resized(face, 192, 1 / 255, 0);
    [entry.facemesh, entry.faceflag] = await run(graphs.facemesh, meshInput, ['Identity_2', 'Identity_1']);
    tf.dispose([mobileInput, meshInput]);
    face.dispose();
  }
  entry.blazeface = await blazeface(img);
  img.dispose();
  images.push(entry);
  console.log(name, `${detections.length} face(s)`, entry.crop ?? '');
}
const versions = { faceApi: faceapi.version, tfjs: tf.version_core, backend: tf.getBackend(), node: process.version };
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify({ generator: 'tools/tfjs-reference/reference.mjs', versions, images }, null, 1)}\n`);
console.log('wrote', path.relative(root, outFile));
