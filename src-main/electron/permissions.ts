// What the studio's window may ask of Electron: nothing. It needs no camera,
// microphone, notifications, geolocation, clipboard reads, MIDI, HID, USB or
// serial access, so every permission request and check is refused, whatever
// asks (a compromised renderer or an injected frame). Kept free of the
// electron import so it is tested without the binary.

/** Electron's setPermissionRequestHandler callback: always answers no. */
export function denyPermissionRequest(_contents: unknown, permission: string, callback: (granted: boolean) => void): void {
  console.warn(`[electron] refused a permission request: ${permission}`)
  callback(false)
}

/** Electron's setPermissionCheckHandler: no permission is ever held. */
export function denyPermissionCheck(): boolean {
  return false
}

/** Device pickers (HID, USB, serial, Bluetooth) are refused too. */
export function denyDevicePermission(): boolean {
  return false
}

/**
 * The window's CSP, sent as a response header for every request of the
 * window's session (index.html carries the same policy in a <meta> tag, which
 * also holds for file:// pages). The studio talks to the main process over IPC,
 * which no CSP governs, so connect-src needs only 'self'.
 */
export const ELECTRON_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')
