/**
 * The renderer's screens a native notification, the tray or a menu may open: the same paths as the web app's (and
 * the shared notification list's links), shown in the renderer's hash router. Anything else is refused, so that a
 * notification's payload can never make the window load another page.
 */
const SCREEN =
  /^\/(?:projects(?:\/[\w-]{1,64}(?:\/(?:threads|ai|previews)\/[\w-]{1,64})?)?|notifications|health|folders)$/;

/** The renderer route for `href` (`/projects/p/threads/t` → `#/projects/p/threads/t`), or null when it is not one. */
export function screenHash(href: string): string | null {
  return SCREEN.test(href) ? `#${href}` : null;
}
