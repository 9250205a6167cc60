// Errors that cross the contract. Thrown objects lose their class over a
// WebSocket, so the service throws (and transports carry) this plain shape.
export type StudioErrorCode = 'invalid-argument' | 'not-found' | 'conflict' | 'unsupported' | 'unavailable' | 'cancelled' | 'internal'

export interface WireError {
  code: StudioErrorCode
  message: string
  /** The field, file or run the error is about, when there is one. */
  subject?: string
}

export class StudioError extends Error implements WireError {
  constructor(
    readonly code: StudioErrorCode,
    message: string,
    readonly subject?: string,
  ) {
    super(message)
    this.name = 'StudioError'
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, subject: this.subject }
  }

  static fromWire(value: unknown): StudioError {
    if (value && typeof value === 'object' && 'message' in value) {
      const w = value as Partial<WireError>
      return new StudioError(w.code ?? 'internal', String(w.message), w.subject)
    }
    return new StudioError('internal', String(value))
  }
}
