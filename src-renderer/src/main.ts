import { mount } from 'svelte'
import App from './App.svelte'
import './app.css'
import { Connection } from './lib/connection.svelte'
import { pickTransport } from './lib/transport'

const transport = pickTransport()
// The token travelled in the URL fragment; keep it out of the address bar.
if (/token=/.test(location.hash)) history.replaceState(null, '', `${location.pathname}#/runs`)

mount(App, { target: document.getElementById('app')!, props: { connection: new Connection(transport) } })
