// Locks a window down: strict CSP on every response, no navigation away from
// the app, no new windows (external links open in the system browser).
import { session, shell, type BrowserWindow } from 'electron'

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ')

export function applyContentSecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
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
