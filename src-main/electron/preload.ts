// Sandboxed preload: exposes only a message pipe. No Node, no ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron'
import { PIPE_CHANNEL, PIPE_GLOBAL, type StudioPipe } from '../../src-shared/pipe'

const pipe: StudioPipe = {
  post: (message) => ipcRenderer.send(PIPE_CHANNEL, message),
  on: (listener) => {
    ipcRenderer.removeAllListeners(PIPE_CHANNEL)
    ipcRenderer.on(PIPE_CHANNEL, (_event, message) => listener(message))
  },
}

contextBridge.exposeInMainWorld(PIPE_GLOBAL, pipe)
