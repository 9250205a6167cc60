// Node ESM resolve hook for scripts run outside a bundler (npx tsx, node):
// tfjs-core's ESM build (dist/*.js, needed for its gradient registrations)
// imports relative paths without extensions ('./gradients', '../ops/add'),
// which Node refuses. Retry such imports with '.js' appended.
import { register } from 'node:module'

const hook = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context)
  } catch (err) {
    const fromTfjs = context.parentURL && context.parentURL.includes('/node_modules/@tensorflow/')
    const relative = specifier.startsWith('./') || specifier.startsWith('../')
    if (fromTfjs && relative && !specifier.endsWith('.js')) return next(specifier + '.js', context)
    throw err
  }
}`
register('data:text/javascript,' + encodeURIComponent(hook))
