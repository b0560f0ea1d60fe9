// Turns a network plan (./architectures/plan.ts) into modules: the same plan the catalog lists layers from, so the
// built model's maskable layers are the catalog's by construction (test/engine/models/seed-networks.test.ts checks it).
import type { Rng } from '../util/rng.js';
import type { PlanNode } from './architectures/plan.js';
import { BatchNorm, Conv2d, DepthwiseConv2d, Linear } from './layers.js';
import { GlobalAvgPool, MaxPool2d, MaxPool2x2, ReLU, ReLU6, Sequential, type Module } from './module.js';
import { Residual } from './residual.js';

export interface PlanBuildContext {
  readonly scope: string;
  readonly rng: Rng;
}

/** The network as a top-level Sequential (residual blocks nested), in the plan's registration order. */
export function buildPlan(nodes: readonly PlanNode[], context: PlanBuildContext): Sequential {
  let first = true;
  const build = (list: readonly PlanNode[]): Module[] =>
    list.map((node): Module => {
      switch (node.op) {
        case 'conv': {
          first = false;
          if (node.depthwise) {
            return new DepthwiseConv2d(node.name, node.in, node.kernel, node.stride, node.padding, context);
          }
          return new Conv2d(node.in, node.out, node.kernel, node.stride, {
            scope: context.scope,
            name: node.name,
            rng: context.rng,
            bias: node.bias,
            padding: node.padding,
          });
        }
        case 'linear': {
          const inputLayer = first;
          first = false;
          return new Linear(node.in, node.out, { scope: context.scope, name: node.name, rng: context.rng, bias: node.bias, inputLayer });
        }
        case 'bn':
          return new BatchNorm(node.name, node.channels, context.scope);
        case 'relu':
          return new ReLU();
        case 'relu6':
          return new ReLU6();
        case 'maxpool':
          // The 2×2/2 pool is the one kernel segments can hold.
          if (node.kernel === 2 && node.stride === 2 && node.padding === 0) return new MaxPool2x2();
          return new MaxPool2d(node.kernel, node.stride, node.padding);
        case 'gap':
          return new GlobalAvgPool();
        case 'residual': {
          const pre = build(node.pre);
          const body = build(node.body);
          const shortcut = node.shortcut === 'identity' ? 'identity' : build(node.shortcut);
          return new Residual(pre, body, shortcut, node.shortcutFromPre, build(node.post));
        }
      }
    });
  return new Sequential(build(nodes));
}
