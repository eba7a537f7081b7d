/** The channels between the preload bridge and the main process (one place, so both sides agree). */
export const IPC = {
  pickFolder: 'hivesync:pick-folder',
  notify: 'hivesync:notify',
  setUnread: 'hivesync:set-unread',
  navigate: 'hivesync:navigate',
} as const;
