// Locks a window down: strict CSP on every response, no permissions, no
// navigation away from the app, no new windows (external links open in the
// system browser).
import { session, shell, type BrowserWindow } from 'electron'
import { ELECTRON_CSP, denyDevicePermission, denyPermissionCheck, denyPermissionRequest } from './permissions'

export function applyContentSecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } })
  })
}

/** Deny by default: every permission request and check of the app's session is refused. */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler(denyPermissionRequest)
  session.defaultSession.setPermissionCheckHandler(denyPermissionCheck)
  session.defaultSession.setDevicePermissionHandler(denyDevicePermission)
}

export function lockDownNavigation(win: BrowserWindow): void {
  const appUrl = win.webContents.getURL()
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== appUrl) event.preventDefault()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
}
