// The error panel is shared with the desktop app (packages/ui); this path stays for the views that import it here.
export { ErrorPanel } from '@hivesync/ui';
