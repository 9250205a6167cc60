import { Menu, shell, type MenuItemConstructorOptions } from 'electron'

export function installMenu(onNavigate: (view: string) => void): void {
  const isMac = process.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Run…', accelerator: 'CmdOrCtrl+N', click: () => onNavigate('new') },
        { label: 'Runs', accelerator: 'CmdOrCtrl+R', click: () => onNavigate('runs') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'About SAGAN Studio', click: () => onNavigate('about') },
        { label: 'The SAGAN paper (arXiv 1805.08318)', click: () => void shell.openExternal('https://arxiv.org/abs/1805.08318') },
      ],
    },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
