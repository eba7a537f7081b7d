/** What the Electron preload (src/main/preload.cts) gives the page; absent in a plain browser. */
export interface DesktopBridge {
  pickFolder(): Promise<string | null>;
  notify(notification: { title: string; body: string; href: string | null }): Promise<boolean>;
  setUnreadCount(count: number, signedIn: boolean): Promise<void>;
  onNavigate(listener: (hash: string) => void): () => void;
}

/** The native bridge in the Electron window, or null in a browser (the renderer then offers text fields instead). */
export function desktopBridge(): DesktopBridge | null {
  return (window as { hivesyncDesktop?: DesktopBridge }).hivesyncDesktop ?? null;
}
