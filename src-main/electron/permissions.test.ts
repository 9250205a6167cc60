import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { ELECTRON_CSP, denyDevicePermission, denyPermissionCheck, denyPermissionRequest } from './permissions'

describe('Electron window permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'midiSysex', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb'])(
    'refuses a %s request',
    (permission) => {
      const callback = vi.fn()
      vi.spyOn(console, 'warn').mockImplementation(() => undefined)
      denyPermissionRequest({}, permission, callback)
      expect(callback).toHaveBeenCalledExactlyOnceWith(false)
    },
  )

  it('holds no permission when asked, and grants no device', () => {
    expect(denyPermissionCheck()).toBe(false)
    expect(denyDevicePermission()).toBe(false)
  })

  it('the page carries a CSP of its own as strict as the header, with the host WebSocket under self', () => {
    const html = readFileSync(join(import.meta.dirname, '..', '..', 'src-renderer', 'index.html'), 'utf8')
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBe(ELECTRON_CSP)
    expect(meta).not.toMatch(/ws:|wss:|\*|unsafe-eval/)
  })
})
