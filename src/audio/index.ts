/** @module Audio input: files, bytes or raw samples to 16 kHz mono Float32. */
export { probeAudio, readAudio, type AudioData, type AudioFileInput, type AudioProbe, type AudioInput, type AudioSource, type RawAudio, type ReadAudioOptions } from "./read-audio.ts";
export { parseWav, type WavLayout, type SampleEncoding } from "./wav.ts";
