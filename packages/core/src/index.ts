export * from './errors.js';
export * from './common.js';
export * from './auth.js';
export * from './projects.js';
export * from './notifications.js';
export * from './health.js';
export * from './admin.js';
export * from './repo.js';
