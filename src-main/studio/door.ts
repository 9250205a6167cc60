// The one door into the studio: every call of every face (the Electron window,
// the browser host, the CLI, scripts) is checked against its schema here, and
// the service receives the parsed arguments. Errors stay StudioErrors; the
// transports turn them into wire errors (expose.ts).
import { z } from 'zod'
import {
  CALL_NAMES,
  LOCAL_CALL_NAMES,
  callSchemas,
  localCallSchemas,
  type CheckedCalls,
  type CheckedLocalCalls,
  type LocalCalls,
  type StudioCalls,
} from '../../src-shared/contract'
import { StudioError } from '../../src-shared/errors'

declare const checked: unique symbol
/** The service's calls behind their schemas; only openDoor makes one, so a transport cannot be handed the bare service. */
export type StudioDoor = StudioCalls & LocalCalls & { readonly [checked]: true }

type AnyCall = (...args: unknown[]) => Promise<unknown>

export function openDoor(service: CheckedCalls & CheckedLocalCalls): StudioDoor {
  const schemas: Record<string, z.ZodType> = { ...callSchemas, ...localCallSchemas }
  const door = Object.create(null) as Record<string, AnyCall>
  for (const name of [...CALL_NAMES, ...LOCAL_CALL_NAMES]) {
    const method = service[name] as AnyCall
    door[name] = async (...args: unknown[]) => {
      const parsed = schemas[name].safeParse(args)
      if (!parsed.success) throw new StudioError('invalid-argument', `${name}: ${z.prettifyError(parsed.error)}`, subjectOf(parsed.error) ?? name)
      return method.apply(service, parsed.data as unknown[])
    }
  }
  return door as unknown as StudioDoor
}

/** The option a refusal is about (`background` of exportSheet's options), when it names one. */
function subjectOf(error: z.ZodError): string | undefined {
  const field = error.issues[0]?.path[1]
  return typeof field === 'string' ? field : undefined
}
