import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/** zxcvbn's score (0 … 4) a new password must reach: 3 is "safely unguessable", about 10^8 guesses or more. */
export const MIN_PASSWORD_SCORE = 3;
// zxcvbn's time grows quickly with length; a long password is judged by its first 100 characters.
const MAX_CHECKED_LENGTH = 100;

let estimator: Promise<ZxcvbnFactory> | undefined;

// The dictionaries weigh ~60 MB in memory and take ~0.4 s to load: loaded once, on the first registration.
function load(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory: Factory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new Factory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
      maxLength: MAX_CHECKED_LENGTH,
    });
  })().catch((err: unknown) => {
    estimator = undefined;
    throw err;
  });
  return estimator;
}

/**
 * Why `password` is too easy to guess (zxcvbn's feedback, e.g. "This is a top-10 common password."), or undefined
 * when it is strong enough. `userInputs` (the email, the name) count as known words.
 */
export async function passwordWeakness(password: string, userInputs: string[]): Promise<string | undefined> {
  const zxcvbn = await load();
  const result = zxcvbn.check(password.slice(0, MAX_CHECKED_LENGTH), userInputs);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return `is too easy to guess.${advice ? ` ${advice}` : ''}`;
}
