/** @module The names a known voice may take: one word that every output format writes as given. */
import { ConfigError } from "../errors.ts";

/**
 * Letters, digits and `_ - . '` (any script: `José`, `李雷`), up to 64: RTTM splits its fields on whitespace,
 * and CSV, HTML and subtitles then need no quoting. A full name is written with `_` (`Alice_Smith`).
 */
const VOICE_NAME = /^[\p{L}\p{N}_.'-]{1,64}$/u;
/** What the pipelines call speakers: a voice so named would be taken for an unmatched speaker. */
const SPEAKER_LABEL = /^SPEAKER_\d+$/i;

/** A ConfigError (how names are written) for a name a voice cannot take. */
export function checkVoiceName(name: string): void {
  if (!VOICE_NAME.test(name)) {
    throw new ConfigError(
      `voice name ${JSON.stringify(name)}: a name is 1 to 64 letters, digits, _ - . or ' with no spaces (RTTM splits on them): write Alice_Smith for "Alice Smith"`,
    );
  }
  if (SPEAKER_LABEL.test(name)) throw new ConfigError(`voice name ${JSON.stringify(name)}: SPEAKER_<number> names the speakers no voice matched`);
}
