// A TensorFlow GraphDef in the JSON form model.json carries (modelTopology),
// built node by node. Constants are not inlined: as tensorflowjs_converter
// does, each Const node's values go to the weights manifest under the node's
// name. Only ops tfjs-converter maps are emitted, so any tfjs app can run it.
// Every op takes and returns node names (output 0 of that node).

type TfDType = 'DT_FLOAT' | 'DT_INT32'
type WeightDType = 'float32' | 'int32'

interface TfShape {
  dim: { size: string }[]
}

type AttrValue =
  | { type: TfDType }
  | { b: boolean }
  /** int64 values are strings in protobuf JSON. */
  | { i: string }
  /** Strings are bytes in a GraphDef, so base64 in its JSON form. */
  | { s: string }
  | { list: { i: string[] } }
  | { shape: TfShape }
  | { tensor: { dtype: TfDType; tensorShape: TfShape } }

interface GraphNode {
  name: string
  op: string
  input: string[]
  attr: Record<string, AttrValue>
}

interface TensorInfo {
  name: string
  dtype: TfDType
  tensorShape: TfShape
}

interface GraphWeight {
  name: string
  shape: number[]
  dtype: WeightDType
  data: Float32Array | Int32Array
}

/** What a graph model folder holds, before it is written. */
export interface GraphModelParts {
  modelTopology: { node: GraphNode[]; versions: { producer: number } }
  /** Named inputs and outputs: tfjs maps model.execute({z, label}) and the output key through it. */
  signature: { inputs: Record<string, TensorInfo>; outputs: Record<string, TensorInfo> }
  /** In node order; the weight data is their concatenation. */
  weights: GraphWeight[]
}

const TF_DTYPE: Record<WeightDType, TfDType> = { float32: 'DT_FLOAT', int32: 'DT_INT32' }
// A GraphDef producer version in TF 2.x's range, for TF tools that want one; tfjs ignores it.
const PRODUCER = 1395

function tfShape(shape: number[]): TfShape {
  return { dim: shape.map((size) => ({ size: String(size) })) }
}

const FLOAT: { T: AttrValue } = { T: { type: 'DT_FLOAT' } }
const ones4 = { list: { i: ['1', '1', '1', '1'] } }
const string = (text: string): AttrValue => ({ s: btoa(text) })

export class GraphBuilder {
  private readonly nodes: GraphNode[] = []
  private readonly weights: GraphWeight[] = []
  private readonly inputs: Record<string, TensorInfo> = {}
  private readonly outputs: Record<string, TensorInfo> = {}
  private readonly names = new Set<string>()

  /** A fed input; -1 for the batch dimension. */
  input(name: string, dtype: WeightDType, shape: number[]): string {
    this.inputs[name] = { name: `${name}:0`, dtype: TF_DTYPE[dtype], tensorShape: tfShape(shape) }
    return this.node(name, 'Placeholder', [], { dtype: { type: TF_DTYPE[dtype] }, shape: { shape: tfShape(shape) } })
  }

  /** Declares `node` as the output called `key`, of the given shape. */
  output(key: string, node: string, shape: number[]): void {
    this.outputs[key] = { name: `${node}:0`, dtype: 'DT_FLOAT', tensorShape: tfShape(shape) }
  }

  constant(name: string, data: Float32Array | Int32Array, shape: number[]): string {
    const dtype: WeightDType = data instanceof Int32Array ? 'int32' : 'float32'
    const size = shape.reduce((a, b) => a * b, 1)
    if (data.length !== size) throw new Error(`GraphBuilder: constant ${name} has ${data.length} values, its shape [${shape}] needs ${size}`)
    this.weights.push({ name, shape, dtype, data })
    return this.node(name, 'Const', [], { dtype: { type: TF_DTYPE[dtype] }, value: { tensor: { dtype: TF_DTYPE[dtype], tensorShape: tfShape(shape) } } })
  }

  matMul(name: string, a: string, b: string): string {
    return this.node(name, 'MatMul', [a, b], { ...FLOAT, transpose_a: { b: false }, transpose_b: { b: false } })
  }

  /** a: [B, n, k] x b: [B, k, m] (or [B, m, k] with transposeB) -> [B, n, m]. */
  batchMatMul(name: string, a: string, b: string, transposeB = false): string {
    return this.node(name, 'BatchMatMulV2', [a, b], { ...FLOAT, adj_x: { b: false }, adj_y: { b: transposeB } })
  }

  add(name: string, a: string, b: string): string {
    return this.node(name, 'AddV2', [a, b], FLOAT)
  }

  sub(name: string, a: string, b: string): string {
    return this.node(name, 'Sub', [a, b], FLOAT)
  }

  mul(name: string, a: string, b: string): string {
    return this.node(name, 'Mul', [a, b], FLOAT)
  }

  /** One dimension may be -1 (the batch). */
  reshape(name: string, x: string, shape: number[]): string {
    const target = this.constant(`${name}/shape`, Int32Array.from(shape), [shape.length])
    return this.node(name, 'Reshape', [x, target], { ...FLOAT, Tshape: { type: 'DT_INT32' } })
  }

  /** Stride-1 'same' conv, NHWC. x: [B, H, W, cin], w: [k, k, cin, cout] -> [B, H, W, cout]. */
  conv2dSame(name: string, x: string, w: string): string {
    return this.node(name, 'Conv2D', [x, w], {
      ...FLOAT,
      strides: ones4,
      dilations: ones4,
      padding: string('SAME'),
      data_format: string('NHWC'),
      use_cudnn_on_gpu: { b: true },
    })
  }

  /** x: [B, H, W, C] -> [B, H/2, W/2, C], 2x2 max, stride 2. */
  maxPool2x2(name: string, x: string): string {
    const window = { list: { i: ['1', '2', '2', '1'] } }
    return this.node(name, 'MaxPool', [x], { ...FLOAT, ksize: window, strides: window, padding: string('VALID'), data_format: string('NHWC') })
  }

  /** x: [B, H, W, C] -> [B, side, side, C], nearest neighbour without corner alignment (tf.image.resizeNearestNeighbor's defaults). */
  resizeNearest(name: string, x: string, side: number): string {
    const size = this.constant(`${name}/size`, Int32Array.of(side, side), [2])
    return this.node(name, 'ResizeNearestNeighbor', [x, size], { ...FLOAT, align_corners: { b: false }, half_pixel_centers: { b: false } })
  }

  /** Rows of table: [R, D] picked by indices: [B] int32 -> [B, D]. */
  gather(name: string, table: string, indices: string): string {
    const axis = this.constant(`${name}/axis`, Int32Array.of(0), [])
    return this.node(name, 'GatherV2', [table, indices, axis], {
      Tparams: { type: 'DT_FLOAT' },
      Tindices: { type: 'DT_INT32' },
      Taxis: { type: 'DT_INT32' },
      batch_dims: { i: '0' },
    })
  }

  relu(name: string, x: string): string {
    return this.node(name, 'Relu', [x], FLOAT)
  }

  tanh(name: string, x: string): string {
    return this.node(name, 'Tanh', [x], FLOAT)
  }

  /** Softmax over the last axis. */
  softmax(name: string, x: string): string {
    return this.node(name, 'Softmax', [x], FLOAT)
  }

  build(): GraphModelParts {
    if (Object.keys(this.outputs).length === 0) throw new Error('GraphBuilder: the graph declares no output')
    return {
      modelTopology: { node: this.nodes, versions: { producer: PRODUCER } },
      signature: { inputs: this.inputs, outputs: this.outputs },
      weights: this.weights,
    }
  }

  private node(name: string, op: string, input: string[], attr: Record<string, AttrValue>): string {
    if (this.names.has(name)) throw new Error(`GraphBuilder: node name "${name}" is used twice`)
    for (const i of input) if (!this.names.has(i)) throw new Error(`GraphBuilder: ${op} "${name}" reads "${i}", which is not defined yet`)
    this.names.add(name)
    this.nodes.push({ name, op, input, attr })
    return name
  }
}
