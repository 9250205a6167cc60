// The SAGAN generator as a TF graph: the evaluation pass of engine/model/
// (generator.ts, blocks.ts, attention.ts, batch-norm.ts) written as graph
// nodes, op for op and in the engine's operand order, so a tfjs backend that
// runs both computes the same floats. Structure comes from generatorArch;
// which optional pieces a layer has (bias, shortcut, class-conditional BN) is
// read off the baked weight names, so the rules stay in the engine.
// Inputs: z [N, zDim] float32, label [N] int32 (unused when unconditional).
// Output: images [N, S, S, C] float32 in [-1, 1].
import type { ArchConfig } from '../../engine/model/architecture'
import { generatorArch } from '../../engine/model/architecture'
import { type BakedTensor, INVERSE_STD } from './baked-weights'
import { GraphBuilder, type GraphModelParts } from './graph-builder'

export const INPUT_Z = 'z'
export const INPUT_LABEL = 'label'
export const OUTPUT_IMAGES = 'images'

/** Emits nodes for one generator; weights become Const nodes named as in the engine. */
class GeneratorGraph {
  readonly g = new GraphBuilder()
  private readonly consts = new Map<string, string>()
  private one: string | null = null

  constructor(private readonly baked: Map<string, BakedTensor>) {}

  private has(name: string): boolean {
    return this.baked.has(name)
  }

  /** The Const node of a baked weight, added on first use. */
  weight(name: string): string {
    const existing = this.consts.get(name)
    if (existing) return existing
    const t = this.baked.get(name)
    if (!t) throw new Error(`Export: the generator graph needs weight "${name}", which the baked generator does not have`)
    const node = this.g.constant(name, t.data, t.shape)
    this.consts.set(name, node)
    return node
  }

  /** x: [B, cin] -> [B, cout]. */
  linear(name: string, x: string): string {
    return this.bias(name, this.g.matMul(`${name}/MatMul`, x, this.weight(`${name}.w`)))
  }

  /** x: [B, H, W, cin] -> [B, H, W, cout]. */
  conv(name: string, x: string): string {
    return this.bias(name, this.g.conv2dSame(`${name}/Conv2D`, x, this.weight(`${name}.w`)))
  }

  /** x: [B, H, W, C] -> normalised with running statistics, then the plain or class-conditional gain and bias. */
  batchNorm(name: string, x: string, label: string, channels: number): string {
    const g = this.g
    const centred = g.sub(`${name}/sub_mean`, x, this.weight(`${name}.runningMean`))
    const normed = g.mul(`${name}/mul_inverse_std`, centred, this.weight(`${name}${INVERSE_STD}`))
    if (!this.has(`${name}.gain.w`)) {
      return g.add(`${name}/add_bias`, g.mul(`${name}/mul_gain`, normed, this.weight(`${name}.gain`)), this.weight(`${name}.bias`))
    }
    // Conditional (ccbn): gain = 1 + embed_gain(label), bias = embed_bias(label), each [B, 1, 1, C].
    const perClass = (part: 'gain' | 'bias') => g.gather(`${name}/${part}/Gather`, this.weight(`${name}.${part}.w`), label) // [B, C]
    const gain = g.reshape(`${name}/gain/reshape`, g.add(`${name}/gain/add_one`, this.scalarOne(), perClass('gain')), [-1, 1, 1, channels])
    const bias = g.reshape(`${name}/bias/reshape`, perClass('bias'), [-1, 1, 1, channels])
    return g.add(`${name}/add_bias`, g.mul(`${name}/mul_gain`, normed, gain), bias)
  }

  /**
   * GBlock, x: [B, side, side, cin] -> [B, outSide, outSide, cout] (outSide = 2 side when upsampling).
   * BN, ReLU, upsample, conv3x3, BN, ReLU, conv3x3; shortcut: upsample, conv1x1 (or identity).
   */
  block(name: string, x: string, label: string, io: { cin: number; cout: number; outSide: number; upsample: boolean }): string {
    const g = this.g
    const up = (t: string, tag: string) => (io.upsample ? g.resizeNearest(`${name}/${tag}/upsample`, t, io.outSide) : t)
    let h = up(g.relu(`${name}/relu1`, this.batchNorm(`${name}.bn1`, x, label, io.cin)), 'main')
    h = this.conv(`${name}.conv1`, h)
    h = this.conv(`${name}.conv2`, g.relu(`${name}/relu2`, this.batchNorm(`${name}.bn2`, h, label, io.cout)))
    const skip = this.has(`${name}.shortcut.w`) ? this.conv(`${name}.shortcut`, up(x, 'skip')) : x
    return g.add(`${name}/add_skip`, h, skip)
  }

  /**
   * Self-attention, x: [B, side, side, C] -> same shape (attention.ts): query [B, N, C/8],
   * keys [B, M, C/8], values [B, M, C/2] (M = N/4 when pooled), softmax over keys, x + gamma * out.
   */
  attention(name: string, x: string, side: number, channels: number, pooled: boolean): string {
    const g = this.g
    const keySide = pooled ? side / 2 : side
    const [n, m] = [side * side, keySide * keySide]
    const pool = (t: string, tag: string) => (pooled ? g.maxPool2x2(`${name}/${tag}/MaxPool`, t) : t)
    const q = g.reshape(`${name}/query/reshape`, this.conv(`${name}.query`, x), [-1, n, channels / 8])
    const k = g.reshape(`${name}/key/reshape`, pool(this.conv(`${name}.key`, x), 'key'), [-1, m, channels / 8])
    const v = g.reshape(`${name}/value/reshape`, pool(this.conv(`${name}.value`, x), 'value'), [-1, m, channels / 2])
    const beta = g.softmax(`${name}/beta`, g.batchMatMul(`${name}/scores`, q, k, true)) // [B, N, M]
    const attended = g.reshape(`${name}/attended`, g.batchMatMul(`${name}/weighted_values`, beta, v), [-1, side, side, channels / 2])
    const out = g.mul(`${name}/mul_gamma`, this.weight(`${name}.gamma`), this.conv(`${name}.out`, attended))
    return g.add(`${name}/add_input`, x, out)
  }

  private bias(name: string, y: string): string {
    return this.has(`${name}.b`) ? this.g.add(`${name}/add_bias`, y, this.weight(`${name}.b`)) : y
  }

  private scalarOne(): string {
    this.one ??= this.g.constant('one', Float32Array.of(1), [])
    return this.one
  }
}

/** The generator of `config` with the given baked weights (bakeGeneratorWeights) as graph-model parts. */
export function generatorGraph(config: ArchConfig, baked: Map<string, BakedTensor>): GraphModelParts {
  const arch = generatorArch(config)
  const net = new GeneratorGraph(baked)
  const g = net.g
  const z = g.input(INPUT_Z, 'float32', [-1, config.zDim])
  const label = g.input(INPUT_LABEL, 'int32', [-1])
  let h = g.reshape('G.linear/reshape', net.linear('G.linear', z), [-1, 4, 4, arch.bottomChannels]) // [B, 4, 4, C0]
  arch.blocks.forEach((spec, i) => {
    h = net.block(`G.block${i}`, h, label, { cin: spec.cin, cout: spec.cout, outSide: spec.resolution, upsample: true })
    if (spec.extra === 'attention') {
      h = net.attention(`G.attention${spec.resolution}`, h, spec.resolution, spec.cout, config.attentionVariant === 'pooled')
    } else if (spec.extra === 'residual') {
      h = net.block(`G.residual${spec.resolution}`, h, label, { cin: spec.cout, cout: spec.cout, outSide: spec.resolution, upsample: false })
    }
  })
  const last = arch.blocks[arch.blocks.length - 1]
  h = g.relu('G.outBn/relu', net.batchNorm('G.outBn', h, label, last.cout))
  const images = g.tanh(OUTPUT_IMAGES, net.conv('G.outConv', h)) // [B, S, S, channels]
  g.output(OUTPUT_IMAGES, images, [-1, config.imageSize, config.imageSize, config.channels])
  return g.build()
}
