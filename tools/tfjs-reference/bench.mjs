// Images per second of face-api's nets and the mobilefacenet graph on TF.js's pure-JS cpu backend, one image at
// a time on test-data/photos/astronaut.png (the detector at input 416; the other nets on the face crop).
// Prints one JSON object on stdout; `bin/facegen bench facenets` runs it beside our own timings.
import path from 'node:path';
import {
  faceapi, tf, photosDir, readPng, squareCrop, loadAll, mobilefacenetInput,
} from './models.mjs';

const MIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

async function imagesPerSecond(run) {
  await run();                                     // warm-up: kernel registration, weight upload
  let n = 0;
  const start = performance.now();
  while (n < 2 || performance.now() - start < MIN_SECONDS * 1000) {
    await run();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const { mobilefacenet } = await loadAll();
const img = readPng(path.join(photosDir, 'astronaut.png'));
const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
const [best] = await faceapi.nets.tinyFaceDetector.locateFaces(img, options);
const crop = squareCrop(best.box, img.shape[1], img.shape[0]);
const face = tf.slice(img, [crop.y, crop.x, 0], [crop.size, crop.size, 3]);
const result = {
  runtime: `tfjs ${tf.version_core} ${tf.getBackend()} (face-api ${faceapi.version}, node ${process.version})`,
  detector: await imagesPerSecond(() => faceapi.nets.tinyFaceDetector.locateFaces(img, options)),
  landmarks: await imagesPerSecond(() => faceapi.nets.faceLandmark68Net.detectLandmarks(face)),
  recognition: await imagesPerSecond(() => faceapi.nets.faceRecognitionNet.computeFaceDescriptor(face)),
  mobilefacenet: await imagesPerSecond(async () => {
    const input = mobilefacenetInput(face);
    const out = mobilefacenet.execute(input);
    await out.data();
    tf.dispose([input, out]);
  }),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
