// Reference outputs of face-api's own TF.js runtime (the tfjs 4.22 pure-JS "cpu" backend bundled in
// @vladmandic/face-api 1.7.15) for facegen's match tests. Reads test-data/photos/*.png, the weights in
// test-data/face-api/ and the mobilefacenet graph model in test-data/human-models/, writes
// test-data/facenets-reference/face-api.json. No network access at run time.
import fs from 'node:fs';
import path from 'node:path';
import {
  faceapi, tf, root, photosDir, readPng, squareCrop, loadAll, mobilefacenetInput,
} from './models.mjs';

const outFile = path.join(root, 'test-data/facenets-reference/face-api.json');
const DETECTOR_INPUT = 416;
const DETECTOR_THRESHOLD = 0.5;

const mobilefacenet = await loadAll();

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
