/**
 * @module Where the shared fixtures are (not in git: the AMI excerpts and LibriSpeech utterances):
 * ../shared/fixtures beside the checkout, or the folder SENKO_FIXTURES names (SENKO_LIBRISPEECH for the
 * utterances alone). A test that needs them is skipped without them, with one line naming the place
 * (`withoutAmi`, `withoutLibriSpeech`); benches find them through bench/fixtures.ts.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { skipWithout } from "./skip.ts";

const FIXTURES_DIR = process.env.SENKO_FIXTURES ?? join(import.meta.dir, "../../../shared/fixtures");
/** Eleven 30 s AMI meeting excerpts (dev00, dev01, trn01..trn09) with their RTTM and UEM references. */
export const AMI_DIR = join(FIXTURES_DIR, "ami");
/** LibriSpeech utterances, one read utterance per speaker (FLAC). */
export const LIBRISPEECH_DIR = process.env.SENKO_LIBRISPEECH ?? join(FIXTURES_DIR, "librispeech");

// Skip lines name the place as a user reads it: beside the checkout unless an environment variable moved it.
const shown = process.env.SENKO_FIXTURES ?? "../shared/fixtures";
export const AMI_FIXTURES = `the AMI fixtures (${shown}/ami)`;
export const LIBRISPEECH_FIXTURES = `the LibriSpeech fixtures (${process.env.SENKO_LIBRISPEECH ?? `${shown}/librispeech`})`;

export const hasAmi = existsSync(join(AMI_DIR, "dev00.wav")) && existsSync(join(AMI_DIR, "dev.rttm"));
const hasLibriSpeech = existsSync(LIBRISPEECH_DIR);

/** True (skip) without the AMI fixtures, after one line from `file` naming their place. */
export const withoutAmi = (file: string) => skipWithout(file, { [AMI_FIXTURES]: hasAmi });
/** True (skip) without the LibriSpeech fixtures, after one line from `file` naming their place. */
export const withoutLibriSpeech = (file: string) => skipWithout(file, { [LIBRISPEECH_FIXTURES]: hasLibriSpeech });
