// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// The end of a training step in kernel memory: mean softmax cross-entropy with its gradient on batch-innermost
// logits, and the optimizer updates (SGD with momentum/Nesterov, Adam; coupled L2 decay), in place. Each update does
// its float32 operations in the order the tfjs optimizers do (train/optimizers/sgd.ts, adam.ts), so the results
// agree with them to float rounding. Pointer arguments of 0 mean "absent".

/**
 * logits[c][b] (classes × batch) → the mean cross-entropy, returned; dLogits[c][b] = (softmax − onehot) / batch;
 * correct[b] = 1 when the first largest logit is the label's. dLogits may be logits (in place).
 */
export function softmaxCrossEntropy(classes: i32, batch: i32, logits: usize, labels: usize, dLogits: usize, correct: usize): f64 {
  const stride = <usize>batch << 2;
  const scale: f32 = <f32>1 / <f32>batch;
  let total: f64 = 0;
  for (let b = 0; b < batch; b++) {
    const column = logits + (<usize>b << 2);
    const out = dLogits + (<usize>b << 2);
    const label = load<i32>(labels + (<usize>b << 2));
    let best: f32 = load<f32>(column);
    let argmax = 0;
    for (let c = 1; c < classes; c++) {
      const v = load<f32>(column + <usize>c * stride);
      if (v > best) {
        best = v;
        argmax = c;
      }
    }
    const labelLogit = load<f32>(column + <usize>label * stride);
    let sum: f32 = 0;
    for (let c = 0; c < classes; c++) {
      const e = Mathf.exp(load<f32>(column + <usize>c * stride) - best);
      store<f32>(out + <usize>c * stride, e);
      sum += e;
    }
    const inverse: f32 = <f32>1 / sum;
    total += <f64>(Mathf.log(sum) - (labelLogit - best));
    for (let c = 0; c < classes; c++) {
      const p = out + <usize>c * stride;
      store<f32>(p, (load<f32>(p) * inverse - (c == label ? <f32>1 : <f32>0)) * scale);
    }
    if (correct != 0) store<i32>(correct + (<usize>b << 2), argmax == label ? 1 : 0);
  }
  return total / <f64>batch;
}

/** The coupled L2 decay g + wd·w (g itself when wd is 0), four lanes; wdv = splat(wd). */
@inline
function decayed4(w: v128, g: v128, wd: f32, wdv: v128): v128 {
  return wd != 0 ? f32x4.add(g, f32x4.mul(w, wdv)) : g;
}

@inline
function decayed(w: f32, g: f32, wd: f32): f32 {
  return wd != 0 ? g + w * wd : g;
}

/** g ← g + wd·w; b ← μ·b + g; d ← nesterov ? g + μ·b : b; w ← w − lr·d (b absent when momentum is 0). */
export function sgdUpdate(n: i32, w: usize, g: usize, b: usize, lr: f32, momentum: f32, nesterov: bool, decay: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrv = f32x4.splat(lr);
    const mu = f32x4.splat(momentum);
    const wd = f32x4.splat(decay);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const wv = v128.load(w + o);
      const gv = decayed4(wv, v128.load(g + o), decay, wd);
      let d = gv;
      if (b != 0) {
        const bv = f32x4.add(f32x4.mul(v128.load(b + o), mu), gv);
        v128.store(b + o, bv);
        d = nesterov ? f32x4.add(gv, f32x4.mul(bv, mu)) : bv;
      }
      v128.store(w + o, f32x4.sub(wv, f32x4.mul(d, lrv)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(w + o);
    const gv = decayed(wv, load<f32>(g + o), decay);
    let d = gv;
    if (b != 0) {
      const bv = load<f32>(b + o) * momentum + gv;
      store<f32>(b + o, bv);
      d = nesterov ? gv + bv * momentum : bv;
    }
    store<f32>(w + o, wv - d * lr);
  }
}

/**
 * g ← g + wd·w; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; w ← w − stepSize·m / (sqrt(v) + epsHat), with the bias
 * corrections folded into stepSize and epsHat by the caller; c1 = 1 − β1 and c2 = 1 − β2 come rounded from double,
 * as the tfjs scalars are.
 */
export function adamUpdate(n: i32, w: usize, g: usize, m: usize, v: usize, beta1: f32, c1: f32, beta2: f32, c2: f32, stepSize: f32, epsHat: f32, decay: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const b1 = f32x4.splat(beta1);
    const b2 = f32x4.splat(beta2);
    const c1v = f32x4.splat(c1);
    const c2v = f32x4.splat(c2);
    const sv = f32x4.splat(stepSize);
    const ev = f32x4.splat(epsHat);
    const wd = f32x4.splat(decay);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const wv = v128.load(w + o);
      const gv = decayed4(wv, v128.load(g + o), decay, wd);
      const mv = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(gv, c1v));
      const vv = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gv, gv), c2v));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      v128.store(w + o, f32x4.sub(wv, f32x4.mul(f32x4.div(mv, f32x4.add(f32x4.sqrt(vv), ev)), sv)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(w + o);
    const gv = decayed(wv, load<f32>(g + o), decay);
    const mv = load<f32>(m + o) * beta1 + gv * c1;
    const vv = load<f32>(v + o) * beta2 + gv * gv * c2;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(w + o, wv - (mv / (Mathf.sqrt(vv) + epsHat)) * stepSize);
  }
}
