// Electron entry: one secure window onto the studio service.
import { join } from 'node:path'
import { app, BrowserWindow, dialog } from 'electron'
import { openStudio, type Studio } from '../studio/open-studio'
import { connectWindow } from './ipc-transport'
import { installMenu } from './menu'
import { applyContentSecurityPolicy, denyAllPermissions, lockDownNavigation } from './security'
import { electronSqliteBinding } from './sqlite-binding'

let studio: Studio | undefined
let mainWindow: BrowserWindow | undefined

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 1100,
    minHeight: 700,
    title: 'SAGAN Studio',
    backgroundColor: '#0f1115',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  win.once('ready-to-show', () => win.show())
  connectWindow(win.webContents, studio!.calls, studio!.events)
  const load = process.env.ELECTRON_RENDERER_URL
    ? win.loadURL(process.env.ELECTRON_RENDERER_URL)
    : win.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  void load.then(() => lockDownNavigation(win))
  return win
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore()
    mainWindow?.focus()
  })
  app.whenReady().then(() => {
    const dataDir = process.env.SAGAN_STUDIO_DATA_DIR ?? app.getPath('userData')
    studio = openStudio({
      dataDir,
      host: 'electron',
      nativeBinding: electronSqliteBinding(app.getAppPath()),
      pickFolder: async (title) => {
        const result = await dialog.showOpenDialog(mainWindow!, { title, properties: ['openDirectory'] })
        return result.canceled ? null : (result.filePaths[0] ?? null)
      },
      saveFile: async (defaultName) => {
        const result = await dialog.showSaveDialog(mainWindow!, {
          defaultPath: join(app.getPath('pictures'), defaultName),
          filters: [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'webp'] }],
        })
        return result.canceled ? null : (result.filePath ?? null)
      },
    })
    applyContentSecurityPolicy()
    denyAllPermissions()
    mainWindow = createWindow()
    installMenu((view) => mainWindow?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#/${view}`)}`))
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
    })
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Live runs save a final checkpoint before the app goes away.
  app.on('will-quit', (event) => {
    const closing = studio
    if (!closing) return
    studio = undefined
    event.preventDefault()
    void closing.close().finally(() => app.quit())
  })
}
