/** Polling helpers the multi-process tests share. */

/** Polls `check` until it holds; a check that throws counts as "not yet". Fails after `ms` naming `what`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 20000, pollMs = 25): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch {}
    await Bun.sleep(pollMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One `name:value` field of an INFO reply. */
export function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\\r?$`, "m").exec(info)?.[1]?.trim();
}
