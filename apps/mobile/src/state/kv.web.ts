/** Where the session is kept on this platform (said in Settings → About). */
export const KV_BACKEND =
  "this browser tab's sessionStorage (a browser has no secure store: closing the tab signs out)";

// A browser has no keychain: the web export keeps tokens in sessionStorage (gone with the tab), or in memory when
// sessionStorage is unavailable.
const memory = new Map<string, string>();
const store = (): Storage | null => {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
};

/** A small string store for the session: sessionStorage in a browser. */
export const kv = {
  get: async (key: string): Promise<string | null> => store()?.getItem(key) ?? memory.get(key) ?? null,
  set: async (key: string, value: string): Promise<void> => {
    const s = store();
    if (s) s.setItem(key, value);
    else memory.set(key, value);
  },
  remove: async (key: string): Promise<void> => {
    store()?.removeItem(key);
    memory.delete(key);
  },
};
