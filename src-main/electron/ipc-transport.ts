// Carries the contract to one window over Electron IPC (structured clone).
import { ipcMain, type WebContents } from 'electron'
import type { StudioEvents } from '../../src-shared/contract'
import type { EventHub } from '../../src-shared/event-hub'
import { PIPE_CHANNEL } from '../../src-shared/pipe'
import type { StudioDoor } from '../studio/door'
import { exposeStudio } from '../studio/expose'

export function connectWindow(contents: WebContents, door: StudioDoor, events: EventHub<StudioEvents>): void {
  const listeners = new Set<(data: unknown) => void>()
  const onMessage = (event: Electron.IpcMainEvent, data: unknown) => {
    // Only this window's own messages; another frame cannot speak for it.
    if (event.sender === contents && event.senderFrame === contents.mainFrame) listeners.forEach((fn) => fn(data))
  }
  ipcMain.on(PIPE_CHANNEL, onMessage)
  const disconnect = exposeStudio(door, events, {
    post: (data) => {
      if (!contents.isDestroyed()) contents.send(PIPE_CHANNEL, data)
    },
    on: (fn) => {
      listeners.add(fn)
    },
  })
  contents.once('destroyed', () => {
    ipcMain.off(PIPE_CHANNEL, onMessage)
    disconnect()
  })
}
