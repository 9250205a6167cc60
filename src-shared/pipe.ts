// What the Electron preload exposes to the renderer: a message pipe and
// nothing else. The renderer finds it at window[PIPE_GLOBAL].
export const PIPE_GLOBAL = 'studioPipe'
export const PIPE_CHANNEL = 'studio:rpc'

export interface StudioPipe {
  post(message: unknown): void
  /** Registers the single listener for messages from the main process. */
  on(listener: (message: unknown) => void): void
}
