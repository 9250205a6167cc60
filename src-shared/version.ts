// Kept in step with package.json by a unit test (src-shared/version.test.ts).
export const APP_VERSION = '0.1.0'
