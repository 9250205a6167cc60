// happy-dom has no canvas: uPlot draws its curves into a context that does
// nothing. Import this before rendering a component with a chart.
const noop2d = new Proxy(
  {},
  { get: (_, key) => (key === 'measureText' ? () => ({ width: 0 }) : key === 'canvas' ? undefined : () => undefined), set: () => true },
)
HTMLCanvasElement.prototype.getContext = (() => noop2d) as unknown as HTMLCanvasElement['getContext']
globalThis.Path2D ??= class {
  moveTo() {}
  lineTo() {}
  rect() {}
  arc() {}
  closePath() {}
  bezierCurveTo() {}
  addPath() {}
} as unknown as typeof Path2D
